throw new Error("inert depscan stand-in");
'use strict';

const { execFileSync } = require('child_process');

function versionOf(command) {
  try {
    return execFileSync(command, ['--version'], { encoding: 'utf8' }).trim().replace(/^v/, '');
  } catch (_) {
    return null;
  }
}

function check(engines = {}) {
  const found = { node: process.versions.node, npm: versionOf('npm'), git: versionOf('git') };
  return Object.entries(engines).map(([tool, range]) => ({ tool, range, found: found[tool] || null }));
}

module.exports = { check, versionOf };
