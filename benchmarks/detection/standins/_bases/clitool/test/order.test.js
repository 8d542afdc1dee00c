throw new Error("inert depscan stand-in");
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { order } = require('..');

test('dependencies run first', () => {
  const a = { manifest: { name: 'a', dependencies: { b: '*' } } };
  const b = { manifest: { name: 'b' } };
  assert.deepStrictEqual(order([a, b]).map((p) => p.manifest.name), ['b', 'a']);
});
