import type { DeviceRecord } from '../session/ports.js';
import { toDate } from './epoch-ms.js';
import { fromJsonText, toJsonText } from './json-text.js';
import type { DeviceRow } from './schema.js';
import type { Sql } from './sql-client.js';

/** devices (bindings: device-binding.ts). Functions over an Sql handle so they compose inside one transaction. */

export interface DeviceTouch {
  deviceId: string;
  at: number;
  sessionId: string | null;
  /** Replaces the stored DevInfo when given (DevInfo Replace carries the full set). */
  devInfo: Record<string, string> | null;
  /** Provider for a device seen for the first time when it has no binding. */
  defaultProviderId: string;
  /** Columns the same transaction's effects set afterwards, written by this statement instead (see DevicePatch). */
  patch?: DevicePatch;
}

/**
 * The device columns a message's effects set (exchange-committer.ts folds them into the touch): each field present is
 * the column's final value after the effects in order — markUnenrolled, setProvisionedPfn, setProvisionedPollHash and
 * setPushStatus as one assignment each.
 */
export interface DevicePatch {
  unenrolled?: true;
  provisionedPfn?: string | null;
  provisionedPollHash?: string | null;
  pushStatus?: { status: number; at: number };
}

/**
 * Inserts the device on first contact (provider: binding, else default) or moves last_seen_at forward, and writes the
 * patched columns in the same statement. On PostgreSQL the upsert also row-locks the device, which serialises
 * concurrent commits for one device.
 */
export async function touchDevice(sql: Sql, t: DeviceTouch): Promise<void> {
  const p = t.patch ?? {};
  // DevInfo comes with package 1 of a session (PROTOCOL.md d.4): a device that opens a session after unenrolling has
  // enrolled again. In the unenrollment session itself the patch says unenrolled, which wins: it stays unenrolled.
  const updates = ['last_seen_at = CASE WHEN excluded.last_seen_at > devices.last_seen_at THEN excluded.last_seen_at ELSE devices.last_seen_at END'];
  if (t.devInfo) updates.push('dev_info = excluded.dev_info');
  if (t.devInfo || p.unenrolled) updates.push('enrollment_state = excluded.enrollment_state');
  if (t.sessionId !== null) updates.push('last_session_id = excluded.last_session_id');
  if (p.provisionedPfn !== undefined) updates.push('provisioned_pfn = excluded.provisioned_pfn');
  if (p.provisionedPollHash !== undefined) updates.push('provisioned_poll_hash = excluded.provisioned_poll_hash');
  if (p.pushStatus) updates.push('push_status = excluded.push_status', 'push_status_at = excluded.push_status_at');
  await sql.run(
    `INSERT INTO devices (device_id, provider_id, dev_info, enrollment_state, provisioned_pfn, provisioned_poll_hash, push_status,
                          push_status_at, first_seen_at, last_seen_at, last_session_id)
     VALUES (?, COALESCE((SELECT b.provider_id FROM device_bindings b WHERE b.device_id = ?), ?), ?, ?, ?, ?, ?,
             CAST(? AS bigint), CAST(? AS bigint), CAST(? AS bigint), ?)
     ON CONFLICT (device_id) DO UPDATE SET ${updates.join(', ')}`,
    [
      t.deviceId,
      t.deviceId,
      t.defaultProviderId,
      toJsonText(t.devInfo ?? {}),
      p.unenrolled ? 'unenrolled' : 'enrolled',
      p.provisionedPfn ?? null,
      p.provisionedPollHash ?? null,
      p.pushStatus?.status ?? null,
      p.pushStatus?.at ?? null,
      t.at,
      t.at,
      t.sessionId,
    ],
  );
}

/**
 * An unenrolled device drops its DM client configuration ("removes … DM client configuration", PROTOCOL.md
 * Unenrollment), Poll schedule included: what it confirmed no longer holds.
 */
export async function markUnenrolled(sql: Sql, deviceId: string): Promise<void> {
  await sql.run(`UPDATE devices SET enrollment_state = 'unenrolled', provisioned_pfn = NULL, provisioned_poll_hash = NULL WHERE device_id = ?`, [deviceId]);
}

/** Records the PFN the device confirmed (null: the device does not hold a usable PFN, so the next session sends it). */
export async function setProvisionedPfn(sql: Sql, deviceId: string, pfn: string | null): Promise<void> {
  await sql.run(`UPDATE devices SET provisioned_pfn = ? WHERE device_id = ?`, [pfn, deviceId]);
}

/** Records the Poll schedule hash the device confirmed (null: its Poll nodes are in an unknown state). */
export async function setProvisionedPollHash(sql: Sql, deviceId: string, hash: string | null): Promise<void> {
  await sql.run(`UPDATE devices SET provisioned_poll_hash = ? WHERE device_id = ?`, [hash, deviceId]);
}

export async function setPushStatus(sql: Sql, deviceId: string, status: number, at: number): Promise<void> {
  await sql.run(`UPDATE devices SET push_status = ?, push_status_at = CAST(? AS bigint) WHERE device_id = ?`, [status, at, deviceId]);
}

/** Locks (PostgreSQL) and returns the device row, or undefined. */
export async function lockDevice(sql: Sql, deviceId: string): Promise<DeviceRow | undefined> {
  const lock = sql.dialect === 'postgres' ? ' FOR UPDATE' : '';
  return sql.one<DeviceRow>(`SELECT * FROM devices WHERE device_id = ?${lock}`, [deviceId]);
}

export function toDeviceRecord(row: DeviceRow): DeviceRecord {
  return {
    deviceId: row.device_id,
    providerId: row.provider_id,
    devInfo: fromJsonText<Record<string, string>>(row.dev_info, 'dev_info') ?? {},
    enrollmentState: row.enrollment_state === 'unenrolled' ? 'unenrolled' : 'enrolled',
    provisionedPfn: row.provisioned_pfn,
    provisionedPollHash: row.provisioned_poll_hash ?? null,
    firstSeenAt: toDate(row.first_seen_at),
    lastSeenAt: toDate(row.last_seen_at),
  };
}

