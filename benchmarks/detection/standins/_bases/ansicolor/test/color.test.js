throw new Error("inert depscan stand-in");
'use strict';

const test = require('node:test');
const assert = require('node:assert');

process.env.FORCE_COLOR = '1';
const color = require('..');

test('wraps text in open and close codes', () => {
  assert.strictEqual(color.red('x'), '\u001B[31mx\u001B[39m');
});

test('strip removes escapes', () => {
  assert.strictEqual(color.strip(color.bold(color.green('ok'))), 'ok');
});

test('empty input stays empty', () => {
  assert.strictEqual(color.blue(''), '');
});
