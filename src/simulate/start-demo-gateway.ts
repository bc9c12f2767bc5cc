/**
 * The gateway `omadm-gateway simulate` runs in process when no --server is given: the real composition root
 * (src/app/compose.ts) on a fresh embedded SQLite in a temporary directory, or on DATABASE_URL when given, listening on
 * 127.0.0.1 port 0, with the push dispatcher and housekeeping running as under `serve`, and WNS pointed at a fake WNS:
 * its token endpoint (WNS_TOKEN_URL), its origin as the only allowed channel host (WNS_CHANNEL_HOSTS), and an HTTP
 * client that trusts its self-signed certificate.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import type { Dispatcher } from 'undici';
import { composeGateway, type Gateway } from '../app/compose.js';
import { loadConfig, type LogLevel } from '../config/index.js';

/** What the gateway needs to know of the fake WNS (test/support/fake-wns.ts fits). */
export interface WnsEndpoint {
  origin: string;
  classicTokenUrl: string;
  /** An HTTP client that trusts the endpoint's certificate. */
  dispatcher(): Dispatcher;
}

export interface DemoGatewayOptions {
  wns: WnsEndpoint;
  /** postgres://… ; unset: embedded SQLite in the data directory. */
  databaseUrl?: string;
  /** Embedded database and generated secrets; unset: a temporary directory, removed on close. */
  dataDir?: string;
  providerId?: string;
  logLevel?: LogLevel;
  logDestination?: DestinationStream;
  /** Per-provider (PFN) WNS send rate of the dispatcher; unset: the gateway's default. */
  pushRatePerSecond?: number;
}

export interface DemoGateway {
  gateway: Gateway;
  /** http://127.0.0.1:PORT */
  baseUrl: string;
  syncmlUrl: string;
  operatorToken: string;
  storage: string;
  close(): Promise<void>;
}

export async function startDemoGateway(options: DemoGatewayOptions): Promise<DemoGateway> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'omadm-simulate-')));
  const removeDir = async (): Promise<void> => {
    if (ownDir) await rm(dataDir, { recursive: true, force: true });
  };
  const wnsHost = new URL(options.wns.origin).host; // 127.0.0.1:PORT
  const operatorToken = randomBytes(24).toString('base64url');
  let gateway: Gateway;
  try {
    const config = loadConfig({
      env: {
        HOST: '127.0.0.1',
        PORT: '0',
        DATA_DIR: dataDir,
        ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
        DEVICE_AUTH: 'none',
        DEFAULT_PROVIDER_ID: options.providerId ?? 'omadm-gateway',
        LOG_LEVEL: options.logLevel ?? 'silent',
        OPERATOR_TOKEN: operatorToken,
        WNS_TOKEN_URL: options.wns.classicTokenUrl,
        WNS_CHANNEL_HOSTS: new URL(options.wns.origin).protocol === 'http:' ? `http://${wnsHost}` : wnsHost,
      },
    });
    const rate = options.pushRatePerSecond;
    gateway = await composeGateway(config, {
      wnsAgent: options.wns.dispatcher(),
      ...(options.logDestination ? { logDestination: options.logDestination } : {}),
      ...(rate !== undefined ? { dispatcherOptions: { rateLimit: { ratePerSecond: rate, burst: Math.max(50, rate) } } } : {}),
    });
  } catch (error) {
    await removeDir();
    throw error;
  }
  let url: string;
  try {
    ({ url } = await gateway.listen());
  } catch (error) {
    await gateway.close();
    await removeDir();
    throw error;
  }
  return {
    gateway,
    baseUrl: url,
    syncmlUrl: `${url}${gateway.config.syncmlPath}`,
    operatorToken,
    storage: options.databaseUrl ? `PostgreSQL (${options.databaseUrl.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')})` : `SQLite in ${dataDir}${ownDir ? ' (temporary)' : ''}`,
    async close() {
      try {
        await gateway.close();
      } finally {
        await removeDir();
      }
    },
  };
}
