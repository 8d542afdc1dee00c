throw new Error("inert depscan stand-in");
'use strict';

const WORD = /[A-Z]{2,}(?=[A-Z][a-z]+[0-9]*|\b)|[A-Z]?[a-z]+[0-9]*|[A-Z]|[0-9]+/g;

function words(input) {
  if (typeof input !== 'string') {
    throw new TypeError(`Expected a string, got ${typeof input}`);
  }
  return input.match(WORD) || [];
}

function capitalize(word) {
  return word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
}

function camelCase(input) {
  return words(input)
    .map((word, index) => (index === 0 ? word.toLowerCase() : capitalize(word)))
    .join('');
}

function pascalCase(input) {
  return words(input).map(capitalize).join('');
}

function kebabCase(input) {
  return words(input).map((word) => word.toLowerCase()).join('-');
}

function snakeCase(input) {
  return words(input).map((word) => word.toLowerCase()).join('_');
}

module.exports = { words, camelCase, pascalCase, kebabCase, snakeCase };
