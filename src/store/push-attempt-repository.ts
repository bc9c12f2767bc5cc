import { toDate } from './epoch-ms.js';
import { dueForTrim, trimDeviceHistory, type HistoryRetention } from './history-retention.js';
import { decodeCursor, encodeCursor, pageLimit } from './page-cursor.js';
import type { PushAttemptRow } from './schema.js';
import type { Sql } from './sql-client.js';
import { chunks, marks, toNumber, toNumberOrNull, valuesList } from './sql-values.js';
import type { Page, PageRequest, PushAttemptInput, PushAttemptView } from './views.js';

const INSERT_ATTEMPTS = `INSERT INTO push_attempts (wake_id, device_id, at, http_status, outcome, wns_status, device_connection_status,
                                                      msg_id, debug_trace, error_description, duration_ms) VALUES`;

function attemptValues(a: PushAttemptInput): unknown[] {
  return [
    a.wakeId,
    a.deviceId,
    a.at.getTime(),
    a.httpStatus,
    a.outcome,
    a.wnsStatus ?? null,
    a.deviceConnectionStatus ?? null,
    a.msgId ?? null,
    a.debugTrace ?? null,
    a.errorDescription ?? null,
    Math.max(0, Math.round(a.durationMs)),
  ];
}

/** Records one request to WNS and what it answered; when due, trims the device to its newest attempts. */
export async function recordPushAttempt(sql: Sql, a: PushAttemptInput, retention: HistoryRetention): Promise<void> {
  await sql.run(`${INSERT_ATTEMPTS} (?, ?, CAST(? AS bigint), ?, ?, ?, ?, ?, ?, ?, ?)`, attemptValues(a));
  if (dueForTrim(retention)) await trimDeviceHistory(sql, 'push_attempts', a.deviceId, retention.pushAttemptsPerDevice);
}

/**
 * Records many requests in one multi-row INSERT (per 500 rows), ids in the given order. Retention as recordPushAttempt
 * keeps it: one trim draw per inserted row; a device drawn at least once is trimmed once, after all its rows are in
 * (devices in id order, so two batches trimming the same devices delete in the same order).
 */
export async function recordPushAttempts(sql: Sql, attempts: readonly PushAttemptInput[], retention: HistoryRetention): Promise<void> {
  for (const part of chunks(attempts)) {
    const v = valuesList(part.map(attemptValues), [null, null, 'bigint', 'integer', null, null, null, null, null, null, 'integer']);
    await sql.run(`${INSERT_ATTEMPTS} ${v.text}`, v.params);
  }
  const due = new Set<string>();
  for (const a of attempts) if (dueForTrim(retention)) due.add(a.deviceId);
  for (const deviceId of [...due].sort()) await trimDeviceHistory(sql, 'push_attempts', deviceId, retention.pushAttemptsPerDevice);
}

/** A device's push attempts, newest first. */
export async function listPushAttempts(sql: Sql, deviceId: string, page: PageRequest): Promise<Page<PushAttemptView>> {
  const limit = pageLimit(page.limit);
  const before = decodeCursor<number>(page.cursor, (v) => typeof v === 'number');
  const rows = await sql.all<PushAttemptRow>(
    `SELECT * FROM push_attempts WHERE device_id = ?${before !== null ? ' AND id < ?' : ''} ORDER BY id DESC LIMIT ?`,
    [deviceId, ...(before !== null ? [before] : []), limit + 1],
  );
  const items = rows.slice(0, limit).map(toPushAttemptView);
  const last = rows[Math.min(rows.length, limit) - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(toNumber(last.id)) : null };
}

/** Every attempt of the given wakes, newest first (one IN list per 500 wakes; a page of wakes is at most 500). */
export async function listPushAttemptsOfWakes(sql: Sql, wakeIds: readonly string[]): Promise<PushAttemptView[]> {
  const rows: PushAttemptRow[] = [];
  for (const ids of chunks(wakeIds)) {
    rows.push(...(await sql.all<PushAttemptRow>(`SELECT * FROM push_attempts WHERE wake_id IN (${marks(ids.length)})`, ids)));
  }
  return rows.sort((a, b) => toNumber(b.id) - toNumber(a.id)).map(toPushAttemptView);
}

function toPushAttemptView(row: PushAttemptRow): PushAttemptView {
  return {
    id: String(row.id),
    wakeId: row.wake_id,
    deviceId: row.device_id,
    at: toDate(row.at),
    httpStatus: toNumberOrNull(row.http_status),
    outcome: row.outcome,
    wnsStatus: row.wns_status,
    deviceConnectionStatus: row.device_connection_status,
    msgId: row.msg_id,
    debugTrace: row.debug_trace,
    errorDescription: row.error_description,
    durationMs: toNumber(row.duration_ms),
  };
}
