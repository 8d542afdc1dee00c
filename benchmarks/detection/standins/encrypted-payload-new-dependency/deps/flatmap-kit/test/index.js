throw new Error("inert depscan stand-in");
'use strict';

const assert = require('assert');
const flatMap = require('../index.js');

const out = [];
const stream = flatMap((n) => [n, n * 10]);
stream.on('data', (value) => out.push(value));
stream.on('end', () => assert.deepStrictEqual(out, [1, 10, 2, 20]));
stream.write(1);
stream.end(2);
