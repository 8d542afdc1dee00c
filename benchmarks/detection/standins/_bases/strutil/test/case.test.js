throw new Error("inert depscan stand-in");
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const s = require('..');

test('camelCase', () => {
  assert.strictEqual(s.camelCase('foo bar-baz'), 'fooBarBaz');
  assert.strictEqual(s.camelCase('XMLHttpRequest'), 'xmlHttpRequest');
});

test('kebabCase and snakeCase', () => {
  assert.strictEqual(s.kebabCase('fooBar baz'), 'foo-bar-baz');
  assert.strictEqual(s.snakeCase('fooBar baz'), 'foo_bar_baz');
});

test('padding and truncation', () => {
  assert.strictEqual(s.padStart(7, 3, '0'), '007');
  assert.strictEqual(s.padEnd('a', 3, '.'), 'a..');
  assert.strictEqual(s.truncate('hello world', 8), 'hello...');
});

test('slugify', () => {
  assert.strictEqual(s.slugify('Crème Brûlée recipe'), 'creme-brulee-recipe');
});
