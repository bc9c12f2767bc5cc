import type { SessionEffect } from '../session/ports.js';
import { toDate } from './epoch-ms.js';
import { decodeCursor, encodeCursor, pageLimit } from './page-cursor.js';
import { dueForTrim, trimDeviceHistory, type HistoryRetention } from './history-retention.js';
import type { AlertRow } from './schema.js';
import type { Sql } from './sql-client.js';
import { chunks, toNumber, valuesList } from './sql-values.js';
import type { AlertFilter, AlertView, Page } from './views.js';

type AlertEffect = Extract<SessionEffect, { type: 'alert.received' }>;

/** alert.received: one multi-row INSERT per batch; then, when due, each device trimmed to its newest alerts. */
export async function insertAlerts(sql: Sql, effects: AlertEffect[], retention: HistoryRetention): Promise<void> {
  for (const batch of chunks(effects)) {
    const v = valuesList(
      batch.map((e) => [e.deviceId, e.sessionId, e.alert, e.alertType ?? null, e.format ?? null, e.mark ?? null, e.source ?? null, e.data ?? null, e.at.getTime()]),
      [null, null, null, null, null, null, null, null, 'bigint'],
    );
    await sql.run(
      `INSERT INTO alerts (device_id, session_id, alert, alert_type, format, mark, source, data, received_at) VALUES ${v.text}`,
      v.params,
    );
  }
  for (const deviceId of new Set(effects.map((e) => e.deviceId))) {
    if (dueForTrim(retention)) await trimDeviceHistory(sql, 'alerts', deviceId, retention.alertsPerDevice);
  }
}

/** Alerts, newest first, optionally for one device / alert code / alert type. */
export async function listAlerts(sql: Sql, filter: AlertFilter): Promise<Page<AlertView>> {
  const limit = pageLimit(filter.limit);
  const before = decodeCursor<number>(filter.cursor, (v) => typeof v === 'number');
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, value: unknown) => {
    where.push(clause);
    params.push(value);
  };
  if (filter.deviceId !== undefined) add('device_id = ?', filter.deviceId);
  if (filter.alert !== undefined) add('alert = ?', filter.alert);
  if (filter.alertType !== undefined) add('alert_type = ?', filter.alertType);
  if (before !== null) add('id < ?', before);
  const rows = await sql.all<AlertRow>(
    `SELECT * FROM alerts${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
    [...params, limit + 1],
  );
  const items = rows.slice(0, limit).map(toAlertView);
  const last = rows[Math.min(rows.length, limit) - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(toNumber(last.id)) : null };
}

function toAlertView(row: AlertRow): AlertView {
  return {
    id: String(row.id),
    deviceId: row.device_id,
    sessionId: row.session_id,
    alert: row.alert,
    alertType: row.alert_type,
    format: row.format,
    mark: row.mark,
    source: row.source,
    data: row.data,
    receivedAt: toDate(row.received_at),
  };
}
