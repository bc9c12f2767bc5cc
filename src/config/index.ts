export type { GatewayConfig, DeviceAuthMode, LogLevel } from './gateway-config.js';
export { ConfigError } from './config-error.js';
export { loadConfig, configFlags, type ConfigInputs } from './load-config.js';
export { ensureOperatorToken, OPERATOR_TOKEN_FILE, type OperatorTokenSource } from './operator-token.js';
export { ensureSecretKey, SECRET_KEY_FILE } from './secret-key.js';
export { isLoopbackHost } from './is-loopback-host.js';
export { schemasDir } from './schemas-dir.js';
