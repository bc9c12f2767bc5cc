/**
 * `npm run bench -- [--quick] [--json] [--scale] [--only=…] [--rounds=N] [--profile[=dir]] [--what-if] [--wakes=N]`
 *
 * Every benchmark measures its baseline in the same run, on the same machine, and prints the ratio. See bench/README.md.
 */
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { parseBenchArgs } from './lib/bench-args.js';
import { meetsTarget } from './lib/figure.js';
import { createReporter } from './lib/report.js';
import type { SuiteContext } from './lib/suite.js';

const args = parseBenchArgs(process.argv.slice(2));
const reporter = createReporter({ json: args.json });
const ctx: SuiteContext = {
  reporter,
  quick: args.quick,
  rounds: args.rounds,
  profileDir: args.profileDir ? resolve(args.profileDir) : null,
  databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  whatIf: args.whatIf,
  scale: args.scale,
  wakes: args.wakes,
};

const suites: Record<string, () => Promise<void>> = {
  codec: async () => (await import('./codec/codec-bench.js')).runCodecBench(ctx),
  sessions: async () => (await import('./sessions/sessions-bench.js')).runSessionsBench(ctx),
  push: async () => (await import('./push/push-bench.js')).runPushBench(ctx),
  scale: async () => (await import('./scale/scale-bench.js')).runScaleBench(ctx),
};
const selected = args.only ?? ['codec', 'sessions', 'push', ...(args.scale ? ['scale'] : [])];

const started = Date.now();
reporter.note(
  `node ${process.version}, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ` +
    `load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, mode ${args.quick ? 'quick' : 'full'}`,
);
let failed = false;
for (const name of selected) {
  reporter.section(name);
  const t0 = Date.now();
  try {
    await suites[name]?.();
  } catch (error) {
    failed = true;
    reporter.note(`suite ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
  reporter.note(`${name} took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
const missed = reporter.figures.filter((f) => meetsTarget(f) === false).map((f) => f.name);
reporter.section('summary');
reporter.note(`${reporter.figures.length} figures in ${((Date.now() - started) / 1000).toFixed(0)} s; load average now ${loadavg()[0]?.toFixed(1)}`);
reporter.note(missed.length === 0 ? 'every target with a measured figure was met' : `targets missed: ${missed.join(', ')}`);
process.exitCode = failed ? 1 : 0;
