/**
 * What a wake-loop run reports (test/support/simulator/wake-loop.ts): check-ins, wakes as the gateway and the devices
 * saw them, wake latency, every queued command's result, failures, wall times. `formatWakeLoopReport` renders it for
 * `omadm-gateway simulate`; `--json` prints the object itself.
 */
import type { LatencyStats, SimulationSummary } from './simulation-summary.js';

export interface WakeLoopReport {
  devices: number;
  /** Where the devices and the API went. */
  target: { syncmlUrl: string; apiUrl: string };
  checkIns: { ok: number; failed: number };
  push: { withChannel: number; byStatus: Record<string, number> };
  wakes: {
    /** Devices named in the bulk push requests. */
    requested: number;
    /** New wakes the gateway stored, and requests joined to an outstanding one. */
    accepted: number;
    coalesced: number;
    refused: number;
    /** Wakes the gateway sent to WNS (state sent or woke), by the gateway's records. */
    sent: number;
    /** Raw notifications the fake WNS handed to devices. */
    delivered: number | null;
    /** Wakes the gateway marked woke (the device opened a 1200 session). */
    woke: number;
    /** 1200 sessions the devices opened. */
    sessions: number;
    /** The newest wake of each device by state, from the operator API. */
    byState: Record<string, number>;
    timedOut: boolean;
  };
  latencyMs: {
    /** From the bulk push request to the start of the device's 1200 session, measured by the simulator. */
    wake: LatencyStats;
    /** From the WNS send to the 1200 session, as the gateway recorded it (wake latency_ms). */
    sentToWoke: LatencyStats;
    /** From the notification reaching the device to its 1200 session starting: the wait for a session slot (--concurrency). */
    notificationToSession: LatencyStats;
    checkIn: LatencyStats;
  };
  commands: {
    perDevice: number;
    queued: number;
    /** "state status" → count, read back through the operator API: e.g. "done 200". */
    byResult: Record<string, number>;
    /** Commands that reached a final state (done or failed with a status). */
    accountedFor: number;
  };
  failures: { count: number; first: string[] };
  /** Likely causes of the failures (e.g. a gateway not pointed at the fake WNS). */
  hints: string[];
  wallMs: { total: number; checkIn: number; queue: number; wake: number; results: number };
  /** Woke wakes per second of the wake phase (bulk push request → last 1200 session). */
  wakesPerSecond: number;
  simulation: SimulationSummary;
}

const s1 = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const lat = (l: LatencyStats): string => (l.count === 0 ? '-' : `p50 ${Math.round(l.p50)} ms, p95 ${Math.round(l.p95)} ms, max ${Math.round(l.max)} ms (n=${l.count})`);
const kv = (r: Record<string, number>): string =>
  Object.entries(r)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ') || '-';

/** The summary lines `simulate` prints. */
export function formatWakeLoopReport(r: WakeLoopReport): string {
  const w = r.wakes;
  return [
    `devices:        ${r.devices} simulated, SyncML ${r.target.syncmlUrl}`,
    `check-ins:      ${r.checkIns.ok} ok, ${r.checkIns.failed} failed   (${lat(r.latencyMs.checkIn)})`,
    `push:           ${r.push.withChannel} devices with a channel; Push/Status ${kv(r.push.byStatus)}`,
    `wakes:          ${w.requested} requested (${w.accepted} accepted, ${w.coalesced} coalesced, ${w.refused} refused), ` +
      `${w.sent} sent, ${w.delivered ?? '-'} delivered by WNS, ${w.woke} woke; ${w.sessions} sessions with Alert 1200${w.timedOut ? ' (timed out waiting)' : ''}`,
    `wake latency:   request → 1200 session ${lat(r.latencyMs.wake)}`,
    `                WNS send → woke (gateway) ${lat(r.latencyMs.sentToWoke)}`,
    `                notification → session start (device waiting for a session slot) ${lat(r.latencyMs.notificationToSession)}`,
    `commands:       ${r.commands.queued} queued (${r.commands.perDevice} per device); ${kv(r.commands.byResult)}; accounted for ${r.commands.accountedFor}/${r.commands.queued}`,
    ...r.hints.map((h) => `hint:           ${h}`),
    `failures:       ${r.failures.count === 0 ? 'none' : r.failures.count}`,
    ...r.failures.first.map((f) => `  - ${f}`),
    `wall:           ${s1(r.wallMs.total)} (check-in ${s1(r.wallMs.checkIn)}, queue ${s1(r.wallMs.queue)}, wake ${s1(r.wallMs.wake)}, results ${s1(r.wallMs.results)}); ${r.wakesPerSecond} wakes/s`,
    '',
  ].join('\n');
}
