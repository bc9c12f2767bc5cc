import { StaleSessionError, type SessionEffect } from '../session/ports.js';
import { StoreError } from './errors.js';
import { toJsonText } from './json-text.js';
import type { Sql } from './sql-client.js';
import { chunks, marks, valuesList } from './sql-values.js';

/** The session side of the command queue: what the engine reads and the effects it asks for. */

type Effect<T extends SessionEffect['type']> = Extract<SessionEffect, { type: T }>;

/** States a command can still move out of by a device answer. */
export const LIVE = `('queued', 'sent')`;

/**
 * Queued commands of a device, oldest first, not past their expiry: a sub-select for the check-in read
 * (session-loader.ts), parameters from pendingCommandsParams. Rows are commands rows; the loader reads them as 'queued'.
 *
 * A command still 'sent' in ANOTHER session of this device is orphaned: a device runs one management session at a
 * time, so once it opens a new one the old session broke before the Status came back. It is pending again now
 * (at-least-once), instead of waiting for the housekeeping timer's requeueStaleSent.
 *
 * `LIMIT CAST(? AS integer)`, not `LIMIT ?`: when the value bound to a parameter can influence the plan, SQLite
 * recompiles the statement at the first step after every new binding (https://sqlite.org/c3ref/prepare.html, "the
 * statement will be automatically recompiled"); with the SQLite that better-sqlite3 bundles (3.53, STAT4 enabled) a bare
 * `LIMIT ?` is such a parameter: its cost per execution grows with the statement's length like a fresh prepare, and a
 * CAST (an expression) or a literal does not pay it. Measured here: 31 → 11 µs for this statement alone, 94 → 25 µs
 * for the check-in read that embeds it (CPU per execution, SQLite).
 */
export const PENDING_COMMANDS_SQL = `SELECT * FROM commands
     WHERE device_id = ? AND (expires_at IS NULL OR expires_at > CAST(? AS bigint))
       AND (state = 'queued' OR (state = 'sent' AND session_id IS NOT NULL AND session_id <> ?))
     ORDER BY seq LIMIT CAST(? AS integer)`;

export function pendingCommandsParams(deviceId: string, sessionId: string, limit: number, now: number): unknown[] {
  return [deviceId, now, sessionId, limit];
}

/**
 * command.sent: state 'sent', attempts + 1, with the MsgID/CmdID/SessionID it went out as. A command that is no longer
 * queued or sent (cancelled or expired by the operator side meanwhile, or unknown) means the engine worked from a stale
 * view: StaleSessionError makes the service reload and answer again without it.
 */
export async function markSent(sql: Sql, effects: Effect<'command.sent'>[], deviceId: string, sessionId: string): Promise<void> {
  const byId = new Map(effects.map((e) => [e.commandId, e]));
  for (const batch of chunks([...byId.values()])) {
    const v = valuesList(
      batch.map((e) => [e.commandId, e.sessionId, e.msgID, e.cmdID, e.at.getTime()]),
      [null, null, null, null, 'bigint'],
    );
    const updated = await sql.run(
      `WITH v(id, session_id, msg_id, cmd_id, at) AS (VALUES ${v.text})
       UPDATE commands SET state = 'sent', attempts = attempts + 1, session_id = v.session_id, msg_id = v.msg_id,
                           cmd_id = v.cmd_id, sent_at = v.at
       FROM v WHERE commands.id = v.id AND commands.state IN ${LIVE}`,
      v.params,
    );
    if (updated !== batch.length) {
      throw new StaleSessionError(deviceId, sessionId, {
        cause: new StoreError(`${batch.length - updated} of the commands being sent are no longer queued`),
      });
    }
  }
}

/** command.completed: done/failed with the outcome; ignored for a command already finished (late or repeated Status). */
export async function markCompleted(sql: Sql, effects: Effect<'command.completed'>[]): Promise<void> {
  const byId = new Map(effects.map((e) => [e.commandId, e]));
  for (const batch of chunks([...byId.values()])) {
    const v = valuesList(
      batch.map((e) => [e.commandId, e.state, e.outcome.status, toJsonText(e.outcome), e.at.getTime()]),
      [null, null, null, null, 'bigint'],
    );
    await sql.run(
      `WITH v(id, state, status, outcome, at) AS (VALUES ${v.text})
       UPDATE commands SET state = v.state, status = v.status, outcome = v.outcome, completed_at = v.at
       FROM v WHERE commands.id = v.id AND commands.state IN ${LIVE}`,
      v.params,
    );
  }
}

/** command.requeued: a sent command goes back to the queue (attempts are kept: at-least-once delivery). */
export async function markRequeued(sql: Sql, effects: Effect<'command.requeued'>[]): Promise<void> {
  for (const batch of chunks([...new Set(effects.map((e) => e.commandId))])) {
    await sql.run(
      `UPDATE commands SET state = 'queued', msg_id = NULL, cmd_id = NULL, session_id = NULL
       WHERE id IN (${marks(batch.length)}) AND state = 'sent'`,
      batch,
    );
  }
}

/** command.respecified: e.g. an Add answered 418 becomes a Replace (addFallbackToReplace). */
export async function respecify(sql: Sql, effects: Effect<'command.respecified'>[]): Promise<void> {
  const byId = new Map(effects.map((e) => [e.commandId, e]));
  for (const batch of chunks([...byId.values()])) {
    const v = valuesList(batch.map((e) => [e.commandId, toJsonText(e.spec)]));
    await sql.run(
      `WITH v(id, spec) AS (VALUES ${v.text})
       UPDATE commands SET spec = v.spec FROM v WHERE commands.id = v.id AND commands.state IN ${LIVE}`,
      v.params,
    );
  }
}
