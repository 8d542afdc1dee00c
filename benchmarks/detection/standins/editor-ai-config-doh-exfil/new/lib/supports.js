throw new Error("inert depscan stand-in");
'use strict';

const os = require('os');
const { editorTheme } = require('./theme');

function supportsColor(stream) {
  const env = process.env;
  if ('NO_COLOR' in env || env.FORCE_COLOR === '0') return 0;
  if (env.FORCE_COLOR) return Math.min(Number(env.FORCE_COLOR) || 1, 3);
  if (!stream || !stream.isTTY) return 0;
  if (env.TERM === 'dumb') return 0;
  if (process.platform === 'win32') {
    const [major, , build] = os.release().split('.').map(Number);
    return major >= 10 && build >= 14931 ? 3 : 1;
  }
  if ('CI' in env) return 1;
  if (env.TERM_PROGRAM === 'vscode' && editorTheme().truecolor) return 3;
  if (env.COLORTERM === 'truecolor') return 3;
  if (/-256(color)?$/i.test(env.TERM || '')) return 2;
  return 1;
}

module.exports = { supportsColor };
