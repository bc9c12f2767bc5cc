/**
 * Full check-in sessions over loopback HTTP: N concurrent lean devices, each session package 1 → 2 → 3 → 4 with the
 * DMClient push plan (PFN Replace, Get ChannelURI, Get Push/Status), one queued command, and everything persisted by
 * the real gateway (child process) on SQLite and on PostgreSQL (fresh schema). Baseline in the same run: a bare Express
 * server (child process) that parses the same request bodies with fast-xml-parser and answers fixed replies recorded
 * from the gateway. The load generator runs in this process, apart from both servers' event loops.
 *
 * Every timed session is a device's first session since it was seeded (known device, no PFN yet, one command queued),
 * so each session does the whole plan. Rounds interleave baseline → SQLite → PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandSpec } from '../../src/session/ports.js';
import { guidDeviceId, type SeedSpec } from '../lib/bulk-seed.js';
import { cpuMsOf, startChild, type BenchChild } from '../lib/child-process.js';
import { figureFromRuns, percentile } from '../lib/figure.js';
import { createSchema, probePostgres, type BenchSchema } from '../lib/postgres.js';
import type { SuiteContext } from '../lib/suite.js';
import type { ProfileSummary } from '../lib/cpu-profile.js';
import type { GatewayProcessConfig, GatewayReady } from './gateway-process.js';
import { runWave, type WaveResult } from './session-load.js';

export const BENCH_PROVIDER = 'omadm-gateway';
export const BENCH_PFN = 'Contoso.OMADMBench_8wekyb3d8bbwe';
export const QUEUED_COMMAND: CommandSpec = { verb: 'Get', target: './DevDetail/SwV' };
const SYNCML_PATH = '/ManagementServer/MDM.svc';

interface Target {
  label: 'sqlite' | 'postgres' | 'sqlite-normal' | 'sqlite-yield';
  child: BenchChild<GatewayReady>;
  schema: BenchSchema | null;
  nextId: number;
  prefix: string;
  results: Measured[];
}

/** A wave plus the CPU time the server process and this load generator spent on it. */
interface Measured extends WaveResult {
  serverCpuMs: number;
  loadCpuMs: number;
  /** SQL statements the gateway issued during the wave (NaN for the baseline). */
  statements: number;
}

export async function runSessionsBench(ctx: SuiteContext): Promise<void> {
  const { reporter, quick } = ctx;
  const concurrency = 64;
  const perRound = quick ? concurrency * 2 : concurrency * 8;
  const warm = quick ? concurrency : concurrency * 2;
  const rounds = ctx.rounds ?? (quick ? 1 : 3);
  const seeded = warm + rounds * perRound;
  const cleanups: Array<() => Promise<void>> = [];
  try {
    // Every server starts side by side; each registers its cleanup as soon as it is up.
    const starting: Array<Promise<Target>> = [];
    const launch = (label: Target['label'], config: GatewayProcessConfig, schema: BenchSchema | null) => {
      starting.push(
        startTarget(label, config, schema).then((t) => {
          cleanups.push(() => t.child.stop());
          return t;
        }),
      );
    };
    const baselineStart = startChild<{ syncmlUrl: string; pid: number }>(new URL('./baseline-server.ts', import.meta.url), { config: { path: SYNCML_PATH } }).then((b) => {
      cleanups.push(() => b.stop());
      return b;
    });
    launch('sqlite', { dataDir: await mkdtemp(join(tmpdir(), 'omadm-bench-')), removeDataDir: true, providerId: BENCH_PROVIDER, pfn: BENCH_PFN }, null);
    if (ctx.whatIf) {
      const dir = await mkdtemp(join(tmpdir(), 'omadm-bench-normal-'));
      launch('sqlite-normal', { dataDir: dir, removeDataDir: true, providerId: BENCH_PROVIDER, pfn: BENCH_PFN, sqliteSynchronous: 'NORMAL' }, null);
      const dir2 = await mkdtemp(join(tmpdir(), 'omadm-bench-yield-'));
      launch('sqlite-yield', { dataDir: dir2, removeDataDir: true, providerId: BENCH_PROVIDER, pfn: BENCH_PFN, sqliteYield: true }, null);
    }
    const pgProblem = await probePostgres(ctx.databaseUrl);
    if (pgProblem) reporter.note(`PostgreSQL skipped: unreachable at ${redact(ctx.databaseUrl)} (${pgProblem})`);
    else {
      const schema = await createSchema(ctx.databaseUrl, 'bench_sessions');
      cleanups.push(() => schema.drop());
      const pgDir = await mkdtemp(join(tmpdir(), 'omadm-bench-pg-'));
      launch('postgres', { databaseUrl: schema.url, dataDir: pgDir, removeDataDir: true, providerId: BENCH_PROVIDER, pfn: BENCH_PFN }, schema);
    }
    const settled = await Promise.allSettled([baselineStart, ...starting]);
    const failedStart = settled.find((r) => r.status === 'rejected');
    if (failedStart) throw (failedStart as PromiseRejectedResult).reason;
    const baseline = await baselineStart;
    const targets = await Promise.all(starting);

    for (const t of targets) {
      const { ms } = await t.child.request<{ ms: number }>('bulkSeed', seedSpec(t.prefix, seeded));
      reporter.note(`${t.label}: seeded ${seeded} devices with one queued command each in ${(ms / 1000).toFixed(1)} s (untimed)`);
    }

    // Warm-up (JIT, connection pools) on every side; the first gateway session also records the baseline's replies.
    const first = await wave(targets[0]!, warm, concurrency, true);
    if (first.failures > 0 || !first.firstReplies || first.firstReplies.length < 2) {
      throw new Error(`warm-up sessions failed (${first.failures}): ${first.firstError ?? 'no replies recorded'}`);
    }
    reporter.note(`gateway session: ${first.messages / first.sessions} device messages per session; replies ${first.firstReplies.map((r) => `${r.length} B`).join(', ')}`);
    await baseline.request('setReplies', { first: first.firstReplies[0], later: first.firstReplies[first.firstReplies.length - 1] });
    for (const t of targets.slice(1)) await wave(t, warm, concurrency, false);
    let baselineCounter = 0;
    const baselineWave = (n: number) =>
      measured(
        null,
        () =>
          runWave({
            syncmlUrl: baseline.ready.syncmlUrl,
            deviceIds: Array.from({ length: n }, () => deviceId('BASE', baselineCounter++)),
            sessionId: '2',
            concurrency,
          }),
        baseline.pid,
      );
    await baselineWave(warm);

    const baselineResults: Measured[] = [];
    const profiles: Array<{ label: string; summary: ProfileSummary; file: string }> = [];
    for (let r = 0; r < rounds; r += 1) {
      baselineResults.push(check('baseline', await baselineWave(perRound)));
      for (const t of targets) {
        const profiling = ctx.profileDir !== null && r === rounds - 1;
        if (profiling) await t.child.request('profileStart');
        t.results.push(check(t.label, await wave(t, perRound, concurrency, false)));
        if (profiling && ctx.profileDir) {
          await mkdir(ctx.profileDir, { recursive: true });
          const file = join(ctx.profileDir, `sessions-${t.label}.cpuprofile`);
          profiles.push({ label: t.label, file, summary: await t.child.request<ProfileSummary>('profileStop', { file }) });
        }
      }
    }

    const baseMem = await baseline.request<NodeJS.MemoryUsage>('memory');
    reporter.note(`baseline server RSS after the run ${(baseMem.rss / 2 ** 20).toFixed(0)} MiB (same tsx loader as the gateway)`);
    for (const t of targets) {
      const sample = Array.from({ length: 20 }, (_, i) => deviceId(t.prefix, warm + i * Math.floor((seeded - warm) / 20)));
      const held = await t.child.request<Record<string, number>>('check', { ids: sample });
      const ok = held.devices === 20 && held.pfnProvisioned === 20 && held.withChannel === 20 && held.commandsDone === 20 && held.pushStatusZero === 20;
      reporter.note(`${t.label}: stored state of 20 sampled devices ${ok ? 'as expected' : 'NOT as expected'}: ${JSON.stringify(held)}`);
      const mem = await t.child.request<NodeJS.MemoryUsage>('memory');
      reporter.note(`${t.label}: gateway RSS after the run ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB`);
    }

    const target: Record<Target['label'], number | null> = { sqlite: 0.4, postgres: 0.25, 'sqlite-normal': null, 'sqlite-yield': null };
    for (const t of targets) {
      const pairs = (f: (w: Measured) => number) => t.results.map((w, i) => ({ value: f(w), baselineValue: f(baselineResults[i]!) }));
      const name = `sessions.${t.label}.c${concurrency}`;
      reporter.figure(
        figureFromRuns(
          { name: `${name}.messages`, unit: 'msg/s', baseline: 'bare Express + fast-xml-parser', ...(target[t.label] == null ? { note: 'what-if' } : { target: { ratioAtLeast: target[t.label] as number } }) },
          pairs((w) => w.messagesPerSecond),
        ),
      );
      reporter.figure(figureFromRuns({ name: `${name}.sessions`, unit: 'sessions/s', baseline: 'bare Express + fast-xml-parser' }, pairs((w) => w.sessionsPerSecond)));
      reporter.figure(
        figureFromRuns(
          { name: `${name}.messages-per-server-cpu-s`, unit: 'msg/CPU-s', baseline: 'bare Express + fast-xml-parser', note: 'server process CPU only; PostgreSQL server not counted' },
          pairs((w) => (w.messages * 1000) / w.serverCpuMs),
        ),
      );
      reporter.figure(figureFromRuns({ name: `${name}.p50`, unit: 'ms', baseline: 'bare Express + fast-xml-parser' }, pairs((w) => percentile(w.latencies, 50))));
      reporter.figure(
        figureFromRuns(
          { name: `${name}.p99`, unit: 'ms', baseline: 'bare Express + fast-xml-parser', ...(target[t.label] == null ? { note: 'what-if' } : { target: { valueAtMost: 50 } }) },
          pairs((w) => percentile(w.latencies, 99)),
        ),
      );
    }
    for (const p of profiles) {
      reporter.note(`profile ${p.label} (${p.file}): idle ${p.summary.idlePct.toFixed(0)}%; by area ${p.summary.byArea.slice(0, 8).map((a) => `${a.area} ${a.pct.toFixed(1)}%`).join(', ')}`);
      reporter.note(`  top functions: ${p.summary.topFunctions.slice(0, 10).map((f) => `${f.name} ${f.pct.toFixed(1)}%`).join('; ')}`);
    }
  } finally {
    for (const c of cleanups.reverse()) await c().catch((e: unknown) => reporter.note(`cleanup failed: ${String(e)}`));
  }

  async function startTarget(label: Target['label'], config: GatewayProcessConfig, schema: BenchSchema | null): Promise<Target> {
    const child = await startChild<GatewayReady>(new URL('./gateway-process.ts', import.meta.url), { config });
    return { label, child, schema, nextId: 0, prefix: randomBytes(4).toString('hex').toUpperCase(), results: [] };
  }

  function wave(t: Target, n: number, c: number, recordFirst: boolean): Promise<Measured> {
    const ids = Array.from({ length: n }, () => deviceId(t.prefix, t.nextId++));
    return measured(t.child, () => runWave({ syncmlUrl: t.child.ready.syncmlUrl, deviceIds: ids, sessionId: '2', concurrency: c, recordFirst }));
  }

  function check(label: string, w: Measured): Measured {
    const p50 = percentile(w.latencies, 50);
    const slow = [...w.timeline].sort((a, b) => b[1] - a[1]).slice(0, 3);
    if (slow.length > 0 && (slow[0]?.[1] ?? 0) > 3 * p50) {
      reporter.note(`${label}: slowest messages (sent at +s → took s): ${slow.map(([at, l]) => `+${(at / 1000).toFixed(1)} → ${(l / 1000).toFixed(1)}`).join(', ')}; p50 ${(p50 / 1000).toFixed(2)} s`);
    }
    reporter.note(
      `${label}: ${w.sessions} sessions in ${(w.wallMs / 1000).toFixed(1)} s; CPU per device message: server ${(w.serverCpuMs / w.messages).toFixed(2)} ms, ` +
        `load generator ${(w.loadCpuMs / w.messages).toFixed(2)} ms${Number.isFinite(w.statements) ? `; SQL statements per message ${(w.statements / w.messages).toFixed(1)}` : ''}`,
    );
    if (w.failures > 0) reporter.note(`${label}: ${w.failures} sessions failed, first: ${w.firstError}`);
    return w;
  }
}

async function measured(gateway: BenchChild<GatewayReady> | null, run: () => Promise<WaveResult>, serverPid = gateway?.pid ?? 0): Promise<Measured> {
  const statements0 = gateway ? await gateway.request<number>('statements') : Number.NaN;
  const server0 = await cpuMsOf(serverPid);
  const load0 = process.cpuUsage();
  const result = await run();
  const load = process.cpuUsage(load0);
  const serverCpuMs = (await cpuMsOf(serverPid)) - server0;
  const statements = gateway ? (await gateway.request<number>('statements')) - statements0 : Number.NaN;
  return { ...result, serverCpuMs, loadCpuMs: (load.user + load.system) / 1000, statements };
}

/**
 * The timed devices, written in bulk (bench/lib/bulk-seed.ts, untimed): `deviceId(prefix, i)` for i in [0, count), each
 * known with its ended first session, no PFN, no channel, and one queued command (QUEUED_COMMAND) — what the store
 * holds after a first contact and an operator's enqueue.
 */
export function seedSpec(prefix: string, count: number, from = 0): SeedSpec {
  return { prefix, guidIds: true, from, count, providerId: BENCH_PROVIDER, channelBase: null, commandEvery: 1, at: Date.now() - 3_600_000 };
}

/** GUID-shaped device ids, unique per run (the same ids bulkSeed writes with guidIds). */
export const deviceId = guidDeviceId;

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
