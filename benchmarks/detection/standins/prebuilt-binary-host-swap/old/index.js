throw new Error("inert depscan stand-in");
'use strict';

const { camelCase, kebabCase, snakeCase, pascalCase, words } = require('./lib/case');
const { padStart, padEnd, truncate } = require('./lib/pad');
const { slugify: slugifyJs } = require('./lib/slug');
const native = require('./lib/native');

const slugify = native ? (text) => native.slugify(String(text)) : slugifyJs;

module.exports = {
  camelCase,
  kebabCase,
  snakeCase,
  pascalCase,
  words,
  padStart,
  padEnd,
  truncate,
  slugify,
};
