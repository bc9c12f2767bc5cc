/**
 * Scale: (1) check-in query times on PostgreSQL at 10,000 and 1,000,000 devices (quick: 100,000; two schemas, probed in
 * alternation so both see the same machine); (2) peak RSS of one gateway process while 1,000 sessions are in flight at
 * once (quick: 100; each device holds its session open after package 2 until all have one; HTTP requests capped at the
 * gateway's default SyncML concurrency of 128); (3) session rate of two gateway processes sharing one PostgreSQL against
 * one process, same total load. Every device is bulk-loaded (bench/lib/bulk-seed.ts), untimed.
 */
import { mkdtemp } from 'node:fs/promises';
import pg from 'pg';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rssOf, startChild, type BenchChild } from '../lib/child-process.js';
import { figureFromRuns, percentile } from '../lib/figure.js';
import { createSchema, probePostgres } from '../lib/postgres.js';
import type { SuiteContext } from '../lib/suite.js';
import type { GatewayProcessConfig, GatewayReady } from '../sessions/gateway-process.js';
import type { SeedTimings } from '../lib/bulk-seed.js';
import { BENCH_PFN, BENCH_PROVIDER, deviceId, seedSpec } from '../sessions/sessions-bench.js';
import { runWave, type WaveResult } from '../sessions/session-load.js';

type Gateway = BenchChild<GatewayReady>;

export async function runScaleBench(ctx: SuiteContext): Promise<void> {
  const { reporter, quick } = ctx;
  const cleanups: Array<() => Promise<void>> = [];
  const startGateway = async (extra: Partial<GatewayProcessConfig>): Promise<Gateway> => {
    const dataDir = await mkdtemp(join(tmpdir(), 'omadm-bench-scale-'));
    const child = await startChild<GatewayReady>(new URL('../sessions/gateway-process.ts', import.meta.url), {
      config: { dataDir, removeDataDir: true, providerId: BENCH_PROVIDER, pfn: BENCH_PFN, ...extra } satisfies GatewayProcessConfig,
    });
    cleanups.push(() => child.stop());
    return child;
  };
  const newSchema = async (prefix: string) => {
    const schema = await createSchema(ctx.databaseUrl, prefix);
    cleanups.push(() => schema.drop());
    return schema;
  };
  try {
    const pgProblem = await probePostgres(ctx.databaseUrl);
    if (pgProblem) reporter.note(`PostgreSQL unreachable (${pgProblem}): query times and the two-process test are skipped`);
    const t0 = performance.now();
    // Every gateway of the suite starts side by side (a gateway's start-up is seconds of CPU). The query-time gateways
    // run without the dispatcher and housekeeping, so the probes are the only load on their schemas. The PostgreSQL
    // memory gateway is also process A of the two-process test; process B joins its schema once A has migrated it.
    const sizes = [10_000, quick ? 100_000 : 1_000_000] as const;
    const querySchemas = pgProblem ? [] : await Promise.all(sizes.map((n) => newSchema(`bench_scale_${n}`)));
    const sharedSchema = pgProblem ? null : await newSchema('bench_rss_two');
    const pgMemory = sharedSchema ? startGateway({ databaseUrl: sharedSchema.url }) : null;
    const starting = {
      query: Promise.all(querySchemas.map((schema) => startGateway({ databaseUrl: schema.url, background: false }))),
      sqlite: startGateway({}),
      pg: pgMemory,
      pgSecond: pgMemory && sharedSchema ? pgMemory.then(() => startGateway({ databaseUrl: sharedSchema.url })) : null,
    };
    const settled = await Promise.allSettled([starting.query, starting.sqlite, starting.pg, starting.pgSecond]);
    const failedStart = settled.find((r) => r.status === 'rejected');
    if (failedStart) throw (failedStart as PromiseRejectedResult).reason;
    const phase = (label: string, since: number) => reporter.note(`${label} took ${((performance.now() - since) / 1000).toFixed(1)} s`);
    phase('starting the gateways', t0);

    let t = performance.now();
    if (querySchemas.length === 2) {
      await queryTimes(ctx, sizes, await starting.query, querySchemas);
      phase('query times (bulk load included)', t);
    }
    t = performance.now();
    const memoryGateways: Array<{ label: string; g: Gateway }> = [{ label: 'sqlite', g: await starting.sqlite }];
    if (starting.pg) memoryGateways.push({ label: 'postgres', g: await starting.pg });
    await inFlightMemory(ctx, memoryGateways);
    phase('memory with sessions in flight', t);
    t = performance.now();
    if (starting.pg && starting.pgSecond) {
      await twoProcesses(ctx, await starting.pg, await starting.pgSecond);
      phase('two processes', t);
    }
  } finally {
    for (const c of cleanups.reverse()) await c().catch((e: unknown) => reporter.note(`cleanup failed: ${String(e)}`));
  }
}

/** Sequential and index scans per table so far (PostgreSQL's cumulative statistics). */
async function scanCounts(url: string, schema: string): Promise<Record<string, { seq: number; idx: number }>> {
  await new Promise((r) => setTimeout(r, 1_500)); // statistics are flushed about once a second
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ relname: string; seq_scan: string; idx_scan: string | null }>(
      'SELECT relname, seq_scan, idx_scan FROM pg_stat_user_tables WHERE schemaname = $1',
      [schema],
    );
    return Object.fromEntries(rows.map((r) => [r.relname, { seq: Number(r.seq_scan), idx: Number(r.idx_scan ?? 0) }]));
  } finally {
    await client.end();
  }
}

async function queryTimes(ctx: SuiteContext, sizes: readonly [number, number], gateways: Gateway[], schemas: Array<{ url: string; name: string }>): Promise<void> {
  const { reporter, quick } = ctx;
  const [small, large] = sizes;
  const samples = quick ? 100 : 1_000;
  const rounds = ctx.rounds ?? (quick ? 2 : 3);
  for (const [i, n] of sizes.entries()) {
    const { ms, timings } = await gateways[i]!.request<{ ms: number; timings: SeedTimings }>(
      'bulkSeed',
      { prefix: 'S', from: 0, count: n, providerId: BENCH_PROVIDER, channelBase: 'https://db5p.notify.windows.com/?token=', at: Date.now() - 86_400_000, commandEvery: 10 },
      3_600_000,
    );
    reporter.note(
      `PostgreSQL: ${n.toLocaleString('en-US')} devices, as many channels and sessions, ${(n / 10).toLocaleString('en-US')} queued commands bulk-loaded in ${(ms / 1000).toFixed(1)} s ` +
        `(${timings.mode}: inserts ${(timings.insertMs / 1000).toFixed(1)} s, keys/indexes/foreign keys ${(timings.indexMs / 1000).toFixed(1)} s, VACUUM ANALYZE ${(timings.vacuumMs / 1000).toFixed(1)} s; schema checked identical)`,
    );
  }
  const runs: Array<Record<'load' | 'channel', number[][]>> = sizes.map(() => ({ load: [], channel: [] }));
  const scansBefore = await scanCounts(ctx.databaseUrl, schemas[1]!.name);
  for (let r = 0; r < rounds; r += 1) {
    for (const [i, g] of gateways.entries()) {
      const out = await g.request<{ load: number[]; channel: number[] }>('probeQueries', { prefix: 'S', count: sizes[i], samples, pendingLimit: 100 });
      runs[i]!.load.push(out.load);
      runs[i]!.channel.push(out.channel);
    }
  }
  const scansAfter = await scanCounts(ctx.databaseUrl, schemas[1]!.name);
  const delta = (t: string) => ({ seq: (scansAfter[t]?.seq ?? 0) - (scansBefore[t]?.seq ?? 0), idx: (scansAfter[t]?.idx ?? 0) - (scansBefore[t]?.idx ?? 0) });
  reporter.note(
    `at ${large.toLocaleString('en-US')} devices, ${rounds * samples} probes: sequential/index scans ` +
      ['devices', 'sessions', 'commands', 'channels', 'providers'].map((t) => `${t} ${delta(t).seq}/${delta(t).idx}`).join(', ') +
      ' (providers is a one-row table)',
  );
  for (const [kind, label] of [
    ['load', 'check-in load (device+session+provider, pending-command probe)'],
    ['channel', 'channel lookup'],
  ] as const) {
    for (const p of [50, 99]) {
      reporter.figure(
        figureFromRuns(
          { name: `scale.postgres.${kind === 'load' ? 'checkin-load' : 'channel-lookup'}.p${p}.at-${large}`, unit: 'ms', baseline: `same at ${small}`, target: { ratioAtMost: 1.5 }, note: label },
          runs[1]![kind].map((xs, i) => ({ value: percentile(xs, p), baselineValue: percentile(runs[0]![kind][i]!, p) })),
        ),
      );
    }
  }
}

async function inFlightMemory(ctx: SuiteContext, backends: Array<{ label: string; g: Gateway }>): Promise<void> {
  const { reporter, quick } = ctx;
  const inFlight = quick ? 100 : 1_000;
  const warmCount = 50;
  for (const { label, g } of backends) {
    // Devices 0…49 warm the process first (so the idle figure is a running gateway, not a cold one); the rest are in flight.
    await g.request('bulkSeed', seedSpec('RSS00000', warmCount + inFlight), 600_000);
    const warm = Array.from({ length: warmCount }, (_, i) => deviceId('RSS00000', i));
    const ids = Array.from({ length: inFlight }, (_, i) => deviceId('RSS00000', warmCount + i));
    await runWave({ syncmlUrl: g.ready.syncmlUrl, deviceIds: warm, sessionId: '2', concurrency: 10 });
    const idle = (await rssOf(g.pid)).rss;
    let peak = idle;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, (await rssOf(g.pid)).rss);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    // Every device sends package 1 and holds its session open until all 1,000 have package 2 (1,000 sessions in flight),
    // then all send package 3. HTTP requests in flight stay at the gateway's default SyncML concurrency cap (128).
    let atBarrier = Number.NaN;
    const wave = await runWave({
      syncmlUrl: g.ready.syncmlUrl,
      deviceIds: ids,
      sessionId: '2',
      concurrency: inFlight,
      maxRequests: 128,
      barrier: true,
      onBarrier: async () => {
        atBarrier = (await rssOf(g.pid)).rss;
      },
    });
    sampling = false;
    await sampler;
    const hwm = (await rssOf(g.pid)).hwm;
    reporter.note(
      `${label}: ${wave.sessions} of ${inFlight} sessions completed (${wave.failures} failed${wave.firstError ? `: ${wave.firstError}` : ''}) in ${(wave.wallMs / 1000).toFixed(1)} s; ` +
        `p99 ${percentile(wave.latencies, 99).toFixed(0)} ms; RSS idle ${mb(idle)} MB, with all ${inFlight} sessions open ${mb(atBarrier)} MB, ` +
        `peak sampled ${mb(peak)} MB, high-water mark ${mb(hwm)} MB`,
    );
    reporter.figure(
      figureFromRuns(
        { name: `scale.${label}.rss-${inFlight}-in-flight`, unit: 'MB', baseline: 'same process idle', target: { valueAtMost: 250 } },
        [{ value: Math.max(peak, hwm) / 1e6, baselineValue: idle / 1e6 }],
      ),
    );
  }
}

/** `a` and `b` are two gateway processes on the same schema; `a` alone is the baseline. */
async function twoProcesses(ctx: SuiteContext, a: Gateway, b: Gateway): Promise<void> {
  const { reporter, quick } = ctx;
  const concurrency = 64;
  const perRun = quick ? 64 : 512;
  const warmRun = quick ? 32 : 256;
  const rounds = ctx.rounds ?? (quick ? 1 : 3);
  const total = warmRun + rounds * 2 * perRun;
  const ids = Array.from({ length: total }, (_, i) => deviceId('TWO00000', i));
  const { ms } = await a.request<{ ms: number }>('bulkSeed', seedSpec('TWO00000', total), 600_000);
  reporter.note(`two processes: seeded ${total} devices in ${(ms / 1000).toFixed(1)} s (untimed)`);
  let next = 0;
  const take = (n: number) => {
    const out = ids.slice(next, next + n);
    next += n;
    return out;
  };
  const one = () => runWave({ syncmlUrl: a.ready.syncmlUrl, deviceIds: take(perRun), sessionId: '2', concurrency });
  const two = async (n = perRun): Promise<WaveResult> => {
    const batch = take(n);
    const t0 = performance.now();
    const [x, y] = await Promise.all([
      runWave({ syncmlUrl: a.ready.syncmlUrl, deviceIds: batch.filter((_, i) => i % 2 === 0), sessionId: '2', concurrency: concurrency / 2 }),
      runWave({ syncmlUrl: b.ready.syncmlUrl, deviceIds: batch.filter((_, i) => i % 2 === 1), sessionId: '2', concurrency: concurrency / 2 }),
    ]);
    const wallMs = performance.now() - t0;
    const sessions = x.sessions + y.sessions;
    return { ...x, sessions, messages: x.messages + y.messages, wallMs, sessionsPerSecond: (sessions * 1000) / wallMs, messagesPerSecond: ((x.messages + y.messages) * 1000) / wallMs, failures: x.failures + y.failures, latencies: [...x.latencies, ...y.latencies], timeline: [...x.timeline, ...y.timeline], rampExcluded: x.rampExcluded + y.rampExcluded };
  };
  const warm = await two(warmRun); // warms both processes (and their pools)
  if (warm.failures > 0) reporter.note(`two processes: warm-up failures ${warm.failures}: ${warm.firstError}`);
  const pairs: Array<{ value: number; baselineValue: number }> = [];
  for (let r = 0; r < rounds; r += 1) {
    const single = await one();
    const double = await two();
    reporter.note(`round ${r + 1}: one process ${single.sessionsPerSecond.toFixed(1)} sessions/s, two processes ${double.sessionsPerSecond.toFixed(1)} sessions/s (failures ${single.failures}/${double.failures})`);
    pairs.push({ value: double.sessionsPerSecond, baselineValue: single.sessionsPerSecond });
  }
  reporter.figure(figureFromRuns({ name: `scale.postgres.two-processes.c${concurrency}`, unit: 'sessions/s', baseline: 'one process', target: { ratioAtLeast: 1.6 } }, pairs));
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(0);
}
