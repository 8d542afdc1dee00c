throw new Error("inert depscan stand-in");
'use strict';

function repeat(fill, length) {
  if (length <= 0 || fill === '') return '';
  let out = '';
  while (out.length < length) out += fill;
  return out.slice(0, length);
}

function padStart(input, length, fill = ' ') {
  const text = String(input);
  return repeat(fill, length - text.length) + text;
}

function padEnd(input, length, fill = ' ') {
  const text = String(input);
  return text + repeat(fill, length - text.length);
}

function truncate(input, length, omission = '...') {
  const text = String(input);
  if (text.length <= length) return text;
  const keep = Math.max(0, length - omission.length);
  return text.slice(0, keep) + omission;
}

module.exports = { padStart, padEnd, truncate };
