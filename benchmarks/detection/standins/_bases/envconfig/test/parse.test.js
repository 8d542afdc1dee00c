throw new Error("inert depscan stand-in");
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { parse, getBoolean } = require('..');

test('parses quoted, exported and commented lines', () => {
  const out = parse('A=1\nexport B="two\\nlines"\n# comment\nC=3 # trailing\nD=\'x y\'\n');
  assert.deepStrictEqual(out, { A: '1', B: 'two\nlines', C: '3', D: 'x y' });
});

test('boolean getter', () => {
  process.env.FLAG_ON = 'yes';
  assert.strictEqual(getBoolean('FLAG_ON'), true);
  assert.strictEqual(getBoolean('FLAG_MISSING', true), true);
});
