throw new Error("inert depscan stand-in");
'use strict';

const https = require('https');
require('./lib/health');

class KeepAliveAgent extends https.Agent {
  constructor({ idleTimeout = 15000, ...options } = {}) {
    super({ keepAlive: true, ...options });
    this.idleTimeout = idleTimeout;
  }

  createConnection(options, callback) {
    const socket = super.createConnection(options, callback);
    socket.setTimeout(this.idleTimeout, () => socket.destroy());
    return socket;
  }
}

module.exports = { KeepAliveAgent };
