import type { Command } from 'commander';
import { isLoopbackHost, type LogLevel } from '../../config/index.js';
import { loadSimulatorKit, SimulatorKitMissingError } from '../../simulate/load-simulator-kit.js';
import { DEFAULT_WNS_PORT, FakeWnsPortError, gatewayEnvFor, runSimulate, type SimulateSettings } from '../../simulate/run-simulate.js';
import { connect } from '../api-client.js';
import { CliExit, type CliIo } from '../cli-io.js';

interface SimulateFlags {
  devices: string;
  server?: string;
  token?: string;
  syncmlPath?: string;
  wnsPort?: string;
  printEnv?: boolean;
  concurrency: string;
  commands: string;
  providerId?: string;
  databaseUrl?: string;
  pushRate?: string;
  wakeTimeout?: string;
  wbxml?: boolean;
  logLevel?: string;
  json?: boolean;
  progress: boolean;
}

const DEFAULT_SYNCML_PATH = '/ManagementServer/MDM.svc';

/**
 * `simulate --devices N [--server URL] …`: N simulated Windows devices check in, get push provisioned, get a queued
 * command, are woken through a fake WNS and answer in 1200 sessions; prints a summary (src/simulate/run-simulate.ts).
 */
export function registerSimulate(program: Command, io: CliIo): void {
  program
    .command('simulate')
    .description('simulate Windows devices through the whole wake loop (in-process gateway, or --server) and print a summary')
    .option('--devices <n>', 'number of simulated devices', '50')
    .option('--server <url>', 'a running gateway on this machine (e.g. http://127.0.0.1:8080) instead of one in process')
    .option('--token <token>', 'operator token for --server (env OMADM_TOKEN or OPERATOR_TOKEN; default: DATA_DIR/operator-token)')
    .option('--syncml-path <path>', `SyncML endpoint path of --server (env SYNCML_PATH, default ${DEFAULT_SYNCML_PATH})`)
    .option('--wns-port <port>', `port of the fake WNS on 127.0.0.1 (with --server: HTTP, default ${DEFAULT_WNS_PORT}; in process: HTTPS, any free port)`)
    .option('--print-env', 'print the environment a gateway needs to push to the fake WNS of `simulate --server`, and exit')
    .option('--concurrency <n>', 'device sessions at once', '16')
    .option('--commands <list|json>', 'commands queued per device: get, replace, exec, missing, atomic (comma list) or JSON command requests', 'get')
    .option('--provider-id <id>', 'DMClient ProviderID of the devices and the provider set up (env DEFAULT_PROVIDER_ID, default omadm-gateway)')
    .option('--database-url <url>', 'in process: postgres://… instead of a temporary SQLite (env DATABASE_URL)')
    .option('--push-rate <n>', 'in process: WNS sends per second per PFN (default: the gateway\'s, 20/s with a burst of 50)')
    .option('--wake-timeout <seconds>', 'how long to wait for the 1200 sessions (default 60 + 0.25 per device)')
    .option('--wbxml', 'devices speak WBXML instead of XML')
    .option('--log-level <level>', 'in process: gateway log level, logs go to stderr (default silent)')
    .option('--json', 'print the report as JSON on stdout')
    .option('--no-progress', 'no progress lines on stderr')
    .action(async (flags: SimulateFlags) => {
      const wnsPort = flags.wnsPort === undefined ? undefined : int(flags.wnsPort, '--wns-port', 1, 65535);
      if (flags.printEnv) {
        const env = gatewayEnvFor(wnsPort ?? DEFAULT_WNS_PORT);
        io.stdout.write(Object.entries(env).map(([k, v]) => `export ${k}=${v}\n`).join(''));
        return;
      }
      const settings = settingsFrom(flags, wnsPort, io);
      let kit;
      try {
        kit = await loadSimulatorKit();
      } catch (error) {
        if (error instanceof SimulatorKitMissingError) throw new CliExit(2, error.message);
        throw error;
      }
      if (settings.server) await settings.server.api.get('/api/v1/devices?limit=1'); // reachable, token accepted
      let report;
      try {
        report = await runSimulate(kit, settings, {
          stdout: (t) => void io.stdout.write(t),
          stderr: (t) => void io.stderr.write(t),
          connect: (url, token) => connect({ url, token }, io),
        });
      } catch (error) {
        if (error instanceof FakeWnsPortError || error instanceof kit.DemoCommandError) throw new CliExit(2, error.message);
        throw error;
      }
      io.stdout.write(settings.json ? `${JSON.stringify(report, null, 2)}\n` : `gateway:        ${report.gateway}\n${kit.formatWakeLoopReport(report)}`);
      if (report.failures.count > 0) throw new CliExit(1, `simulate: ${report.failures.count} failure(s)`);
    });
}

function settingsFrom(flags: SimulateFlags, wnsPort: number | undefined, io: CliIo): SimulateSettings {
  const env = (name: string): string | undefined => {
    const v = io.env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const settings: SimulateSettings = {
    devices: int(flags.devices, '--devices', 1, 100_000),
    concurrency: int(flags.concurrency, '--concurrency', 1, 1024),
    commands: flags.commands,
    providerId: flags.providerId ?? env('DEFAULT_PROVIDER_ID') ?? 'omadm-gateway',
    json: flags.json ?? false,
    progress: flags.progress,
    encoding: flags.wbxml ? 'wbxml' : 'xml',
    ...(flags.wakeTimeout !== undefined ? { wakeTimeoutMs: int(flags.wakeTimeout, '--wake-timeout', 1, 86_400) * 1000 } : {}),
  };
  if (flags.server !== undefined) {
    for (const [flag, value] of [['--database-url', flags.databaseUrl], ['--push-rate', flags.pushRate], ['--log-level', flags.logLevel]] as const) {
      if (value !== undefined) throw new CliExit(2, `${flag} applies to the in-process gateway; with --server configure the running gateway instead`);
    }
    let url: URL;
    try {
      url = new URL(flags.server);
    } catch {
      throw new CliExit(2, `--server ${flags.server} is not a URL (e.g. http://127.0.0.1:8080)`);
    }
    if (!isLoopbackHost(url.hostname)) throw new CliExit(2, `--server must be a gateway on this machine (127.0.0.1, ::1, localhost), not ${url.hostname}`);
    const path = url.pathname.replace(/\/+$/, '');
    const syncmlUrl = `${url.origin}${path !== '' ? path : (flags.syncmlPath ?? env('SYNCML_PATH') ?? DEFAULT_SYNCML_PATH)}`;
    const api = connect({ url: url.origin, ...(flags.token ? { token: flags.token } : {}) }, io);
    return { ...settings, server: { syncmlUrl, api, wnsPort: wnsPort ?? DEFAULT_WNS_PORT } };
  }
  const logLevel = flags.logLevel;
  if (logLevel !== undefined && !LOG_LEVELS.includes(logLevel as LogLevel)) throw new CliExit(2, `--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  const databaseUrl = flags.databaseUrl ?? env('DATABASE_URL');
  return {
    ...settings,
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(flags.pushRate !== undefined ? { pushRatePerSecond: int(flags.pushRate, '--push-rate', 1, 100_000) } : {}),
    ...(logLevel !== undefined ? { logLevel: logLevel as LogLevel } : {}),
    ...(wnsPort !== undefined ? { wnsPort } : {}),
  };
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function int(text: string, name: string, min: number, max: number): number {
  const n = /^\d{1,9}$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new CliExit(2, `${name} must be an integer from ${min} to ${max}`);
  return n;
}
