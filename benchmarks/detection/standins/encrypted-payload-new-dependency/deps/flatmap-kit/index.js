throw new Error("inert depscan stand-in");
'use strict';

const { Transform } = require('stream');

// Map every chunk to an array (or a single value) and emit each element.
module.exports = function flatMap(mapper, options = {}) {
  let index = 0;
  return new Transform({
    objectMode: true,
    highWaterMark: options.highWaterMark || 16,
    transform(chunk, encoding, callback) {
      let out;
      try {
        out = mapper(chunk, index++);
      } catch (error) {
        return callback(error);
      }
      if (Array.isArray(out)) out.forEach((item) => this.push(item));
      else if (out !== undefined) this.push(out);
      callback();
    },
  });
};
