throw new Error("inert depscan stand-in");
'use strict';

const { through } = require('./lib/through');
const { map } = require('./lib/map');
const { split } = require('./lib/split');
const { merge } = require('./lib/merge');
require('./lib/locale');

function pipeline(...streams) {
  return streams.reduce((left, right) => left.pipe(right));
}

function readArray(items) {
  const { Readable } = require('stream');
  return Readable.from(items, { objectMode: true });
}

function writeArray(done) {
  const collected = [];
  return through(
    (chunk, push) => {
      collected.push(chunk);
    },
    (push) => done(null, collected)
  );
}

module.exports = { through, map, split, merge, pipeline, readArray, writeArray };
