import type { Command } from 'commander';
import { composeGateway } from '../../app/compose.js';
import { isLoopbackHost, loadConfig, type GatewayConfig, type OperatorTokenSource } from '../../config/index.js';
import type { CliIo } from '../cli-io.js';

/** `serve`: run the gateway until SIGINT/SIGTERM. Flags mirror the environment variables. */
export function registerServe(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description('run the gateway (SyncML endpoint, operator API, push dispatcher)')
    .option('--port <port>', 'TCP port (env PORT, default 8080)')
    .option('--host <host>', 'address to listen on (env HOST, default 127.0.0.1)')
    .option('--data-dir <dir>', 'embedded database and generated secrets (env DATA_DIR, default ./data)')
    .option('--database-url <url>', 'postgres://… to use PostgreSQL (env DATABASE_URL)')
    .option('--syncml-path <path>', 'SyncML endpoint path (env SYNCML_PATH, default /ManagementServer/MDM.svc)')
    .option('--public-url <url>', 'base URL devices use (env PUBLIC_URL)')
    .option('--default-provider-id <id>', 'ProviderID for devices without one (env DEFAULT_PROVIDER_ID)')
    .option('--device-auth <mode>', 'none | mtls | proxy-header | md5 (env DEVICE_AUTH, default none)')
    .option('--log-level <level>', 'fatal … trace, silent (env LOG_LEVEL, default info)')
    .action(async (flags: Record<string, unknown>) => {
      const config = loadConfig({ env: io.env, flags, cwd: io.cwd });
      const gateway = await composeGateway(config);
      const { url } = await gateway.listen();
      io.stderr.write(banner(config, url, gateway.operatorToken));
      const signal = await io.stopSignal();
      gateway.logger.info({ signal }, 'shutting down');
      await gateway.close();
    });
}

export function banner(config: GatewayConfig, url: string, token: OperatorTokenSource): string {
  const tokenLines =
    token.origin === 'generated'
      ? [
          `  operator token:  ${token.token}`,
          `                   (generated now and stored in ${token.path}, mode 0600; it is not printed again)`,
        ]
      : token.origin === 'file'
        ? [`  operator token:  in ${token.path}`]
        : ['  operator token:  from OPERATOR_TOKEN'];
  const tokenExpr = token.origin === 'env' ? '$OPERATOR_TOKEN' : `$(cat ${token.path})`;
  return [
    `omadm-gateway listening on ${url}`,
    `  SyncML endpoint: POST ${url}${config.syncmlPath}`,
    `  operator API:    ${url}/api/v1   (OpenAPI document: ${url}/api/v1/openapi.json)`,
    ...tokenLines,
    `  try:             curl -H "Authorization: Bearer ${tokenExpr}" ${url}/api/v1/devices`,
    `  storage:         ${config.databaseUrl ? `PostgreSQL (${redactUrl(config.databaseUrl)})` : `SQLite in ${config.dataDir}`}`,
    `  device auth:     ${config.deviceAuth}`,
    ...(config.deviceAuth === 'none' && !isLoopbackHost(config.host)
      ? [
          '',
          `  WARNING: DEVICE_AUTH=none while listening on ${config.host} (ALLOW_INSECURE_DEVICE_AUTH=1): anyone who can reach`,
          '  this address can act as any device. Use it only behind something that authenticates devices.',
        ]
      : []),
    '',
  ].join('\n');
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
