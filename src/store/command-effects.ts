import { StaleSessionError, type QueuedCommand, type SessionEffect } from '../session/ports.js';
import { toQueuedCommand } from './command-row.js';
import { StoreError } from './errors.js';
import { toJsonText } from './json-text.js';
import type { CommandRow } from './schema.js';
import type { Sql } from './sql-client.js';
import { chunks, marks, valuesList } from './sql-values.js';

/** The session side of the command queue: what the engine reads and the effects it asks for. */

type Effect<T extends SessionEffect['type']> = Extract<SessionEffect, { type: T }>;

/** States a command can still move out of by a device answer. */
export const LIVE = `('queued', 'sent')`;

/** Queued commands of a device, oldest first, not past their expiry. */
export async function pendingCommands(sql: Sql, deviceId: string, sessionId: string, limit: number, now: number): Promise<QueuedCommand[]> {
  // A command still 'sent' in ANOTHER session of this device is orphaned: a device runs one management session at a
  // time, so once it opens a new one the old session broke before the Status came back. It is pending again now
  // (at-least-once), instead of waiting for the housekeeping timer's requeueStaleSent.
  const rows = await sql.all<CommandRow>(
    `SELECT * FROM commands
     WHERE device_id = ? AND (expires_at IS NULL OR expires_at > CAST(? AS bigint))
       AND (state = 'queued' OR (state = 'sent' AND session_id IS NOT NULL AND session_id <> ?))
     ORDER BY seq LIMIT ?`,
    [deviceId, now, sessionId, limit],
  );
  return rows.map((row) => ({ ...toQueuedCommand(row), state: 'queued' as const }));
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
