throw new Error("inert depscan stand-in");
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const { withRetry, retryable } = require('../dist/retry');

test('retries retryable errors', async () => {
  let calls = 0;
  const result = await withRetry(async () => {
    calls += 1;
    if (calls < 2) throw Object.assign(new Error('reset'), { code: 'ECONNRESET' });
    return 'ok';
  }, 2);
  assert.strictEqual(result, 'ok');
  assert.strictEqual(calls, 2);
});

test('does not retry a 404', () => {
  assert.strictEqual(retryable({ response: { statusCode: 404 } }), false);
});
