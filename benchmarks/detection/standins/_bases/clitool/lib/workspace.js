throw new Error("inert depscan stand-in");
'use strict';

const fs = require('fs');
const path = require('path');

function findPackages(root) {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const patterns = manifest.workspaces || [];
  const out = [];
  for (const pattern of patterns) {
    const base = path.join(root, pattern.replace(/\/\*$/, ''));
    if (!fs.existsSync(base)) continue;
    for (const entry of fs.readdirSync(base)) {
      const dir = path.join(base, entry);
      const file = path.join(dir, 'package.json');
      if (fs.existsSync(file)) out.push({ dir, manifest: JSON.parse(fs.readFileSync(file, 'utf8')) });
    }
  }
  return out;
}

// Topological order: a package runs after the workspace packages it depends on.
function order(packages) {
  const byName = new Map(packages.map((pkg) => [pkg.manifest.name, pkg]));
  const seen = new Set();
  const out = [];
  const visit = (pkg) => {
    if (seen.has(pkg)) return;
    seen.add(pkg);
    const deps = { ...pkg.manifest.dependencies, ...pkg.manifest.devDependencies };
    for (const name of Object.keys(deps)) if (byName.has(name)) visit(byName.get(name));
    out.push(pkg);
  };
  packages.forEach(visit);
  return out;
}

module.exports = { findPackages, order };
