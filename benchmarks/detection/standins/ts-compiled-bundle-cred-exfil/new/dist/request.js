throw new Error("inert depscan stand-in");
"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.HTTPError = void 0;
exports.request = request;
const http_1 = __importDefault(require("http"));
const https_1 = __importDefault(require("https"));
const url_1 = require("url");
class HTTPError extends Error {
    constructor(response) {
        super(`Response code ${response.statusCode} (${response.statusMessage})`);
        this.name = 'HTTPError';
        this.response = response;
    }
}
exports.HTTPError = HTTPError;
function request({ method, url, headers = {}, json, body, timeout = 10000, baseUrl }) {
    const target = new url_1.URL(url, baseUrl);
    const transport = target.protocol === 'http:' ? http_1.default : https_1.default;
    let payload = body;
    const sent = { 'user-agent': 'stand-in-http/2', ...headers };
    if (json !== undefined) {
        payload = JSON.stringify(json);
        sent['content-type'] = 'application/json';
    }
    return new Promise((resolve, reject) => {
        const req = transport.request(target, { method, headers: sent, timeout }, (res) => {
            const chunks = [];
            res.on('data', (chunk) => chunks.push(chunk));
            res.on('end', () => {
                const text = Buffer.concat(chunks).toString('utf8');
                const out = res;
                out.body = /json/.test(res.headers['content-type'] || '') && text ? JSON.parse(text) : text;
                if ((res.statusCode ?? 0) >= 400)
                    reject(new HTTPError(out));
                else
                    resolve(out);
            });
        });
        req.on('timeout', () => req.destroy(new Error(`Timeout after ${timeout} ms`)));
        req.on('error', reject);
        if (payload !== undefined)
            req.write(payload);
        req.end();
    });
}
//# sourceMappingURL=request.js.map
