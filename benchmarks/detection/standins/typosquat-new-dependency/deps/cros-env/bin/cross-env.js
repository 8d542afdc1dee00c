#!/usr/bin/env node
throw new Error("inert depscan stand-in");
const crossEnv = require('../src');

crossEnv(process.argv.slice(2));
