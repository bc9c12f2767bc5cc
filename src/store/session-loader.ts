import type { PollSchedule } from '../csp/poll-schedule.js';
import type { SessionLoad } from '../session/ports.js';
import { pendingCommands } from './command-effects.js';
import { toDeviceRecord } from './device-repository.js';
import { fromJsonText } from './json-text.js';
import type { DeviceRow, SessionRow } from './schema.js';
import { toSessionState } from './session-repository.js';
import type { SqlClient } from './sql-client.js';

interface LoadRow {
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
}

/**
 * Everything one device message needs, in two statements issued together: device + binding + session + provider in one
 * row (all LEFT JOINs from the requested DeviceID), and the pending commands. An unknown device gets device null and
 * the provider it is bound to, else the default provider.
 */
export async function loadForMessage(
  client: SqlClient,
  deviceId: string,
  sessionId: string,
  pendingLimit: number,
  defaultProviderId: string,
  now: number,
): Promise<SessionLoad> {
  const [row, pending] = await Promise.all([
    client.read((sql) =>
      sql.one<LoadRow>(
        `SELECT d.device_id AS d_device_id, d.provider_id AS d_provider_id, d.dev_info, d.enrollment_state, d.provisioned_pfn, d.provisioned_poll_hash,
                d.first_seen_at, d.last_seen_at, b.provider_id AS b_provider_id,
                s.session_id AS s_session_id, s."trigger" AS s_trigger, s.state AS s_state, s.version AS s_version,
                s.ended AS s_ended, s.started_at AS s_started_at, s.updated_at AS s_updated_at,
                p.provider_id AS p_provider_id, p.pfn AS p_pfn, p.poll_schedule AS p_poll_schedule
         FROM (SELECT CAST(? AS text) AS device_id) k
         LEFT JOIN devices d ON d.device_id = k.device_id
         LEFT JOIN device_bindings b ON b.device_id = k.device_id
         LEFT JOIN sessions s ON s.device_id = k.device_id AND s.session_id = ?
         LEFT JOIN providers p ON p.provider_id = COALESCE(d.provider_id, b.provider_id, ?)`,
        [deviceId, sessionId, defaultProviderId],
      ),
    ),
    pendingLimit > 0 ? client.read((sql) => pendingCommands(sql, deviceId, sessionId, pendingLimit, now)) : Promise.resolve([]),
  ]);
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
