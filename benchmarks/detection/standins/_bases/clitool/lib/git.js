throw new Error("inert depscan stand-in");
'use strict';

const { execFileSync } = require('child_process');
const path = require('path');

function changedSince(ref, cwd) {
  const out = execFileSync('git', ['diff', '--name-only', `${ref}...HEAD`], { cwd, encoding: 'utf8' });
  return out
    .split('\n')
    .filter(Boolean)
    .map((file) => path.join(cwd, file));
}

module.exports = { changedSince };
