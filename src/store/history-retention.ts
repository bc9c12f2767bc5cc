import { StoreError } from './errors.js';
import type { Sql } from './sql-client.js';

/**
 * Retention for the per-device history tables that grow with every session or WNS send (alerts, push attempts, raw
 * exchanges in messages): the newest N rows per device are kept. Trimming is amortised on insert: about one insert in `trimEvery` (drawn at random, so no traffic pattern
 * can starve a device) trims that device in the same transaction. A trim walks the device's newest N entries of the
 * (device_id, id) index; that walk is the cost (bench/store/retention-measure.ts, N = 2000, statement cost per insert:
 * SQLite +0.6 ms trimming every insert vs +0.03 ms at K = 32; PostgreSQL +1.7–3.3 ms vs +0.3 ms). A housekeeping sweep
 * pays the same walk for every device that had an insert since the last pass (+0.6 ms / +1.7 ms there), so it only
 * moves the cost off the request path; sampling removes most of it. Between trims a device holds about N + K rows.
 */
export const DEFAULT_ALERT_RETENTION = 1000;
export const DEFAULT_PUSH_ATTEMPT_RETENTION = 2000;
export const DEFAULT_HISTORY_TRIM_EVERY = 32;

export interface HistoryRetention {
  alertsPerDevice: number;
  pushAttemptsPerDevice: number;
  /** 1: trim on every insert (exact); K: on about one insert in K. */
  trimEvery: number;
  random: () => number;
}

export interface HistoryRetentionOptions {
  alertRetention?: number;
  pushAttemptRetention?: number;
  historyTrimEvery?: number;
  /** [0, 1) source for the trim sampling (tests pass their own). */
  random?: () => number;
}

export function historyRetention(o: HistoryRetentionOptions): HistoryRetention {
  return {
    alertsPerDevice: positive('alertRetention', o.alertRetention ?? DEFAULT_ALERT_RETENTION),
    pushAttemptsPerDevice: positive('pushAttemptRetention', o.pushAttemptRetention ?? DEFAULT_PUSH_ATTEMPT_RETENTION),
    trimEvery: positive('historyTrimEvery', o.historyTrimEvery ?? DEFAULT_HISTORY_TRIM_EVERY),
    random: o.random ?? Math.random,
  };
}

/** Whether this insert also trims its device. */
export function dueForTrim(r: HistoryRetention): boolean {
  return r.trimEvery === 1 || r.random() * r.trimEvery < 1;
}

/** Deletes the device's rows older than its newest `keep` (alerts, push_attempts and messages share the shape). */
export async function trimDeviceHistory(sql: Sql, table: 'alerts' | 'push_attempts' | 'messages', deviceId: string, keep: number): Promise<number> {
  return sql.run(
    `DELETE FROM ${table} WHERE device_id = ?
       AND id <= (SELECT t.id FROM ${table} t WHERE t.device_id = ? ORDER BY t.id DESC LIMIT 1 OFFSET ?)`,
    [deviceId, deviceId, keep],
  );
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new StoreError(`${name} must be a positive integer: ${value}`);
  return value;
}
