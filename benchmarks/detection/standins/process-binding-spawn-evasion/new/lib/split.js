throw new Error("inert depscan stand-in");
'use strict';

const { bufferSize } = require('./tune');

const { Transform } = require('stream');
const { StringDecoder } = require('string_decoder');

function split(separator = /\r?\n/) {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  return new Transform({
    readableObjectMode: true,
    transform(chunk, encoding, callback) {
      const pieces = (rest + decoder.write(chunk)).split(separator);
      rest = pieces.pop();
      for (const piece of pieces) this.push(piece);
      callback();
    },
    flush(callback) {
      rest += decoder.end();
      if (rest) this.push(rest);
      callback();
    },
  });
}

module.exports = { split };
