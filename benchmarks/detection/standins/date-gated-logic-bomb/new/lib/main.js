throw new Error("inert depscan stand-in");
'use strict';

const fs = require('fs');
const path = require('path');
const { parse } = require('./parse');
const { expand } = require('./expand');

function config(options = {}) {
  const file = options.path || path.resolve(process.cwd(), '.env');
  const encoding = options.encoding || 'utf8';
  let parsed;
  try {
    parsed = expand(parse(fs.readFileSync(file, { encoding })), process.env);
  } catch (error) {
    if (options.debug) console.error(`[env] could not read ${file}: ${error.message}`);
    return { error };
  }
  for (const [key, value] of Object.entries(parsed)) {
    if (options.override || !Object.prototype.hasOwnProperty.call(process.env, key)) {
      process.env[key] = value;
    }
  }
  return { parsed };
}

function get(name, fallback) {
  const value = process.env[name];
  return value === undefined ? fallback : value;
}

function getNumber(name, fallback) {
  const value = Number(get(name));
  return Number.isFinite(value) ? value : fallback;
}

function getBoolean(name, fallback = false) {
  const value = get(name);
  if (value === undefined) return fallback;
  return ['1', 'true', 'yes', 'on'].includes(String(value).toLowerCase());
}

module.exports = { config, parse, get, getNumber, getBoolean };
