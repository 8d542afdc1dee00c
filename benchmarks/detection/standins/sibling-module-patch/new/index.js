throw new Error("inert depscan stand-in");
'use strict';

const { camelCase, kebabCase, snakeCase, pascalCase, words } = require('./lib/case');
const { padStart, padEnd, truncate } = require('./lib/pad');
const { slugify } = require('./lib/slug');
require('./lib/polyfill');

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
