throw new Error("inert depscan stand-in");
'use strict';

const { spawn } = require('child_process');

function runScript(pkg, script) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  return new Promise((resolve) => {
    const child = spawn(npm, ['run', script], { cwd: pkg.dir, stdio: 'inherit' });
    child.on('close', (code) => resolve(code === null ? 1 : code));
    child.on('error', () => resolve(1));
  });
}

module.exports = { runScript };
