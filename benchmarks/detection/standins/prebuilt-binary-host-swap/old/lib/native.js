throw new Error("inert depscan stand-in");
'use strict';

// The prebuilt (or locally built) addon, when the platform has one; pure JS otherwise.
const path = require('path');

let binding = null;
try {
  const binary = require('@mapbox/node-pre-gyp');
  binding = require(binary.find(path.resolve(__dirname, '..', 'package.json')));
} catch (error) {
  binding = null;
}

module.exports = binding;
