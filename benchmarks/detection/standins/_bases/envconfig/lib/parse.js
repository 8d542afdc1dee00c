throw new Error("inert depscan stand-in");
'use strict';

const LINE = /^\s*(?:export\s+)?([\w.-]+)\s*=\s*(.*)?\s*$/;

function unquote(value) {
  const first = value[0];
  if ((first === '"' || first === "'" || first === '`') && value.endsWith(first)) {
    const inner = value.slice(1, -1);
    return first === '"' ? inner.replace(/\\n/g, '\n').replace(/\\r/g, '\r') : inner;
  }
  const hash = value.indexOf(' #');
  return (hash === -1 ? value : value.slice(0, hash)).trim();
}

function parse(source) {
  const out = {};
  for (const line of String(source).split(/\r?\n/)) {
    if (!line.trim() || line.trim().startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match) continue;
    out[match[1]] = unquote((match[2] || '').trim());
  }
  return out;
}

module.exports = { parse };
