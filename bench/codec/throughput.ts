/**
 * Operations per CPU-second of several functions, measured in interleaved short windows and repeated `rounds` times.
 * The clock is this process's CPU time (user + system, which includes GC helper threads), not the wall clock: on a
 * shared, oversubscribed machine a wall-clock window also counts the time the scheduler gave to other processes, and
 * that noise would swamp the comparison. On an idle machine the two are the same for this single-threaded loop.
 */
import { performance } from 'node:perf_hooks';

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export function interleavedRates(ops: Record<string, () => unknown>, rounds: number, windowMs: number, warmUpMs = 2000): Record<string, number[]> {
  const rates: Record<string, number[]> = {};
  const deadline = performance.now() + warmUpMs;
  for (const fn of Object.values(ops)) for (let i = 0; i < 200 && performance.now() < deadline; i += 1) fn(); // JIT warm-up
  for (let r = 0; r < rounds; r += 1) {
    for (const [label, fn] of Object.entries(ops)) {
      let n = 0;
      const start = cpuMs();
      let elapsed = 0;
      while (elapsed < windowMs) {
        fn();
        n += 1;
        if ((n & 3) === 0 || n < 8) elapsed = cpuMs() - start;
      }
      elapsed = cpuMs() - start;
      (rates[label] ??= []).push((n * 1000) / elapsed);
    }
  }
  return rates;
}
