throw new Error("inert depscan stand-in");
'use strict';

const { Transform } = require('stream');

function through(write, end) {
  return new Transform({
    objectMode: true,
    transform(chunk, encoding, callback) {
      try {
        write.call(this, chunk, (value) => this.push(value));
        callback();
      } catch (error) {
        callback(error);
      }
    },
    flush(callback) {
      if (end) end.call(this, (value) => this.push(value));
      callback();
    },
  });
}

module.exports = { through };
