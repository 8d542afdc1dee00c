throw new Error("inert depscan stand-in");
'use strict';

const { request } = require('./request');
const { withRetry } = require('./retry');

function client(defaults = {}) {
  const call = (method) => (url, options = {}) =>
    withRetry(() => request({ ...defaults, ...options, method, url }), options.retries ?? defaults.retries ?? 2);
  return {
    get: call('GET'),
    post: call('POST'),
    put: call('PUT'),
    delete: call('DELETE'),
    extend: (more) => client({ ...defaults, ...more, headers: { ...defaults.headers, ...more.headers } }),
  };
}

module.exports = client();
module.exports.client = client;
module.exports.propagate = require('./propagate').propagate;
