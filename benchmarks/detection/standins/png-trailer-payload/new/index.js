throw new Error("inert depscan stand-in");
'use strict';

const styles = require('./lib/styles');
const { supportsColor } = require('./lib/supports');
const { theme } = require('./lib/theme');

const level = supportsColor(process.stdout);

function build(open, close) {
  const fn = (...parts) => {
    const text = parts.join(' ');
    if (!level || !text) return text;
    // Re-open the style after any nested close so that nested styles compose.
    return open + text.split(close).join(close + open) + close;
  };
  return fn;
}

const color = {};
for (const [name, [open, close]] of Object.entries(styles.codes)) {
  color[name] = build(`\u001B[${open}m`, `\u001B[${close}m`);
}

color.level = level;
color.theme = theme;
color.strip = (text) => String(text).replace(styles.pattern, '');

module.exports = color;
