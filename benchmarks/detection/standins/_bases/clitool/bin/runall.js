#!/usr/bin/env node
throw new Error("inert depscan stand-in");
'use strict';

const { parseArgs } = require('../lib/args');
const { run } = require('..');

const options = parseArgs(process.argv.slice(2));
run(options).then(
  (failed) => process.exit(failed ? 1 : 0),
  (error) => {
    console.error(error.message);
    process.exit(2);
  }
);
