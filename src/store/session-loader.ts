import type { PollSchedule } from '../csp/poll-schedule.js';
import type { QueuedCommand, SessionLoad } from '../session/ports.js';
import { PENDING_COMMANDS_SQL, pendingCommandsParams } from './command-effects.js';
import { toQueuedCommand } from './command-row.js';
import { toDeviceRecord } from './device-repository.js';
import { fromJsonText } from './json-text.js';
import type { CommandRow, DeviceRow, SessionRow } from './schema.js';
import { toSessionState } from './session-repository.js';
import type { SqlClient } from './sql-client.js';
import { toNumber } from './sql-values.js';

/**
 * One row of the check-in read: the load row (k_row 0: device, binding, session, provider; the command columns null)
 * or a pending command (k_row 1: the command columns under their own names, the rest null).
 */
interface LoadRow {
  k_row: unknown;
  d_device_id: string | null;
  d_provider_id: string | null;
  dev_info: string | null;
  enrollment_state: string | null;
  provisioned_pfn: string | null;
  provisioned_poll_hash: string | null;
  first_seen_at: unknown;
  last_seen_at: unknown;
  b_provider_id: string | null;
  s_session_id: string | null;
  s_trigger: string | null;
  s_state: string | null;
  s_version: unknown;
  s_ended: unknown;
  s_started_at: unknown;
  s_updated_at: unknown;
  p_provider_id: string | null;
  p_pfn: string | null;
  p_poll_schedule: string | null;
  id: string | null;
  seq: unknown;
  spec: string | null;
  attempts: unknown;
  add_fallback_to_replace: unknown;
  created_at: unknown;
  expires_at: unknown;
}

const LOAD_COLUMNS = [
  'd.device_id AS d_device_id', 'd.provider_id AS d_provider_id', 'd.dev_info', 'd.enrollment_state', 'd.provisioned_pfn',
  'd.provisioned_poll_hash', 'd.first_seen_at', 'd.last_seen_at', 'b.provider_id AS b_provider_id',
  's.session_id AS s_session_id', 's."trigger" AS s_trigger', 's.state AS s_state', 's.version AS s_version',
  's.ended AS s_ended', 's.started_at AS s_started_at', 's.updated_at AS s_updated_at',
  'p.provider_id AS p_provider_id', 'p.pfn AS p_pfn', 'p.poll_schedule AS p_poll_schedule',
];
const COMMAND_COLUMNS = ['id', 'seq', 'spec', 'attempts', 'add_fallback_to_replace', 'created_at', 'expires_at'];

const LOAD_ROW = (commandColumns: string) => `SELECT 0 AS k_row, ${LOAD_COLUMNS.join(', ')}${commandColumns}
FROM (SELECT CAST(? AS text) AS device_id) k
LEFT JOIN devices d ON d.device_id = k.device_id
LEFT JOIN device_bindings b ON b.device_id = k.device_id
LEFT JOIN sessions s ON s.device_id = k.device_id AND s.session_id = ?
LEFT JOIN providers p ON p.provider_id = COALESCE(d.provider_id, b.provider_id, ?)`;
/** Parameters: deviceId, sessionId, defaultProviderId. */
const LOAD_SQL = LOAD_ROW('');
/** Parameters: those of LOAD_SQL, then pendingCommandsParams. */
const LOAD_WITH_PENDING_SQL = `${LOAD_ROW(`, ${COMMAND_COLUMNS.map((c) => `NULL AS ${c}`).join(', ')}`)}
UNION ALL
SELECT 1, ${LOAD_COLUMNS.map(() => 'NULL').join(', ')}, ${COMMAND_COLUMNS.map((c) => `c.${c}`).join(', ')}
FROM (${PENDING_COMMANDS_SQL}) c`;

/**
 * Everything one device message needs, in one statement: the load row — device + binding + session + provider, all
 * LEFT JOINs from the requested DeviceID — and, UNION ALL, the pending commands (one statement and one round trip where
 * there were two; the pending rows do not repeat the session's state). The first branch names the columns; in the
 * second every column of the first is NULL, so each column has one type (PostgreSQL resolves a NULL from the other
 * branch's type). An unknown device gets device null and the provider it is bound to, else the default provider.
 */
export async function loadForMessage(
  client: SqlClient,
  deviceId: string,
  sessionId: string,
  pendingLimit: number,
  defaultProviderId: string,
  now: number,
): Promise<SessionLoad> {
  const keys = [deviceId, sessionId, defaultProviderId];
  const rows = await client.read((sql) =>
    pendingLimit > 0
      ? sql.all<LoadRow>(LOAD_WITH_PENDING_SQL, [...keys, ...pendingCommandsParams(deviceId, sessionId, pendingLimit, now)])
      : sql.all<LoadRow>(LOAD_SQL, keys),
  );
  const row = rows.find((r) => toNumber(r.k_row) === 0);
  // Oldest first: the sub-select picked the oldest by seq; a compound SELECT's row order is the engine's, sorted here
  // (no ORDER BY over the UNION: SQLite would sort both branches in temporary B-trees for it).
  const pending = rows
    .filter((r) => toNumber(r.k_row) === 1)
    .sort((x, y) => toNumber(x.seq) - toNumber(y.seq))
    .map((r) => pendingCommand(r, deviceId));
  const providerId = row?.d_provider_id ?? row?.b_provider_id ?? defaultProviderId;
  return {
    device: row?.d_device_id ? toDeviceRecord(deviceRow(row)) : null,
    session: row?.s_session_id ? toSessionState(sessionRow(row, deviceId)) : null,
    provider: {
      providerId,
      pfn: row?.p_provider_id ? row.p_pfn : null,
      // Validated by the API when stored, and again by the session plan (csp/poll-plan.ts) before anything is sent.
      pollSchedule: row?.p_provider_id ? fromJsonText<PollSchedule>(row.p_poll_schedule, 'poll schedule') : null,
    },
    pending,
  };
}

/** A pending command row, read as 'queued' (see PENDING_COMMANDS_SQL). */
function pendingCommand(r: LoadRow, deviceId: string): QueuedCommand {
  // Completed in place (the row is this call's own), not copied as `{ ...r, device_id, state }`: properties after a
  // spread are slow in Node 20's V8 (session/turn.ts newTurn).
  const row = r as unknown as CommandRow;
  row.device_id = deviceId;
  row.state = 'queued';
  return toQueuedCommand(row);
}

function deviceRow(r: LoadRow): DeviceRow {
  return {
    device_id: r.d_device_id ?? '',
    provider_id: r.d_provider_id ?? '',
    dev_info: r.dev_info ?? '{}',
    enrollment_state: r.enrollment_state ?? 'enrolled',
    provisioned_pfn: r.provisioned_pfn,
    provisioned_poll_hash: r.provisioned_poll_hash,
    push_status: null,
    push_status_at: null,
    first_seen_at: r.first_seen_at as number,
    last_seen_at: r.last_seen_at as number,
    last_session_id: null,
  };
}

function sessionRow(r: LoadRow, deviceId: string): SessionRow {
  return {
    device_id: deviceId,
    session_id: r.s_session_id ?? '',
    trigger: r.s_trigger,
    state: r.s_state ?? '{}',
    version: r.s_version as number,
    ended: r.s_ended as boolean,
    started_at: r.s_started_at as number,
    updated_at: r.s_updated_at as number,
  };
}
