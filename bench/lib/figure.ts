/**
 * One measured figure beside its baseline from the same run. `value`/`baselineValue` are medians over the repetitions
 * (`runs`), `ratio` the median of the per-repetition ratios (each repetition runs both sides back to back, so a busy
 * machine skews both alike). `higherIsBetter` says which way the ratio reads; for latencies it is value / baseline.
 */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  baseline: string;
  baselineValue: number;
  ratio: number;
  /** Every repetition's value and ratio (for the printed ranges). */
  runs?: Array<{ value: number; baselineValue: number; ratio: number }>;
  target?: Target;
  note?: string;
}

/** `ratio >= min` (or `value <= max` for limits such as p99 or RSS). */
export type Target = { ratioAtLeast: number } | { valueAtMost: number } | { ratioAtMost: number };

export function figureFromRuns(
  base: Omit<Figure, 'value' | 'baselineValue' | 'ratio' | 'runs'>,
  runs: Array<{ value: number; baselineValue: number }>,
): Figure {
  const full = runs.map((r) => ({ ...r, ratio: r.baselineValue === 0 ? Number.NaN : r.value / r.baselineValue }));
  return {
    ...base,
    value: median(full.map((r) => r.value)),
    baselineValue: median(full.map((r) => r.baselineValue)),
    ratio: median(full.map((r) => r.ratio)),
    runs: full,
  };
}

/** A figure with no baseline of its own (an absolute limit such as p99 < 50 ms); ratio is NaN → printed as null. */
export function absoluteFigure(base: Omit<Figure, 'baseline' | 'baselineValue' | 'ratio' | 'runs'>, values: number[], baseline = 'none', baselineValue = Number.NaN): Figure {
  return {
    ...base,
    baseline,
    baselineValue,
    value: median(values),
    ratio: Number.isFinite(baselineValue) && baselineValue !== 0 ? median(values) / baselineValue : Number.NaN,
    runs: values.map((v) => ({ value: v, baselineValue, ratio: Number.isFinite(baselineValue) ? v / baselineValue : Number.NaN })),
  };
}

export function median(xs: readonly number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Nearest-rank percentile of unsorted samples (p in 0..100). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const s = [...samples].sort((a, b) => a - b);
  const rank = Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length)));
  return s[rank - 1] as number;
}

export function meetsTarget(f: Figure): boolean | null {
  const t = f.target;
  if (!t) return null;
  if ('ratioAtLeast' in t) return Number.isFinite(f.ratio) ? f.ratio >= t.ratioAtLeast : null;
  if ('ratioAtMost' in t) return Number.isFinite(f.ratio) ? f.ratio <= t.ratioAtMost : null;
  return Number.isFinite(f.value) ? f.value <= t.valueAtMost : null;
}

export function describeTarget(t: Target | undefined, unit: string): string {
  if (!t) return '';
  if ('ratioAtLeast' in t) return `ratio ≥ ${t.ratioAtLeast}`;
  if ('ratioAtMost' in t) return `ratio ≤ ${t.ratioAtMost}`;
  return `≤ ${t.valueAtMost} ${unit}`;
}
