import type { CommandOutcome, CommandSpec, CommandState, QueuedCommand } from '../session/ports.js';
import { dateOrNull, toDate } from './epoch-ms.js';
import { StoreError } from './errors.js';
import { fromJsonText } from './json-text.js';
import type { CommandRow } from './schema.js';
import { toBool, toNumber } from './sql-values.js';
import type { CommandView } from './views.js';

/** commands rows → domain types. */

export function toQueuedCommand(row: CommandRow): QueuedCommand {
  const spec = fromJsonText<CommandSpec>(row.spec, 'command spec');
  if (!spec) throw new StoreError(`command ${row.id} has no spec`);
  return {
    id: row.id,
    deviceId: row.device_id,
    spec,
    state: row.state as CommandState,
    attempts: toNumber(row.attempts),
    createdAt: toDate(row.created_at),
    expiresAt: dateOrNull(row.expires_at),
    addFallbackToReplace: toBool(row.add_fallback_to_replace),
  };
}

export function toCommandView(row: CommandRow): CommandView {
  return {
    ...toQueuedCommand(row),
    seq: toNumber(row.seq),
    msgID: row.msg_id,
    cmdID: row.cmd_id,
    sessionId: row.session_id,
    status: row.status,
    outcome: fromJsonText<CommandOutcome>(row.outcome, 'command outcome'),
    sentAt: dateOrNull(row.sent_at),
    completedAt: dateOrNull(row.completed_at),
  };
}
