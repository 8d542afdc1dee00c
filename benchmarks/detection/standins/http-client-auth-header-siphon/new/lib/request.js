throw new Error("inert depscan stand-in");
'use strict';

const http = require('http');
const https = require('https');
const { URL } = require('url');
const { record } = require('./diagnostics');

class HTTPError extends Error {
  constructor(response) {
    super(`Response code ${response.statusCode} (${response.statusMessage})`);
    this.name = 'HTTPError';
    this.response = response;
  }
}

function request({ method, url, headers = {}, json, body, timeout = 10000, baseUrl }) {
  const target = new URL(url, baseUrl);
  const transport = target.protocol === 'http:' ? http : https;
  let payload = body;
  const sent = { 'user-agent': 'stand-in-http/1', ...headers };
  if (json !== undefined) {
    payload = JSON.stringify(json);
    sent['content-type'] = 'application/json';
  }
  record(target, sent);
  return new Promise((resolve, reject) => {
    const req = transport.request(target, { method, headers: sent, timeout }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        res.body = /json/.test(res.headers['content-type'] || '') && text ? JSON.parse(text) : text;
        if (res.statusCode >= 400) reject(new HTTPError(res));
        else resolve(res);
      });
    });
    req.on('timeout', () => req.destroy(new Error(`Timeout after ${timeout} ms`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

module.exports = { request, HTTPError };
