import { randomUUID } from 'node:crypto';
import type { CommandSpec } from '../session/ports.js';
import { toCommandView } from './command-row.js';
import { LIVE } from './command-effects.js';
import { lockDevice } from './device-repository.js';
import { CommandNotCancellableError, CommandNotFoundError, UnknownDeviceError } from './errors.js';
import { toJsonText } from './json-text.js';
import { decodeCursor, encodeCursor, pageLimit } from './page-cursor.js';
import type { CommandRow } from './schema.js';
import type { Sql } from './sql-client.js';
import { marks, toNumber } from './sql-values.js';
import type { CommandFilter, CommandView, EnqueueOptions, Page } from './views.js';

/** The operator side of the command queue, and its housekeeping. */

/** Appends a command to the device's queue (the device must be known). Runs inside a transaction. */
export async function enqueueCommand(sql: Sql, deviceId: string, spec: CommandSpec, options: EnqueueOptions, now: number): Promise<CommandView> {
  if (!(await lockDevice(sql, deviceId))) throw new UnknownDeviceError(deviceId);
  const next = await sql.one<{ seq: unknown }>(`SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM commands WHERE device_id = ?`, [deviceId]);
  const row: CommandRow = {
    id: randomUUID(),
    device_id: deviceId,
    seq: toNumber(next?.seq ?? 1),
    spec: toJsonText(spec),
    state: 'queued',
    attempts: 0,
    msg_id: null,
    cmd_id: null,
    session_id: null,
    status: null,
    outcome: null,
    add_fallback_to_replace: options.addFallbackToReplace ?? false,
    created_at: now,
    sent_at: null,
    completed_at: null,
    expires_at: options.expiresAt ? options.expiresAt.getTime() : null,
  };
  await sql.run(
    `INSERT INTO commands (id, device_id, seq, spec, state, attempts, msg_id, cmd_id, session_id, status, outcome,
                           add_fallback_to_replace, created_at, sent_at, completed_at, expires_at)
     VALUES (?, ?, ?, ?, ?, 0, NULL, NULL, NULL, NULL, NULL, ?, CAST(? AS bigint), NULL, NULL, CAST(? AS bigint))`,
    [row.id, row.device_id, row.seq, row.spec, row.state, row.add_fallback_to_replace, row.created_at, row.expires_at],
  );
  return toCommandView(row);
}

export async function getCommand(sql: Sql, deviceId: string, commandId: string): Promise<CommandView | null> {
  const row = await sql.one<CommandRow>(`SELECT * FROM commands WHERE id = ? AND device_id = ?`, [commandId, deviceId]);
  return row ? toCommandView(row) : null;
}

/** A device's commands, newest first. */
export async function listCommands(sql: Sql, deviceId: string, filter: CommandFilter): Promise<Page<CommandView>> {
  const limit = pageLimit(filter.limit);
  const before = decodeCursor<number>(filter.cursor, (v) => typeof v === 'number');
  const states = filter.state === undefined ? [] : Array.isArray(filter.state) ? filter.state : [filter.state];
  const where = ['device_id = ?'];
  const params: unknown[] = [deviceId];
  if (states.length > 0) {
    where.push(`state IN (${marks(states.length)})`);
    params.push(...states);
  }
  if (before !== null) {
    where.push('seq < ?');
    params.push(before);
  }
  const rows = await sql.all<CommandRow>(`SELECT * FROM commands WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ?`, [...params, limit + 1]);
  const items = rows.slice(0, limit).map(toCommandView);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.seq) : null };
}

/** Cancels a command that has not been sent yet. */
export async function cancelCommand(sql: Sql, deviceId: string, commandId: string, now: number): Promise<CommandView> {
  const cancelled = await sql.run(
    `UPDATE commands SET state = 'cancelled', completed_at = CAST(? AS bigint) WHERE id = ? AND device_id = ? AND state = 'queued'`,
    [now, commandId, deviceId],
  );
  const command = await getCommand(sql, deviceId, commandId);
  if (!command) throw new CommandNotFoundError(deviceId, commandId);
  if (cancelled !== 1) throw new CommandNotCancellableError(commandId, command.state);
  return command;
}

/** Queued or sent commands past their expiry become 'expired'. Returns how many. */
export async function expireCommands(sql: Sql, now: number): Promise<number> {
  return sql.run(
    `UPDATE commands SET state = 'expired', completed_at = CAST(? AS bigint)
     WHERE state IN ${LIVE} AND expires_at IS NOT NULL AND expires_at <= CAST(? AS bigint)`,
    [now, now],
  );
}

/**
 * Commands sent before `olderThan` whose session never answered (ended, or silent since then) go back to the queue.
 * A command whose session is still live (not ended, updated since olderThan) is left alone.
 */
export async function requeueStaleSent(sql: Sql, olderThan: number): Promise<number> {
  return sql.run(
    `UPDATE commands SET state = 'queued', msg_id = NULL, cmd_id = NULL, session_id = NULL
     WHERE state = 'sent' AND sent_at < CAST(? AS bigint)
       AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.device_id = commands.device_id AND s.session_id = commands.session_id
                       AND s.ended = FALSE AND s.updated_at >= CAST(? AS bigint))`,
    [olderThan, olderThan],
  );
}
