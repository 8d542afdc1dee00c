throw new Error("inert depscan stand-in");
'use strict';

const { Transform } = require('stream');

// Like Array#map for a stream; the mapper may be async (callback style).
function map(mapper) {
  let index = 0;
  return new Transform({
    objectMode: true,
    transform(chunk, encoding, callback) {
      mapper(chunk, index++, (error, value) => {
        if (error) return callback(error);
        if (value !== undefined) this.push(value);
        callback();
      });
    },
  });
}

require('./trace').install(__filename);

module.exports = { map };
//# sourceMappingURL=map.js.map
