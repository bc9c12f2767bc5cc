/**
 * Per-device wake outcomes and push-to-session latency, from the device's wakes (newest first, as the store lists
 * them). Pure; the API shows it next to the wake list and tests use it to read a fan-out run.
 */
import type { WakeView } from './wake-store.js';

export interface LatencySummary {
  count: number;
  minMs: number | null;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  meanMs: number | null;
}

export interface WakeStats {
  total: number;
  byState: Record<WakeView['state'], number>;
  /** Requests folded into outstanding wakes. */
  coalesced: number;
  /** Over wakes that proved themselves ('woke' with a latency). */
  latency: LatencySummary;
  /** Share of settled wakes ('woke' / ('woke' + 'expired' + 'failed')); null when none settled. */
  wokeRatio: number | null;
  /** Newest failure or expiry reason, for the operator. */
  lastProblem: { wakeId: string; state: 'failed' | 'expired'; outcome: string | null; reason: string | null } | null;
}

export function summarizeWakes(wakes: readonly WakeView[]): WakeStats {
  const byState: WakeStats['byState'] = { pending: 0, sending: 0, sent: 0, woke: 0, expired: 0, failed: 0 };
  let coalesced = 0;
  const latencies: number[] = [];
  let lastProblem: WakeStats['lastProblem'] = null;
  for (const w of wakes) {
    byState[w.state] += 1;
    coalesced += w.coalesced;
    if (w.state === 'woke' && w.latencyMs !== null) latencies.push(w.latencyMs);
    if (!lastProblem && (w.state === 'failed' || w.state === 'expired')) {
      lastProblem = { wakeId: w.id, state: w.state, outcome: w.outcome, reason: w.reason };
    }
  }
  const settled = byState.woke + byState.expired + byState.failed;
  return {
    total: wakes.length,
    byState,
    coalesced,
    latency: summarizeLatencies(latencies),
    wokeRatio: settled === 0 ? null : byState.woke / settled,
    lastProblem,
  };
}

/** Nearest-rank percentiles over the values. */
export function summarizeLatencies(values: readonly number[]): LatencySummary {
  if (values.length === 0) return { count: 0, minMs: null, p50Ms: null, p90Ms: null, p99Ms: null, maxMs: null, meanMs: null };
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
  return {
    count: sorted.length,
    minMs: sorted[0] as number,
    p50Ms: rank(50),
    p90Ms: rank(90),
    p99Ms: rank(99),
    maxMs: sorted[sorted.length - 1] as number,
    meanMs: Math.round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
  };
}
