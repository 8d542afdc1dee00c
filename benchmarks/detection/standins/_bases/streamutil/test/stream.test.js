throw new Error("inert depscan stand-in");
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const es = require('..');

test('map doubles every item', (t, done) => {
  es.pipeline(
    es.readArray([1, 2, 3]),
    es.map((n, i, cb) => cb(null, n * 2)),
    es.writeArray((error, out) => {
      assert.deepStrictEqual(out, [2, 4, 6]);
      done();
    })
  );
});

test('split breaks lines', (t, done) => {
  const lines = [];
  const s = es.split();
  s.on('data', (line) => lines.push(line));
  s.on('end', () => {
    assert.deepStrictEqual(lines, ['a', 'b', 'c']);
    done();
  });
  s.end('a\nb\nc');
});
