import { StaleSessionError, type SessionState } from '../session/ports.js';
import { toMs } from './epoch-ms.js';
import { StoreError } from './errors.js';
import { fromJsonText, toJsonText } from './json-text.js';
import { decodeCursor, encodeCursor, pageLimit } from './page-cursor.js';
import type { SessionRow } from './schema.js';
import type { Sql } from './sql-client.js';
import { toBool, toNumber } from './sql-values.js';
import type { Page, PageRequest, SessionSummary } from './views.js';

/**
 * Saves a session with optimistic concurrency. The stored version becomes `expectedVersion + 1` (1 for a new session);
 * `session.version` as passed in is not trusted. Throws StaleSessionError when another writer got there first: the row's
 * version moved on, or (expectedVersion null) the row already exists.
 */
export async function saveSession(sql: Sql, session: SessionState, expectedVersion: number | null): Promise<number> {
  const startedAt = parseTime(session.startedAt, 'startedAt');
  const updatedAt = parseTime(session.updatedAt, 'updatedAt');
  const state = toJsonText(session.data);
  if (expectedVersion === null) {
    const inserted = await sql.run(
      `INSERT INTO sessions (device_id, session_id, "trigger", state, version, ended, started_at, updated_at)
       VALUES (?, ?, ?, ?, 1, ?, CAST(? AS bigint), CAST(? AS bigint))
       ON CONFLICT (device_id, session_id) DO NOTHING`,
      [session.deviceId, session.sessionId, session.trigger, state, session.ended, startedAt, updatedAt],
    );
    if (inserted !== 1) throw new StaleSessionError(session.deviceId, session.sessionId);
    return 1;
  }
  const updated = await sql.run(
    `UPDATE sessions SET "trigger" = ?, state = ?, version = ?, ended = ?, started_at = CAST(? AS bigint), updated_at = CAST(? AS bigint)
     WHERE device_id = ? AND session_id = ? AND version = ?`,
    [session.trigger, state, expectedVersion + 1, session.ended, startedAt, updatedAt, session.deviceId, session.sessionId, expectedVersion],
  );
  if (updated !== 1) throw new StaleSessionError(session.deviceId, session.sessionId);
  return expectedVersion + 1;
}

export function toSessionState(row: SessionRow): SessionState {
  return {
    deviceId: row.device_id,
    sessionId: row.session_id,
    trigger: row.trigger,
    startedAt: new Date(toMs(row.started_at)).toISOString(),
    updatedAt: new Date(toMs(row.updated_at)).toISOString(),
    ended: toBool(row.ended),
    version: toNumber(row.version),
    data: fromJsonText<Record<string, unknown>>(row.state, 'session state') ?? {},
  };
}

/** Sessions of a device, newest first. */
export async function listSessions(sql: Sql, deviceId: string, page: PageRequest): Promise<Page<SessionSummary>> {
  const limit = pageLimit(page.limit);
  const after = decodeCursor<[number, string]>(page.cursor, (v) => Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'string');
  const keyset = after ? ' AND (started_at < CAST(? AS bigint) OR (started_at = CAST(? AS bigint) AND session_id < ?))' : '';
  const rows = await sql.all<SessionRow>(
    `SELECT ${SUMMARY_COLUMNS} FROM sessions
     WHERE device_id = ?${keyset} ORDER BY started_at DESC, session_id DESC LIMIT ?`,
    [deviceId, ...(after ? [after[0], after[0], after[1]] : []), limit + 1],
  );
  const items = rows.slice(0, limit).map(toSessionSummary);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.startedAt.getTime(), last.sessionId]) : null };
}

/** One session of a device by its SessionID (the unique (device_id, session_id) index), or null. */
export async function getSessionSummary(sql: Sql, deviceId: string, sessionId: string): Promise<SessionSummary | null> {
  const row = await sql.one<SessionRow>(`SELECT ${SUMMARY_COLUMNS} FROM sessions WHERE device_id = ? AND session_id = ?`, [deviceId, sessionId]);
  return row ? toSessionSummary(row) : null;
}

const SUMMARY_COLUMNS = 'device_id, session_id, "trigger", version, ended, started_at, updated_at';

function toSessionSummary(r: SessionRow): SessionSummary {
  return {
    deviceId: r.device_id,
    sessionId: r.session_id,
    trigger: r.trigger,
    ended: toBool(r.ended),
    version: toNumber(r.version),
    startedAt: new Date(toMs(r.started_at)),
    updatedAt: new Date(toMs(r.updated_at)),
  };
}

function parseTime(value: string, field: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new StoreError(`session ${field} is not an ISO-8601 time: ${value}`);
  return ms;
}
