import { supersedeActiveChannel } from './channel-repository.js';
import { lockDevice } from './device-repository.js';
import { toDate } from './epoch-ms.js';
import type { DeviceBindingRow } from './schema.js';
import type { Sql } from './sql-client.js';
import type { DeviceBindingResult, DeviceProviderView } from './views.js';

/**
 * device_bindings: the operator's choice of provider for a device, before or after its first check-in (DESIGN.md
 * DEFAULT_PROVIDER_ID: "for a device with no enrollment record or explicit binding"). touchDevice gives a device seen for
 * the first time its binding's provider; the session loader uses the binding for a device not seen yet.
 *
 * Moving a known device to another provider forgets what the device confirmed under the old `Provider/{ProviderID}`
 * node — PFN, Poll schedule, Push/Status — so its next session sets the new provider's PFN (and Poll schedule) under the
 * new node, even when both providers share a PFN. Its active channel is superseded: it is WNS's channel for the old PFN,
 * and a wake sent with the new provider's credentials would get 403 and be booked as the new provider's problem
 * (push/provider-problem.ts). The channel rows stay as history. Wakes already queued keep the provider and channel they
 * were requested for (old credentials to the old channel still wake the device, whose next session then moves it).
 */
export async function bindDevice(sql: Sql, deviceId: string, providerId: string, at: number): Promise<DeviceBindingResult> {
  const device = await lockDevice(sql, deviceId);
  const previous = await sql.one<DeviceBindingRow>(`SELECT * FROM device_bindings WHERE device_id = ?`, [deviceId]);
  await sql.run(
    `INSERT INTO device_bindings (device_id, provider_id, created_at, updated_at) VALUES (?, ?, CAST(? AS bigint), CAST(? AS bigint))
     ON CONFLICT (device_id) DO UPDATE SET provider_id = excluded.provider_id, updated_at = excluded.updated_at`,
    [deviceId, providerId, at, at],
  );
  const moved = device !== undefined && device.provider_id !== providerId;
  if (moved) {
    await sql.run(
      `UPDATE devices SET provider_id = ?, provisioned_pfn = NULL, provisioned_poll_hash = NULL, push_status = NULL, push_status_at = NULL
       WHERE device_id = ?`,
      [providerId, deviceId],
    );
    const reason = `device moved from provider ${device.provider_id} to ${providerId}; its next session sets the new PFN`;
    await supersedeActiveChannel(sql, deviceId, reason, at);
  }
  const createdAt = previous ? toDate(previous.created_at) : new Date(at);
  return {
    view: {
      deviceId,
      providerId,
      source: 'binding',
      binding: { providerId, createdAt, updatedAt: new Date(at) },
      checkedIn: device !== undefined,
    },
    created: previous === undefined,
    moved,
    previousProviderId: device?.provider_id ?? previous?.provider_id ?? null,
  };
}

interface ProviderRow {
  d_provider_id: string | null;
  b_provider_id: string | null;
  b_created_at: unknown;
  b_updated_at: unknown;
}

/** The device's provider and binding; null when the device never checked in and has no binding. */
export async function getDeviceProvider(sql: Sql, deviceId: string): Promise<DeviceProviderView | null> {
  const row = await sql.one<ProviderRow>(
    `SELECT d.provider_id AS d_provider_id, b.provider_id AS b_provider_id, b.created_at AS b_created_at, b.updated_at AS b_updated_at
     FROM (SELECT CAST(? AS text) AS device_id) k
     LEFT JOIN devices d ON d.device_id = k.device_id
     LEFT JOIN device_bindings b ON b.device_id = k.device_id`,
    [deviceId],
  );
  const providerId = row?.d_provider_id ?? row?.b_provider_id;
  if (!row || !providerId) return null;
  const binding = row.b_provider_id
    ? { providerId: row.b_provider_id, createdAt: toDate(row.b_created_at), updatedAt: toDate(row.b_updated_at) }
    : null;
  return {
    deviceId,
    providerId,
    source: binding?.providerId === providerId ? 'binding' : 'default',
    binding,
    checkedIn: row.d_provider_id !== null,
  };
}
