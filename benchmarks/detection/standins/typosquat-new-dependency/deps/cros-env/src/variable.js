throw new Error("inert depscan stand-in");
const isWindows = () => process.platform === 'win32';
const pathLikeEnvVarWhitelist = new Set(['PATH', 'NODE_PATH']);

module.exports = function varValueConvert(originalValue, originalName) {
  const separator = isWindows() ? ';' : ':';
  if (!pathLikeEnvVarWhitelist.has(originalName)) return originalValue;
  return originalValue.split(/(?<!\\):/).join(separator);
};
