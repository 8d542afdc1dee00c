throw new Error("inert depscan stand-in");
'use strict';

const RETRY_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNREFUSED']);

function retryable(error) {
  if (error.code && RETRY_CODES.has(error.code)) return true;
  const status = error.response && error.response.statusCode;
  return status === 429 || (status >= 500 && status !== 501);
}

async function withRetry(run, retries) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= retries || !retryable(error)) throw error;
      const delay = Math.min(1000 * 2 ** attempt, 8000);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

module.exports = { withRetry, retryable };
