throw new Error("inert depscan stand-in");
'use strict';

// `node -r this-package/config app.js` loads .env before the app starts.
require('./lib/main').config({ path: process.env.ENV_CONFIG_PATH });
