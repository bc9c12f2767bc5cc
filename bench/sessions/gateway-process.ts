/**
 * Bench child: one real gateway (src/app/compose.ts, the same composition root `omadm-gateway serve` uses) on
 * 127.0.0.1, port 0, logs silent, DEVICE_AUTH=none. The parent seeds it (through the store, untimed) and then drives
 * devices at it over HTTP from another process.
 *
 * Ops: seed {ids, command} → known devices (first contact already recorded, no PFN yet) with one queued command each;
 * enqueue {ids, command}; check {ids} → what the store holds for them; memory → process.memoryUsage();
 * profileStart / profileStop {file} → a .cpuprofile of the window and its summary.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { composeGateway } from '../../src/app/compose.js';
import { loadConfig } from '../../src/config/index.js';
import type { DispatcherOptions } from '../../src/push/dispatcher.js';
import { createWnsAgent } from '../../src/push/wns-agent.js';
import type { CommandSpec } from '../../src/session/ports.js';
import { createDataSource } from '../../src/store/index.js';
import { bulkSeed, seededDeviceId, verifySeed, type SeedSpec, type SeedTimings } from '../lib/bulk-seed.js';
import { childConfig, failStart, serveRequests } from '../lib/child-process.js';
import { startCpuProfile, stopCpuProfile, summarizeProfile } from '../lib/cpu-profile.js';

export interface GatewayProcessConfig {
  databaseUrl?: string;
  dataDir: string;
  providerId: string;
  pfn: string;
  /** Remove dataDir when stopping (SQLite). */
  removeDataDir?: boolean;
  /** Run the push dispatcher loop and housekeeping (default true, as in production). */
  background?: boolean;
  /** Push benchmark: the fake WNS (its certificate, token URL) and the channel hosts policy. */
  wns?: { ca: string; tokenUrl: string; channelHosts: string; connectionsPerOrigin?: number };
  dispatcher?: DispatcherOptions;
  /** More configuration environment (e.g. MAX_CONCURRENT_SYNCML for the in-flight memory test). */
  env?: Record<string, string>;
  /**
   * What-if only (`--what-if`): replace the store's `PRAGMA synchronous = FULL` with this value, to quantify what the
   * fsync on every commit costs. Never the default; the product setting is the store's.
   */
  sqliteSynchronous?: 'NORMAL';
  /**
   * What-if only: yield to the event loop (setImmediate) before every SQLite statement, to show what long event-loop
   * turns cost (the store's SQLite queue otherwise runs its whole backlog of synchronous statements in one microtask chain).
   */
  sqliteYield?: boolean;
}

export interface GatewayReady {
  url: string;
  syncmlUrl: string;
  pid: number;
  operatorToken: string;
}

const cfg = childConfig<GatewayProcessConfig>();

// SQL statements issued, counted at the drivers (bench-only instrumentation: one increment per statement).
let statements = 0;
const traceSql = process.env.BENCH_TRACE_SQL === '1';
{
  const { default: pg } = await import('pg');
  const query = pg.Client.prototype.query as (...a: unknown[]) => unknown;
  pg.Client.prototype.query = function counted(this: unknown, ...a: unknown[]) {
    statements += 1;
    if (traceSql) process.stderr.write(`SQL ${String((a[0] as { text?: string })?.text ?? a[0]).replace(/\s+/g, ' ').slice(0, 110)}\n`);
    return query.apply(this, a);
  } as typeof pg.Client.prototype.query;
  const { default: Database } = await import('better-sqlite3');
  const prepare = Database.prototype.prepare as (...a: unknown[]) => object;
  let patched = false;
  Database.prototype.prepare = function counting(this: unknown, ...a: unknown[]) {
    const stmt = prepare.apply(this, a);
    if (!patched) {
      patched = true;
      const proto = Object.getPrototypeOf(stmt) as Record<string, (...x: unknown[]) => unknown>;
      for (const m of ['run', 'all', 'get']) {
        const original = proto[m]!;
        proto[m] = function counted(this: { source?: string }, ...x: unknown[]) {
          statements += 1;
          if (traceSql) process.stderr.write(`SQL ${String(this.source).replace(/\s+/g, ' ').slice(0, 110)}\n`);
          return original.apply(this, x);
        };
      }
    }
    return stmt;
  } as typeof Database.prototype.prepare;
  if (cfg.sqliteYield) {
    const { createRequire } = await import('node:module');
    const runnerModule = createRequire(import.meta.url)('typeorm/driver/better-sqlite3/BetterSqlite3QueryRunner.js') as {
      BetterSqlite3QueryRunner: { prototype: { query: (...a: unknown[]) => Promise<unknown> } };
    };
    const proto = runnerModule.BetterSqlite3QueryRunner.prototype;
    const query = proto.query;
    proto.query = async function yielding(this: unknown, ...a: unknown[]) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      return query.apply(this, a);
    };
  }
  if (cfg.sqliteSynchronous) {
    const pragma = Database.prototype.pragma as (source: string, options?: unknown) => unknown;
    Database.prototype.pragma = function whatIf(this: unknown, source: string, options?: unknown) {
      const changed = /^\s*synchronous\s*=/i.test(source) ? `synchronous = ${cfg.sqliteSynchronous}` : source;
      return pragma.call(this, changed, options);
    } as typeof Database.prototype.pragma;
  }
}

try {
  const operatorToken = randomBytes(24).toString('base64url');
  const config = loadConfig({
    env: {
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: cfg.dataDir,
      ...(cfg.databaseUrl ? { DATABASE_URL: cfg.databaseUrl } : {}),
      DEFAULT_PROVIDER_ID: cfg.providerId,
      DEVICE_AUTH: 'none',
      LOG_LEVEL: 'silent',
      OPERATOR_TOKEN: operatorToken,
      SECRET_KEY: randomBytes(32).toString('base64'),
      ...(cfg.wns ? { WNS_TOKEN_URL: cfg.wns.tokenUrl, WNS_CHANNEL_HOSTS: cfg.wns.channelHosts } : {}),
      ...cfg.env,
    },
  });
  const wnsAgent = cfg.wns ? createWnsAgent({ ca: cfg.wns.ca, connectionsPerOrigin: cfg.wns.connectionsPerOrigin ?? 16 }) : undefined;
  const gateway = await composeGateway(config, {
    background: cfg.background ?? true,
    ...(wnsAgent ? { wnsAgent } : {}),
    ...(cfg.dispatcher ? { dispatcherOptions: cfg.dispatcher } : {}),
  });
  const store = gateway.store;
  await store.putProvider(cfg.providerId, { pfn: cfg.pfn, wns: { clientId: 'ms-app://s-1-15-2-bench', clientSecret: 'bench-secret' } });
  const { url, server } = await gateway.listen();
  // Diagnostics (BENCH_DIAG=1): when the HTTP server accepted each connection and saw each request.
  const accepted: number[] = [];
  const requests: number[] = [];
  if (process.env.BENCH_DIAG === '1') {
    server.on('connection', () => accepted.push(Date.now()));
    server.on('request', () => requests.push(Date.now()));
  }

  const wakeCounts = async (): Promise<Record<string, number>> => {
    const metric = gateway.metrics.registry.getSingleMetric('omadm_wakes_total');
    const out: Record<string, number> = {};
    for (const v of (await metric?.get())?.values ?? []) out[String(v.labels['event'])] = v.value;
    return out;
  };

  const inParallel = async <T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(limit, items.length) }, async () => {
        while (next < items.length) await work(items[next++] as T);
      }),
    );
  };
  const parallelism = cfg.databaseUrl ? 8 : 1;

  serveRequests(
    { url, syncmlUrl: `${url}${config.syncmlPath}`, pid: process.pid, operatorToken } satisfies GatewayReady,
    {
      async seed(args: { ids: string[]; command: CommandSpec }) {
        const t0 = performance.now();
        const at = new Date(Date.now() - 3_600_000);
        await inParallel(args.ids, parallelism, async (deviceId) => {
          await store.commitExchange({
            session: { deviceId, sessionId: '1', trigger: '1201', startedAt: at.toISOString(), updatedAt: at.toISOString(), ended: true, version: 0, data: {} },
            expectedVersion: null,
            effects: [{ type: 'device.seen', deviceId, at, devInfo: { DevId: deviceId, Man: 'Bench', Mod: 'Lean', DmV: '1.3', Lang: 'en-US' } }],
          });
          await store.enqueueCommand(deviceId, args.command);
        });
        return { ms: performance.now() - t0 };
      },
      async enqueue(args: { ids: string[]; command: CommandSpec }) {
        const t0 = performance.now();
        await inParallel(args.ids, parallelism, async (deviceId) => {
          await store.enqueueCommand(deviceId, args.command);
        });
        return { ms: performance.now() - t0 };
      },
      async check(args: { ids: string[] }) {
        const out = { devices: 0, pfnProvisioned: 0, withChannel: 0, pushStatusZero: 0, commandsDone: 0, commandsOther: 0 };
        for (const id of args.ids) {
          const device = await store.getDevice(id);
          if (!device) continue;
          out.devices += 1;
          if (device.provisionedPfn === cfg.pfn) out.pfnProvisioned += 1;
          if (device.push.status === 0) out.pushStatusZero += 1;
          if (await store.activeChannel(id, new Date())) out.withChannel += 1;
          for (const c of (await store.listCommands(id)).items) {
            if (c.state === 'done') out.commandsDone += 1;
            else out.commandsOther += 1;
          }
        }
        return out;
      },
      memory: () => process.memoryUsage(),
      statements: () => statements,
      diag: () => ({ accepted: accepted.splice(0), requests: requests.splice(0) }),
      async putProvider(args: { providerId: string; pfn: string; clientId: string; clientSecret: string }) {
        await store.putProvider(args.providerId, { pfn: args.pfn, wns: { clientId: args.clientId, clientSecret: args.clientSecret } });
        return true;
      },
      /** Devices with active channels, written in bulk through a second connection (bench/lib/bulk-seed.ts). */
      async bulkSeed(spec: SeedSpec) {
        const t0 = performance.now();
        const ds = await createDataSource({ ...(cfg.databaseUrl ? { databaseUrl: cfg.databaseUrl } : {}), dataDir: cfg.dataDir, migrate: false, poolSize: 2 });
        let timings: SeedTimings;
        try {
          timings = await bulkSeed(ds, spec);
        } finally {
          await ds.destroy();
        }
        await verifySeed(store, spec, new Date());
        return { ms: performance.now() - t0, timings };
      },
      /**
       * The check-in reads, one at a time on random seeded devices: loadForMessage (device, session, provider and the
       * pending-command probe — what every SyncML message starts with) and activeChannel (the channel lookup push makes).
       */
      async probeQueries(args: { prefix: string; count: number; samples: number; pendingLimit: number }) {
        const load: number[] = [];
        const channel: number[] = [];
        let pendingSeen = 0;
        for (let k = 0; k < args.samples; k += 1) {
          const id = seededDeviceId(args.prefix, Math.floor(Math.random() * args.count));
          const t0 = performance.now();
          const l = await store.loadForMessage(id, '7', args.pendingLimit);
          const t1 = performance.now();
          const c = await store.activeChannel(id, new Date());
          const t2 = performance.now();
          if (!l.device || !c) throw new Error(`probe: device ${id} not found with a channel`);
          pendingSeen += l.pending.length;
          load.push(t1 - t0);
          channel.push(t2 - t1);
        }
        return { load, channel, pendingSeen };
      },
      wakeCounts: () => wakeCounts(),
      /**
       * Resolves once at least `settled` wakes settled (sent, failed or expired) since `since` (a wakeCounts result);
       * at the deadline it fails, or with `partial` resolves with what settled so far (complete: false).
       */
      async waitSettled(args: { settled: number; since: Record<string, number>; timeoutMs: number; partial?: boolean }) {
        const deadline = Date.now() + args.timeoutMs;
        for (;;) {
          const now = await wakeCounts();
          const delta = (k: string) => (now[k] ?? 0) - (args.since[k] ?? 0);
          const settled = delta('settled-sent') + delta('settled-failed') + delta('settled-expired');
          if (settled >= args.settled) return { counts: now, at: Date.now(), settled, complete: true };
          if (Date.now() > deadline) {
            if (args.partial) return { counts: now, at: Date.now(), settled, complete: false };
            throw new Error(`only ${settled} of ${args.settled} wakes settled in time`);
          }
          await new Promise((r) => setTimeout(r, 20));
        }
      },
      profileStart: () => startCpuProfile(),
      async profileStop(args: { file: string }) {
        await stopCpuProfile(args.file);
        return summarizeProfile(JSON.parse(await readFile(args.file, 'utf8')));
      },
    },
    async () => {
      await gateway.close();
      await wnsAgent?.close();
      if (cfg.removeDataDir) await rm(cfg.dataDir, { recursive: true, force: true });
    },
  );
} catch (error) {
  failStart(error);
}
