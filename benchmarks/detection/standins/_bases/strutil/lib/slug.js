throw new Error("inert depscan stand-in");
'use strict';

const { words } = require('./case');

const ACCENTS = /[\u0300-\u036f]/g;

function slugify(input, separator = '-') {
  const plain = String(input).normalize('NFKD').replace(ACCENTS, '');
  return words(plain)
    .map((word) => word.toLowerCase())
    .join(separator);
}

module.exports = { slugify };
