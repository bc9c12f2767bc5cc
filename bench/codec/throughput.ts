/**
 * Operations per second of several functions measured in interleaved short windows, repeated `rounds` times, so a
 * busy machine slows every operation alike. Returns each operation's per-round rates.
 */
import { performance } from 'node:perf_hooks';

export function interleavedRates(ops: Record<string, () => unknown>, rounds: number, windowMs: number): Record<string, number[]> {
  const rates: Record<string, number[]> = {};
  const deadline = performance.now() + 2000;
  for (const fn of Object.values(ops)) for (let i = 0; i < 200 && performance.now() < deadline; i += 1) fn(); // JIT warm-up
  for (let r = 0; r < rounds; r += 1) {
    for (const [label, fn] of Object.entries(ops)) {
      let n = 0;
      const start = performance.now();
      let elapsed = 0;
      while (elapsed < windowMs) {
        fn();
        n += 1;
        if ((n & 3) === 0 || n < 8) elapsed = performance.now() - start;
      }
      elapsed = performance.now() - start;
      (rates[label] ??= []).push((n * 1000) / elapsed);
    }
  }
  return rates;
}
