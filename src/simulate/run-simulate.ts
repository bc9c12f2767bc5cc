/**
 * `omadm-gateway simulate`: the wake loop of N simulated devices (test/support/simulator/wake-loop.ts) against a
 * gateway started here in process (the real composition root, a temporary database, WNS pointed at an in-process
 * fake WNS over HTTPS), or against a running gateway (--server) with the fake WNS listening on a fixed port over
 * plain HTTP on 127.0.0.1, where the gateway was told to send its pushes (see `gatewayEnvFor`).
 */
import type { ApiClient } from '../cli/api-client.js';
import type { LogLevel } from '../config/index.js';
import type { FakeWns } from '../../test/support/fake-wns.js';
import type { WakeLoopReport } from '../../test/support/simulator/index.js';
import type { SimulatorKit } from './load-simulator-kit.js';
import { createProgressPrinter } from './progress-printer.js';
import { startDemoGateway, type DemoGateway } from './start-demo-gateway.js';

export const DEFAULT_WNS_PORT = 9090;

export interface SimulateSettings {
  devices: number;
  concurrency: number;
  commands: string;
  providerId: string;
  json: boolean;
  progress: boolean;
  encoding: 'xml' | 'wbxml';
  wakeTimeoutMs?: number;
  /** A running gateway: its base URL and SyncML endpoint, and an API client with the operator token. */
  server?: { syncmlUrl: string; api: ApiClient; wnsPort: number };
  /** In process. */
  databaseUrl?: string;
  pushRatePerSecond?: number;
  logLevel?: LogLevel;
  wnsPort?: number;
}

export interface SimulateIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The operator API client for the in-process gateway. */
  connect(baseUrl: string, token: string): ApiClient;
}

/** The environment a separately started gateway needs so its pushes reach the fake WNS on `port`. */
export function gatewayEnvFor(port: number): Record<string, string> {
  return {
    WNS_TOKEN_URL: `http://127.0.0.1:${port}/accesstoken.srf`,
    WNS_CHANNEL_HOSTS: `http://127.0.0.1:${port}`,
  };
}

export class FakeWnsPortError extends Error {
  constructor(port: number, options?: { cause?: unknown }) {
    super(`cannot start the fake WNS on 127.0.0.1:${port} (${(options?.cause as Error | undefined)?.message ?? 'in use'}); choose another --wns-port and start the gateway with the environment \`simulate --print-env --wns-port P\` prints`, options);
    this.name = 'FakeWnsPortError';
  }
}

/** Runs the demo; returns the report (null exit details are in it: failures.count). */
export async function runSimulate(kit: SimulatorKit, s: SimulateSettings, io: SimulateIo): Promise<WakeLoopReport & { mode: string; gateway: string }> {
  const commands = kit.parseDemoCommands(s.commands);
  const progress = s.progress ? createProgressPrinter(io.stderr) : undefined;
  const fake = await startFake(kit, s);
  let demo: DemoGateway | null = null;
  try {
    let syncmlUrl: string;
    let api: ApiClient;
    let gateway: string;
    if (s.server) {
      ({ syncmlUrl, api } = s.server);
      gateway = `${api.baseUrl} (running; pushes go to the fake WNS at ${fake.origin})`;
    } else {
      demo = await startDemoGateway({
        wns: fake,
        providerId: s.providerId,
        ...(s.databaseUrl ? { databaseUrl: s.databaseUrl } : {}),
        ...(s.pushRatePerSecond !== undefined ? { pushRatePerSecond: s.pushRatePerSecond } : {}),
        logLevel: s.logLevel ?? 'silent',
        logDestination: { write: (line: string) => io.stderr(line) },
      });
      syncmlUrl = demo.syncmlUrl;
      api = io.connect(demo.baseUrl, demo.operatorToken);
      gateway = `${demo.baseUrl} (in process, ${demo.storage}; fake WNS at ${fake.origin})`;
    }
    if (s.progress) io.stderr(`gateway: ${gateway}\n`);
    const report = await kit.runWakeLoop({
      syncmlUrl,
      api,
      fake,
      devices: s.devices,
      concurrency: s.concurrency,
      commands,
      providerId: s.providerId,
      encoding: s.encoding,
      ...(s.wakeTimeoutMs !== undefined ? { wakeTimeoutMs: s.wakeTimeoutMs } : {}),
      ...(progress ? { progress } : {}),
    });
    return { mode: s.server ? 'server' : 'in-process', gateway, ...report };
  } finally {
    await demo?.close();
    await fake.close();
  }
}

async function startFake(kit: SimulatorKit, s: SimulateSettings): Promise<FakeWns> {
  if (!s.server) return kit.startFakeWns(s.wnsPort !== undefined ? { port: s.wnsPort } : {});
  try {
    return await kit.startFakeWns({ tls: false, port: s.server.wnsPort });
  } catch (cause) {
    throw new FakeWnsPortError(s.server.wnsPort, { cause });
  }
}
