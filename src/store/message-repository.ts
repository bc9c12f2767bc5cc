import type { RawExchange } from '../session/ports.js';
import { toDate } from './epoch-ms.js';
import { dueForTrim, trimDeviceHistory, type HistoryRetention } from './history-retention.js';
import { decodeCursor, encodeCursor, pageLimit } from './page-cursor.js';
import type { MessageRow } from './schema.js';
import type { Sql } from './sql-client.js';
import { toNumber } from './sql-values.js';
import type { Page, PageRequest, StoredMessage } from './views.js';

/** Default number of raw exchanges kept per device. */
export const DEFAULT_MESSAGE_RETENTION = 200;

/**
 * Stores one exchange. Trimming the device to its newest `keep` exchanges is sampled like the other history tables
 * (history-retention.ts): about one stored exchange in `retention.trimEvery` also trims, so between trims a device holds
 * about keep + K exchanges (K = 1 trims on every insert: exact).
 */
export async function recordMessage(sql: Sql, raw: RawExchange, keep: number, retention: HistoryRetention): Promise<void> {
  await sql.run(
    `INSERT INTO messages (device_id, session_id, msg_id, content_type, request, reply, at) VALUES (?, ?, ?, ?, ?, ?, CAST(? AS bigint))`,
    [raw.deviceId, raw.sessionId, raw.msgID, raw.contentType, raw.request, raw.reply, raw.at.getTime()],
  );
  if (dueForTrim(retention)) await trimDeviceHistory(sql, 'messages', raw.deviceId, Math.max(0, keep));
}

/** The exchanges of one session, oldest first (request in, reply out). */
export async function listMessages(sql: Sql, deviceId: string, sessionId: string, page: PageRequest = {}): Promise<Page<StoredMessage>> {
  const limit = pageLimit(page.limit);
  const after = decodeCursor<number>(page.cursor, (v) => typeof v === 'number');
  const rows = await sql.all<MessageRow>(
    `SELECT * FROM messages WHERE device_id = ? AND session_id = ?${after !== null ? ' AND id > ?' : ''} ORDER BY id LIMIT ?`,
    [deviceId, sessionId, ...(after !== null ? [after] : []), limit + 1],
  );
  const items = rows.slice(0, limit).map(toStoredMessage);
  const last = rows[Math.min(rows.length, limit) - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(toNumber(last.id)) : null };
}

function toStoredMessage(row: MessageRow): StoredMessage {
  return {
    id: String(row.id),
    deviceId: row.device_id,
    sessionId: row.session_id,
    msgID: row.msg_id,
    contentType: row.content_type,
    at: toDate(row.at),
    request: new Uint8Array(row.request),
    reply: new Uint8Array(row.reply),
  };
}
