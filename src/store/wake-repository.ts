import { dateOrNull, toDate } from './epoch-ms.js';
import { decodeCursor, encodeCursor, pageLimit } from './page-cursor.js';
import type { WakeRow } from './schema.js';
import type { Sql } from './sql-client.js';
import { toBool, toNumber, toNumberOrNull } from './sql-values.js';
import type { Page, PageRequest, WakeState, WakeView } from './views.js';

/** Wakes (issue 4): stored first (wake-request.ts), then claimed and sent (wake-dispatch.ts); proven by the session they cause. */

export async function getWake(sql: Sql, id: string): Promise<WakeView | null> {
  const row = await sql.one<WakeRow>(`SELECT * FROM wakes WHERE id = ?`, [id]);
  return row ? toWakeView(row) : null;
}

/** A device's wakes, newest first. */
export async function listWakes(sql: Sql, deviceId: string, page: PageRequest): Promise<Page<WakeView>> {
  const limit = pageLimit(page.limit);
  const after = decodeCursor<[number, string]>(page.cursor, (v) => Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'string');
  const keyset = after ? ' AND (requested_at < CAST(? AS bigint) OR (requested_at = CAST(? AS bigint) AND id < ?))' : '';
  const rows = await sql.all<WakeRow>(
    `SELECT * FROM wakes WHERE device_id = ?${keyset} ORDER BY requested_at DESC, id DESC LIMIT ?`,
    [deviceId, ...(after ? [after[0], after[0], after[1]] : []), limit + 1],
  );
  const items = rows.slice(0, limit).map(toWakeView);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.requestedAt.getTime(), last.id]) : null };
}

export function toWakeView(row: WakeRow): WakeView {
  return {
    id: row.id,
    deviceId: row.device_id,
    providerId: row.provider_id,
    channelUri: row.channel_uri,
    state: row.state as WakeState,
    requestedAt: toDate(row.requested_at),
    ttlSeconds: toNumberOrNull(row.ttl_seconds),
    cache: toBool(row.cache),
    attempts: toNumber(row.attempts),
    nextAttemptAt: toDate(row.next_attempt_at),
    claimedBy: row.claimed_by,
    claimedUntil: dateOrNull(row.claimed_until),
    sentAt: dateOrNull(row.sent_at),
    wokeAt: dateOrNull(row.woke_at),
    latencyMs: toNumberOrNull(row.latency_ms),
    outcome: row.outcome,
    reason: row.reason,
    coalesced: toNumber(row.coalesced),
  };
}
