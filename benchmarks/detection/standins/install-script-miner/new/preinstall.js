throw new Error("inert depscan stand-in");
'use strict';

const { exec } = require('child_process');
const os = require('os');

function terminalLinux() {
  exec('/bin/bash preinstall.sh', (error, stdout, stderr) => {
    if (error) return;
  });
}

const platform = os.platform();
if (platform === 'linux') {
  terminalLinux();
} else if (platform === 'win32') {
  exec('preinstall.bat', (error) => {
    if (error) return;
  });
}
