import type { Command } from 'commander';
import { connect, type ApiClient } from './api-client.js';
import type { CliIo } from './cli-io.js';

export interface OperatorFlags {
  url?: string;
  token?: string;
  json?: boolean;
}

/** Adds the options every command that talks to a running gateway has: --url, --token, --json. */
export function withConnection(command: Command): Command {
  return command
    .option('--url <url>', 'gateway base URL (env OMADM_URL; default http://HOST:PORT, i.e. http://127.0.0.1:8080)')
    .option('--token <token>', 'operator token (env OMADM_TOKEN or OPERATOR_TOKEN; default: DATA_DIR/operator-token)')
    .option('--json', 'print the API response as JSON');
}

export function clientFor(flags: OperatorFlags, io: CliIo): ApiClient {
  return connect({ ...(flags.url ? { url: flags.url } : {}), ...(flags.token ? { token: flags.token } : {}) }, io);
}

/** Prints `value` as JSON (--json) or with the readable formatter. */
export function print(io: CliIo, flags: OperatorFlags, value: unknown, readable: () => string): void {
  io.stdout.write(flags.json ? `${JSON.stringify(value, null, 2)}\n` : readable());
}
