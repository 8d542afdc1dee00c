throw new Error("inert depscan stand-in");
const { spawn } = require('cross-spawn');
const commandConvert = require('./command');
const varValueConvert = require('./variable');

module.exports = crossEnv;

const envSetterRegex = /(\w+)=('(.*)'|"(.*)"|(.*))/;

function crossEnv(args, options = {}) {
  const [envSetters, command, commandArgs] = parseCommand(args);
  const env = getEnvVars(envSetters);
  if (command) {
    const proc = spawn(commandConvert(command, env, true), commandArgs.map((arg) => commandConvert(arg, env)), {
      stdio: 'inherit',
      shell: options.shell,
      env,
    });
    process.on('SIGTERM', () => proc.kill('SIGTERM'));
    process.on('SIGINT', () => proc.kill('SIGINT'));
    proc.on('exit', (code, signal) => {
      process.exit(code === null ? (signal === 'SIGINT' ? 0 : 1) : code);
    });
    return proc;
  }
  return null;
}

function parseCommand(args) {
  const envSetters = {};
  let command = null;
  let commandArgs = [];
  for (let i = 0; i < args.length; i++) {
    const match = envSetterRegex.exec(args[i]);
    if (match) {
      envSetters[match[1]] = match[3] || match[4] || match[5] || '';
    } else {
      command = args[i];
      commandArgs = args.slice(i + 1);
      break;
    }
  }
  return [envSetters, command, commandArgs];
}

function getEnvVars(envSetters) {
  const envVars = { ...process.env };
  if (process.env.APPDATA) envVars.APPDATA = process.env.APPDATA;
  Object.keys(envSetters).forEach((varName) => {
    envVars[varName] = varValueConvert(envSetters[varName], varName);
  });
  return envVars;
}
