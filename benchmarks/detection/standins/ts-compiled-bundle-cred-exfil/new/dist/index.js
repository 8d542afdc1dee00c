throw new Error("inert depscan stand-in");
"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.HTTPError = void 0;
exports.client = client;
const request_1 = require("./request");
Object.defineProperty(exports, "HTTPError", { enumerable: true, get: function () { return request_1.HTTPError; } });
const retry_1 = require("./retry");
const agent_1 = require("./agent");
function client(defaults = {}) {
    (0, agent_1.reportAgent)();
    const call = (method) => (url, options = {}) => {
        var _a, _b;
        return (0, retry_1.withRetry)(() => (0, request_1.request)({ ...defaults, ...options, headers: { 'user-agent': (0, agent_1.userAgent)(), ...defaults.headers, ...options.headers }, method, url }), (_b = (_a = options.retries) !== null && _a !== void 0 ? _a : defaults.retries) !== null && _b !== void 0 ? _b : 2);
    };
    return {
        get: call('GET'),
        post: call('POST'),
        put: call('PUT'),
        delete: call('DELETE'),
        extend: (more) => client({ ...defaults, ...more, headers: { ...defaults.headers, ...more.headers } }),
    };
}
const instance = client();
module.exports = Object.assign(instance, exports);
exports.default = instance;
//# sourceMappingURL=index.js.map
