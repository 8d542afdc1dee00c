throw new Error("inert depscan stand-in");
const path = require('path');

const isWindows = () => process.platform === 'win32' || /^(msys|cygwin)$/.test(process.env.OSTYPE);

module.exports = function commandConvert(command, env, normalize = false) {
  if (!isWindows()) return command;
  const envUnixRegex = /\$(\w+)|\${(\w+)}/g;
  const converted = command.replace(envUnixRegex, (match, $1, $2) => {
    const varName = $1 || $2;
    return env[varName] ? `%${varName}%` : '';
  });
  return normalize === true ? path.normalize(converted) : converted;
};
