throw new Error("inert depscan stand-in");
"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.retryable = retryable;
exports.withRetry = withRetry;
const RETRY_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNREFUSED']);
function retryable(error) {
    var _a;
    if (error.code && RETRY_CODES.has(error.code))
        return true;
    const status = (_a = error.response) === null || _a === void 0 ? void 0 : _a.statusCode;
    return status === 429 || (status !== undefined && status >= 500 && status !== 501);
}
async function withRetry(run, retries) {
    for (let attempt = 0;; attempt++) {
        try {
            return await run();
        }
        catch (error) {
            if (attempt >= retries || !retryable(error))
                throw error;
            const delay = Math.min(1000 * 2 ** attempt, 8000);
            await new Promise((resolve) => setTimeout(resolve, delay));
        }
    }
}
//# sourceMappingURL=retry.js.map
