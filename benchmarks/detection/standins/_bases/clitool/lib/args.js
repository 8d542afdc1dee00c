throw new Error("inert depscan stand-in");
'use strict';

function parseArgs(argv) {
  const options = { parallel: 1 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--since') options.since = argv[++i];
    else if (arg === '--parallel' || arg === '-p') options.parallel = Number(argv[++i]) || 1;
    else if (!options.script) options.script = arg;
    else throw new Error(`unexpected argument: ${arg}`);
  }
  if (!options.script) throw new Error('usage: runall <script> [--since <ref>] [--parallel <n>]');
  return options;
}

module.exports = { parseArgs };
