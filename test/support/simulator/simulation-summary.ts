/**
 * The summary of a simulation run: check-ins, wakes, sessions, the statuses the devices returned for every server
 * command, server protocol violations, and latencies. Pure over the devices' session records.
 */
import type { SimulatedDevice } from './simulated-device.js';

export interface LatencyStats {
  count: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

export interface SimulationSummary {
  devices: number;
  checkIns: { ok: number; failed: number };
  sessions: { total: number; byReason: Record<string, number>; byEnd: Record<string, number> };
  wakes: {
    /** Raw notifications the fake WNS delivered (null without a fake). */
    delivered: number | null;
    received: number;
    ignored: number;
    sessionsOpened: number;
    timedOut: boolean;
  };
  push: { withChannel: number; byStatus: Record<string, number> };
  /** "Verb status" → count, over every server command the devices executed (children of Atomic/Sequence too). */
  commandResults: Record<string, number>;
  violations: { count: number; first: string[] };
  errors: { count: number; first: string[] };
  latencyMs: { checkIn: LatencyStats; session: LatencyStats; wakeToSession: LatencyStats };
  wallMs: { checkInPhase: number; total: number };
}

export interface SummaryExtras {
  checkInWallMs: number;
  totalWallMs: number;
  wakesTimedOut: boolean;
  wakesDelivered: number | null;
}

const FIRST = 10;

export function summarize(devices: SimulatedDevice[], extras: SummaryExtras): SimulationSummary {
  const records = devices.flatMap((d) => d.sessions);
  const count = <T>(items: T[], key: (t: T) => string): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const i of items) out[key(i)] = (out[key(i)] ?? 0) + 1;
    return out;
  };
  const checkIns = records.filter((r) => r.reason === 'check-in');
  const violations = records.flatMap((r) => r.violations.map((v) => `${r.sessionId}: ${v}`));
  const errors = records.filter((r) => r.error).map((r) => `${r.reason} session ${r.sessionId}: ${r.error}`);
  return {
    devices: devices.length,
    checkIns: { ok: checkIns.filter((r) => r.endedBy === 'completed').length, failed: checkIns.filter((r) => r.endedBy !== 'completed').length },
    sessions: { total: records.length, byReason: count(records, (r) => r.reason), byEnd: count(records, (r) => r.endedBy) },
    wakes: {
      delivered: extras.wakesDelivered,
      received: devices.reduce((n, d) => n + d.push.wakesReceived, 0),
      ignored: devices.reduce((n, d) => n + d.push.wakesIgnored, 0),
      sessionsOpened: records.filter((r) => r.reason === 'wake').length,
      timedOut: extras.wakesTimedOut,
    },
    push: {
      withChannel: devices.filter((d) => d.push.state().channelUri !== null).length,
      byStatus: count(devices, (d) => String(d.push.state().status)),
    },
    commandResults: count(
      records.flatMap((r) => r.executed),
      (e) => `${e.kind} ${e.status || '-'}`,
    ),
    violations: { count: violations.length, first: violations.slice(0, FIRST) },
    errors: { count: errors.length, first: errors.slice(0, FIRST) },
    latencyMs: {
      checkIn: stats(checkIns.map((r) => r.wallMs)),
      session: stats(records.map((r) => r.wallMs)),
      wakeToSession: stats(records.flatMap((r) => (r.wakeToSessionMs === undefined ? [] : [r.wakeToSessionMs]))),
    },
    wallMs: { checkInPhase: round(extras.checkInWallMs), total: round(extras.totalWallMs) },
  };
}

export function stats(values: number[]): LatencyStats {
  if (values.length === 0) return { count: 0, p50: 0, p95: 0, max: 0, mean: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return {
    count: sorted.length,
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    max: round(sorted.at(-1)!),
    mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
  };
}

const round = (n: number): number => Math.round(n * 10) / 10;

/** A few readable lines for the CLI. */
export function formatSummary(s: SimulationSummary): string {
  const kv = (r: Record<string, number>): string =>
    Object.entries(r)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`)
      .join(', ') || '-';
  const lat = (l: LatencyStats): string => (l.count === 0 ? '-' : `p50 ${l.p50} ms, p95 ${l.p95} ms, max ${l.max} ms (n=${l.count})`);
  return [
    `devices: ${s.devices}   check-ins: ${s.checkIns.ok} ok, ${s.checkIns.failed} failed   sessions: ${s.sessions.total} (${kv(s.sessions.byReason)})`,
    `push: ${s.push.withChannel} with a channel; Push/Status ${kv(s.push.byStatus)}`,
    `wakes: delivered ${s.wakes.delivered ?? '-'}, received ${s.wakes.received}, ignored ${s.wakes.ignored}, sessions opened ${s.wakes.sessionsOpened}${s.wakes.timedOut ? ' (timed out waiting)' : ''}`,
    `command results: ${kv(s.commandResults)}`,
    `latency: check-in ${lat(s.latencyMs.checkIn)}; wake→session ${lat(s.latencyMs.wakeToSession)}`,
    `session ends: ${kv(s.sessions.byEnd)}   violations: ${s.violations.count}   errors: ${s.errors.count}`,
    ...s.violations.first.map((v) => `  violation ${v}`),
    ...s.errors.first.map((e) => `  error ${e}`),
    `wall: check-in phase ${s.wallMs.checkInPhase} ms, total ${s.wallMs.total} ms`,
  ].join('\n');
}
