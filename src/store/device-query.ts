import { pushStateOf, pushStateSql, toChannelView } from './channel-repository.js';
import { toDeviceRecord } from './device-repository.js';
import { decodeCursor, encodeCursor, pageLimit } from './page-cursor.js';
import type { ChannelRow, DeviceRow } from './schema.js';
import type { Sql } from './sql-client.js';
import { marks, toBool, toNumber, toNumberOrNull } from './sql-values.js';
import { dateOrNull, toDate } from './epoch-ms.js';
import type { DeviceDetails, DeviceFilter, Page, SessionSummary } from './views.js';

interface DeviceDetailsRow extends DeviceRow {
  c_id: string | null;
  c_channel_uri: string | null;
  c_first_reported_at: unknown;
  c_last_reported_at: unknown;
  c_expires_at: unknown;
  c_state: string | null;
  c_state_reason: string | null;
  c_state_at: unknown;
  p_pfn: string | null;
  pending_commands: unknown;
  s_session_id: string | null;
  s_trigger: string | null;
  s_ended: unknown;
  s_version: unknown;
  s_started_at: unknown;
  s_updated_at: unknown;
}

/**
 * Devices with their push state and last session in one statement: the newest channel, the provider's PFN and the
 * session named by last_session_id (a probe of the unique (device_id, session_id) index) joined per device.
 */
const SELECT_DETAILS = `
  SELECT d.*, c.id AS c_id, c.channel_uri AS c_channel_uri, c.first_reported_at AS c_first_reported_at,
         c.last_reported_at AS c_last_reported_at, c.expires_at AS c_expires_at, c.state AS c_state,
         c.state_reason AS c_state_reason, c.state_at AS c_state_at, p.pfn AS p_pfn,
         (SELECT COUNT(*) FROM commands q WHERE q.device_id = d.device_id AND q.state = 'queued') AS pending_commands,
         s.session_id AS s_session_id, s."trigger" AS s_trigger, s.ended AS s_ended, s.version AS s_version,
         s.started_at AS s_started_at, s.updated_at AS s_updated_at
  FROM devices d
  LEFT JOIN channels c ON c.id = (SELECT c2.id FROM channels c2 WHERE c2.device_id = d.device_id
                                  ORDER BY c2.last_reported_at DESC, c2.first_reported_at DESC LIMIT 1)
  LEFT JOIN providers p ON p.provider_id = d.provider_id
  LEFT JOIN sessions s ON s.device_id = d.device_id AND s.session_id = d.last_session_id`;

export async function getDevice(sql: Sql, deviceId: string, now: number): Promise<DeviceDetails | null> {
  const row = await sql.one<DeviceDetailsRow>(`${SELECT_DETAILS} WHERE d.device_id = ?`, [deviceId]);
  return row ? toDeviceDetails(row, now) : null;
}

/** Devices ordered by DeviceID, keyset-paginated, with the filters of DeviceFilter. */
export async function listDevices(sql: Sql, filter: DeviceFilter, now: number): Promise<Page<DeviceDetails>> {
  const limit = pageLimit(filter.limit);
  const after = decodeCursor<string>(filter.cursor, (v) => typeof v === 'string');
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, ...values: unknown[]) => {
    where.push(clause);
    params.push(...values);
  };
  if (after !== null) add('d.device_id > ?', after);
  if (filter.providerId !== undefined) add('d.provider_id = ?', filter.providerId);
  if (filter.lastSeenAfter) add('d.last_seen_at >= CAST(? AS bigint)', filter.lastSeenAfter.getTime());
  if (filter.lastSeenBefore) add('d.last_seen_at < CAST(? AS bigint)', filter.lastSeenBefore.getTime());
  if (filter.hasPendingCommands !== undefined) {
    add(`${filter.hasPendingCommands ? '' : 'NOT '}EXISTS (SELECT 1 FROM commands q2 WHERE q2.device_id = d.device_id AND q2.state = 'queued')`);
  }
  if (filter.pushState !== undefined) {
    const states = Array.isArray(filter.pushState) ? filter.pushState : [filter.pushState];
    if (states.length === 0) return { items: [], nextCursor: null };
    add(`(${pushStateSql}) IN (${marks(states.length)})`, now, ...states);
  }
  const rows = await sql.all<DeviceDetailsRow>(
    `${SELECT_DETAILS}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY d.device_id LIMIT ?`,
    [...params, limit + 1],
  );
  const items = rows.slice(0, limit).map((r) => toDeviceDetails(r, now));
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.deviceId) : null };
}

function toDeviceDetails(row: DeviceDetailsRow, now: number): DeviceDetails {
  const channel: ChannelRow | null =
    row.c_id === null
      ? null
      : {
          id: row.c_id,
          device_id: row.device_id,
          channel_uri: row.c_channel_uri ?? '',
          first_reported_at: row.c_first_reported_at as number,
          last_reported_at: row.c_last_reported_at as number,
          expires_at: row.c_expires_at as number,
          state: row.c_state ?? 'active',
          state_reason: row.c_state_reason,
          state_at: row.c_state_at as number | null,
        };
  return {
    ...toDeviceRecord(row),
    lastSessionId: row.last_session_id,
    lastSession: lastSessionOf(row),
    pendingCommands: toNumber(row.pending_commands),
    push: {
      state: pushStateOf(channel, now),
      provisionedPfn: row.provisioned_pfn,
      providerPfn: row.p_pfn,
      channel: channel ? toChannelView(channel) : null,
      status: toNumberOrNull(row.push_status),
      statusAt: dateOrNull(row.push_status_at),
    },
  };
}

function lastSessionOf(row: DeviceDetailsRow): SessionSummary | null {
  if (row.s_session_id === null || row.s_session_id === undefined) return null;
  return {
    deviceId: row.device_id,
    sessionId: row.s_session_id,
    trigger: row.s_trigger,
    ended: toBool(row.s_ended),
    version: toNumber(row.s_version),
    startedAt: toDate(row.s_started_at),
    updatedAt: toDate(row.s_updated_at),
  };
}
