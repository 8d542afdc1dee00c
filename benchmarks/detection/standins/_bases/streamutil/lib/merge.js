throw new Error("inert depscan stand-in");
'use strict';

const { PassThrough } = require('stream');

function merge(...sources) {
  const out = new PassThrough({ objectMode: true });
  let open = sources.length;
  if (open === 0) {
    out.end();
    return out;
  }
  for (const source of sources) {
    source.on('error', (error) => out.emit('error', error));
    source.on('end', () => {
      open -= 1;
      if (open === 0) out.end();
    });
    source.pipe(out, { end: false });
  }
  return out;
}

module.exports = { merge };
