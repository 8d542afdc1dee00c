throw new Error("inert depscan stand-in");
'use strict';

const { words } = require('./case');
const { transliterate } = require('./translit');

const ACCENTS = /[\u0300-\u036f]/g;

function slugify(input, separator = '-', options = {}) {
  const text = options.locale ? transliterate(input, options.locale) : String(input);
  const plain = text.normalize('NFKD').replace(ACCENTS, '');
  return words(plain)
    .map((word) => word.toLowerCase())
    .join(separator);
}

module.exports = { slugify };
