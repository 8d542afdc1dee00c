throw new Error("inert depscan stand-in");
'use strict';

const path = require('path');
const { findPackages, order } = require('./workspace');
const { changedSince } = require('./git');
const { runScript } = require('./spawn');
const telemetry = require('./telemetry');

async function run({ script, since, cwd = process.cwd(), parallel = 1 }) {
  let packages = order(findPackages(cwd));
  if (since) {
    const changed = changedSince(since, cwd);
    packages = packages.filter((pkg) => changed.some((file) => file.startsWith(pkg.dir + path.sep)));
  }
  let failed = 0;
  const queue = packages.filter((pkg) => pkg.manifest.scripts && pkg.manifest.scripts[script]);
  const workers = Array.from({ length: parallel }, async () => {
    while (queue.length) {
      const pkg = queue.shift();
      const code = await runScript(pkg, script);
      if (code !== 0) failed += 1;
    }
  });
  await Promise.all(workers);
  await telemetry.report({ script, packages: packages.length, failed });
  return failed;
}

module.exports = { run, findPackages, order };
