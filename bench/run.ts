/**
 * `npm run bench -- [--quick] [--json] [--only=…] [--rounds=N] [--profile[=dir]] [--what-if] [--wakes=N] [--push-cap=S]`
 *
 * Every benchmark measures its baseline in the same run, on the same machine, and prints the ratio. See bench/README.md.
 * The default run has every suite and is planned to finish within 10 minutes on a quiet 2-core machine (`--quick`: one
 * minute); each suite's time is printed beside its share of that budget.
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
  wakes: args.wakes,
  pushCapS: args.pushCapS,
};

const suites: Record<string, () => Promise<void>> = {
  codec: async () => (await import('./codec/codec-bench.js')).runCodecBench(ctx),
  sessions: async () => (await import('./sessions/sessions-bench.js')).runSessionsBench(ctx),
  push: async () => (await import('./push/push-bench.js')).runPushBench(ctx),
  scale: async () => (await import('./scale/scale-bench.js')).runScaleBench(ctx),
};
const selected = args.only ?? ['codec', 'sessions', 'push', 'scale'];
/** Planned seconds per suite on a quiet 2-core machine (bench/README.md, "Time budget"); the whole run: 600 s / 60 s. */
const BUDGET_S: Record<string, { full: number; quick: number }> = {
  codec: { full: 45, quick: 8 },
  sessions: { full: 75, quick: 12 },
  push: { full: 200, quick: 12 },
  scale: { full: 220, quick: 18 },
};
const budgetOf = (name: string) => BUDGET_S[name]?.[args.quick ? 'quick' : 'full'] ?? Number.NaN;
const timings: string[] = [];

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
  const took = `${name} ${((Date.now() - t0) / 1000).toFixed(1)} s (budget ${budgetOf(name)} s, load average ${loadavg()[0]?.toFixed(1)})`;
  timings.push(took);
  reporter.note(`${name} took ${took.slice(name.length + 1)}`);
}
const missed = reporter.figures.filter((f) => meetsTarget(f) === false).map((f) => f.name);
reporter.section('summary');
const totalS = (Date.now() - started) / 1000;
const totalBudget = args.quick ? 60 : 600;
reporter.note(`time per suite: ${timings.join('; ')}`);
reporter.note(
  `${reporter.figures.length} figures in ${totalS.toFixed(0)} s (budget ${totalBudget} s${totalS > totalBudget ? ', OVER' : ''}; load average now ${loadavg().map((l) => l.toFixed(1)).join(' ')})`,
);
reporter.note(missed.length === 0 ? 'every target with a measured figure was met' : `targets missed: ${missed.join(', ')}`);
process.exitCode = failed ? 1 : 0;
