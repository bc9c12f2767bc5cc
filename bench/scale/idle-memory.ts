/**
 * What the idle gateway's memory is made of: `node --import tsx bench/scale/idle-memory.ts [options]`.
 *
 * Starts the composed gateway (bench/scale/idle-memory-child.ts) in several ways and prints RSS, heap used, external and
 * array buffers after importing each major dependency in turn, after composing, after listening, and after warm
 * sessions (as the scale suite's memory test measures "idle": a gateway that has served 50 sessions). Variants:
 * - `tsx`: `node --import tsx` on the TypeScript sources (how the bench and, through tsx's register(), `npm start` run);
 * - `compiled`: plain `node` on the same sources compiled by tsc into a temp dir (node_modules and schemas/ linked);
 * - `compiled:<node flags>` / `tsx:<node flags>`: the same with V8/Node flags, e.g. `compiled:--max-semi-space-size=1`.
 * Children run with --expose-gc and collect garbage before every sample, so heap figures are live objects (pass
 * --no-gc for figures as the process would show them without forced collections).
 *
 * Options: --variants=tsx,compiled,… (default: tsx,compiled) --sessions=N (warm sessions, default 50)
 * --postgres (a fresh schema at DATABASE_URL instead of SQLite) --no-gc --json
 * --load: then, per variant, what a flag costs under load: 512 full sessions from 64 concurrent devices (gateway CPU per
 * device message, messages/s) and the scale suite's memory test (1,000 sessions in flight, HTTP requests capped at 128:
 * peak RSS). --rounds=N repeats the variants N times, interleaved (default 1).
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { cpuMsOf, rssOf, startChild } from '../lib/child-process.js';
import { createSchema, probePostgres, type BenchSchema } from '../lib/postgres.js';
import { runWave } from '../sessions/session-load.js';
import { deviceId } from '../sessions/sessions-bench.js';
import type { IdleMemoryChildConfig, IdleMemoryReady, MemoryDetail, MemoryStep } from './idle-memory-child.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const argv = process.argv.slice(2);
const opt = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const variants = (opt('variants') ?? 'tsx,compiled').split(',').map((v) => v.trim()).filter(Boolean);
const warmSessions = Number(opt('sessions') ?? 50);
const usePostgres = argv.includes('--postgres');
const forceGc = !argv.includes('--no-gc');
const json = argv.includes('--json');
const underLoad = argv.includes('--load');
const rounds = Number(opt('rounds') ?? 1);
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const MB = (bytes: number) => (bytes / 1e6).toFixed(1);

/** Compiles the child (and everything it imports) with tsc into a temp dir that node can run as is. */
async function compile(): Promise<{ dir: string; entry: URL }> {
  const dir = await mkdtemp(join(tmpdir(), 'omadm-idle-memory-'));
  const out = join(dir, 'out');
  await writeFile(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      extends: join(root, 'tsconfig.json'),
      compilerOptions: { noEmit: false, outDir: out, rootDir: root, typeRoots: [join(root, 'node_modules/@types')], sourceMap: false },
      files: [join(root, 'bench/scale/idle-memory-child.ts')],
      include: [],
    }),
  );
  const t0 = performance.now();
  await promisify(execFile)(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { maxBuffer: 1 << 24 }).catch(
    (error: { stdout?: string }) => {
      // Type errors still emit (noEmitOnError is off); the entry's existence below is what matters.
      process.stderr.write(`tsc reported: ${String(error.stdout ?? error).slice(0, 2000)}\n`);
    },
  );
  const entry = join(out, 'bench/scale/idle-memory-child.js');
  await stat(entry);
  await symlink(join(root, 'node_modules'), join(out, 'node_modules'));
  await symlink(join(root, 'schemas'), join(out, 'schemas'));
  await copyFile(join(root, 'package.json'), join(out, 'package.json'));
  process.stderr.write(`compiled with tsc into ${out} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  return { dir, entry: pathToFileURL(entry) };
}

interface VariantResult {
  variant: string;
  steps: MemoryStep[];
  detail: MemoryDetail;
  rssAfterWarm: number;
  load?: { cpuMsPerMessage: number; messagesPerSecond: number; peakRss: number; idleRss: number; inFlightCompleted: number };
}

async function measure(variant: string, compiled: { entry: URL } | null): Promise<VariantResult> {
  const [kind, ...flagParts] = variant.split(':');
  const flags = flagParts.join(':').split(/\s+/).filter(Boolean);
  if (kind !== 'tsx' && kind !== 'compiled') throw new Error(`unknown variant ${variant}`);
  const dataDir = await mkdtemp(join(tmpdir(), 'omadm-idle-memory-data-'));
  let schema: BenchSchema | null = null;
  if (usePostgres) schema = await createSchema(databaseUrl, 'bench_idle_mem');
  try {
    const child = await startChild<IdleMemoryReady>(kind === 'tsx' ? new URL('./idle-memory-child.ts', import.meta.url) : compiled!.entry, {
      loader: kind === 'tsx' ? 'tsx' : 'none',
      execArgv: [...(forceGc ? ['--expose-gc'] : []), ...flags],
      config: { dataDir, ...(schema ? { databaseUrl: schema.url } : {}) } satisfies IdleMemoryChildConfig,
    });
    try {
      const ids = Array.from({ length: warmSessions }, (_, i) => deviceId('IDLEMEM0', i));
      if (ids.length > 0) {
        await child.request('seed', { ids });
        const wave = await runWave({ syncmlUrl: child.ready.syncmlUrl, deviceIds: ids, sessionId: '2', concurrency: 10 });
        if (wave.failures > 0) throw new Error(`${variant}: ${wave.failures} warm sessions failed: ${wave.firstError}`);
      }
      const detail = await child.request<MemoryDetail>('memory');
      const rssAfterWarm = (await rssOf(child.pid)).rss;
      if (!underLoad) return { variant, steps: child.ready.steps, detail, rssAfterWarm };
      // Throughput: 512 full sessions from 64 concurrent devices; CPU of the gateway process per device message.
      await child.request('bulkSeed', { prefix: 'IDLELOAD', count: 1_512 }, 600_000);
      const loadIds = (from: number, n: number) => Array.from({ length: n }, (_, i) => deviceId('IDLELOAD', from + i));
      const cpu0 = await cpuMsOf(child.pid);
      const w = await runWave({ syncmlUrl: child.ready.syncmlUrl, deviceIds: loadIds(0, 512), sessionId: '2', concurrency: 64 });
      const cpuMsPerMessage = ((await cpuMsOf(child.pid)) - cpu0) / w.messages;
      // Memory: 1,000 sessions in flight (each holds its session after package 2 until all have one), as the scale suite.
      const idleRss = (await rssOf(child.pid)).rss;
      let peak = idleRss;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          peak = Math.max(peak, (await rssOf(child.pid)).rss);
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      const m = await runWave({ syncmlUrl: child.ready.syncmlUrl, deviceIds: loadIds(512, 1_000), sessionId: '2', concurrency: 1_000, maxRequests: 128, barrier: true });
      sampling = false;
      await sampler;
      const peakRss = Math.max(peak, (await rssOf(child.pid)).hwm);
      return { variant, steps: child.ready.steps, detail, rssAfterWarm, load: { cpuMsPerMessage, messagesPerSecond: w.messagesPerSecond, peakRss, idleRss, inFlightCompleted: m.sessions } };
    } finally {
      await child.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
    await schema?.drop();
  }
}

if (usePostgres) {
  const problem = await probePostgres(databaseUrl);
  if (problem) throw new Error(`PostgreSQL unreachable: ${problem}`);
}
process.stderr.write(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ${usePostgres ? 'PostgreSQL' : 'SQLite'}; forced GC before samples: ${forceGc}\n`);
const needsCompile = variants.some((v) => v.startsWith('compiled'));
const compiled = needsCompile ? await compile() : null;
const results: VariantResult[] = [];
try {
  for (let r = 0; r < rounds; r += 1) for (const v of variants) results.push(await measure(v, compiled));
} finally {
  if (compiled) await rm(compiled.dir, { recursive: true, force: true });
}

if (json) {
  for (const r of results) process.stdout.write(`${JSON.stringify(r)}\n`);
} else {
  for (const r of results) {
    process.stdout.write(`\n== ${r.variant} ==\n`);
    process.stdout.write(
      `${'step'.padEnd(62)} ${'RSS'.padStart(7)} ${'ΔRSS'.padStart(7)} ${'heapUsed'.padStart(9)} ${'ΔheapU'.padStart(7)} ${'external'.padStart(9)} ${'arrayBuf'.padStart(9)}  (MB)  ${'ΔCPU ms'.padStart(8)}\n`,
    );
    let prev: MemoryStep | null = null;
    const rows = [...r.steps, { ...r.detail.usage, step: `after ${warmSessions} warm sessions` }];
    for (const s of rows) {
      process.stdout.write(
        `${s.step.padEnd(62)} ${MB(s.rss).padStart(7)} ${(prev ? MB(s.rss - prev.rss) : '').padStart(7)} ${MB(s.heapUsed).padStart(9)} ${(prev ? MB(s.heapUsed - prev.heapUsed) : '').padStart(7)} ${MB(s.external).padStart(9)} ${MB(s.arrayBuffers).padStart(9)}        ${(prev ? (s.cpuMs - prev.cpuMs).toFixed(0) : s.cpuMs.toFixed(0)).padStart(8)}\n`,
      );
      prev = s;
    }
    const d = r.detail;
    process.stdout.write(
      `heap spaces (size/used MB): ${d.spaces.filter((s) => s.size > 0).map((s) => `${s.name.replace(/_space$/, '')} ${MB(s.size)}/${MB(s.used)}`).join(', ')}\n` +
        `code: bytecode+metadata ${MB(d.code.bytecodeAndMetadata)} MB, machine code+metadata ${MB(d.code.codeAndMetadata)} MB, ` +
        `external script source ${MB(d.code.externalScriptSource)} MB; source maps enabled: ${d.sourceMapsEnabled}\n`,
    );
  }
  process.stdout.write('\nsummary (after warm sessions): ' + results.map((r) => `${r.variant} RSS ${MB(r.detail.usage.rss)} MB, heap used ${MB(r.detail.usage.heapUsed)} MB`).join('; ') + '\n');
  for (const r of results) {
    if (!r.load) continue;
    const l = r.load;
    process.stdout.write(
      `under load, ${r.variant}: gateway CPU ${l.cpuMsPerMessage.toFixed(2)} ms per device message, ${l.messagesPerSecond.toFixed(0)} msg/s (64 devices); ` +
        `1,000 in flight (${l.inFlightCompleted} completed): RSS before ${MB(l.idleRss)} MB, peak ${MB(l.peakRss)} MB\n`,
    );
  }
}
