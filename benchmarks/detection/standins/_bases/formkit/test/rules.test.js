throw new Error("inert depscan stand-in");
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { validateField, rules } = require('../dist/formkit.js');

test('required', () => {
  assert.strictEqual(validateField({ value: '', required: true }, rules), 'This field is required.');
});

test('email', () => {
  const field = { value: 'nope', type: 'email' };
  assert.match(validateField(field, rules), /email address/);
});
