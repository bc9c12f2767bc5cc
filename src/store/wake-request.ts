import { randomUUID } from 'node:crypto';
import { pushStateOf } from './channel-repository.js';
import { lockDevice } from './device-repository.js';
import { toMs } from './epoch-ms.js';
import { NoUsableChannelError, UnknownDeviceError } from './errors.js';
import type { ChannelRow, WakeRow } from './schema.js';
import type { Sql } from './sql-client.js';
import { toNumber, toNumberOrNull } from './sql-values.js';
import type { WakeRequest, WakeView } from './views.js';
import { wakeDeadline } from './wake-deadline.js';
import { expireUnsentWakes } from './wake-dispatch.js';
import { toWakeView } from './wake-repository.js';

export interface WakeLimits {
  /** Without a TTL, how long a sent wake blocks new ones. */
  holdSeconds: number;
  /** WAKE_MAX_AGE_SECONDS: an unsent wake past requested_at + min(TTL, this) is expired, not joined. */
  maxAgeSeconds: number;
}

/**
 * Stores a wake request, or folds it into the device's outstanding one (at most one per device until the device checks
 * in or the wake's TTL passes; without a TTL, `holdSeconds` bounds how long a sent wake blocks new ones). Joining never
 * extends a wake's life: an unsent one past its deadline is expired here and a new wake is stored instead.
 * Throws UnknownDeviceError, or NoUsableChannelError when there is no active unexpired channel.
 */
export async function requestWake(
  sql: Sql,
  request: WakeRequest,
  now: number,
  limits: WakeLimits,
): Promise<{ wake: WakeView; coalesced: boolean }> {
  const device = await lockDevice(sql, request.deviceId);
  if (!device) throw new UnknownDeviceError(request.deviceId);
  let outstanding = await sql.one<WakeRow>(
    `SELECT * FROM wakes WHERE device_id = ? AND state IN ('pending', 'sending', 'sent') ORDER BY requested_at DESC LIMIT 1`,
    [request.deviceId],
  );
  if (outstanding && isPastDeadline(outstanding, now, limits.maxAgeSeconds)) {
    await expireUnsentWakes(sql, now, limits.maxAgeSeconds, request.deviceId);
    outstanding = undefined;
  }
  if (outstanding && isOutstanding(outstanding, toMs(device.last_seen_at), now, limits.holdSeconds)) {
    await sql.run(`UPDATE wakes SET coalesced = coalesced + 1 WHERE id = ?`, [outstanding.id]);
    return { wake: toWakeView({ ...outstanding, coalesced: toNumber(outstanding.coalesced) + 1 }), coalesced: true };
  }
  const channel = await sql.one<ChannelRow>(
    `SELECT * FROM channels WHERE device_id = ? ORDER BY last_reported_at DESC, first_reported_at DESC LIMIT 1`,
    [request.deviceId],
  );
  const state = pushStateOf(channel ?? null, now);
  if (!channel || state !== 'active') throw new NoUsableChannelError(request.deviceId, unusableReason(channel, state));
  const row: WakeRow = {
    id: randomUUID(),
    device_id: request.deviceId,
    provider_id: device.provider_id,
    channel_uri: channel.channel_uri,
    state: 'pending',
    requested_at: now,
    ttl_seconds: request.ttlSeconds ?? null,
    cache: request.cache ?? true,
    attempts: 0,
    next_attempt_at: now,
    claimed_by: null,
    claimed_until: null,
    sent_at: null,
    woke_at: null,
    latency_ms: null,
    outcome: null,
    reason: null,
    coalesced: 0,
  };
  await sql.run(
    `INSERT INTO wakes (id, device_id, provider_id, channel_uri, state, requested_at, ttl_seconds, cache, attempts, next_attempt_at, coalesced)
     VALUES (?, ?, ?, ?, 'pending', CAST(? AS bigint), ?, ?, 0, CAST(? AS bigint), 0)`,
    [row.id, row.device_id, row.provider_id, row.channel_uri, now, row.ttl_seconds, row.cache, now],
  );
  return { wake: toWakeView(row), coalesced: false };
}

/** Pure: an unsent wake nobody is sending right now whose deadline passed (the sweeper's rule, expireUnsentWakes). */
export function isPastDeadline(
  wake: Pick<WakeRow, 'state' | 'requested_at' | 'ttl_seconds' | 'claimed_until'>,
  now: number,
  maxAgeSeconds: number,
): boolean {
  const unsent = wake.state === 'pending' || (wake.state === 'sending' && wake.claimed_until !== null && toMs(wake.claimed_until) <= now);
  return unsent && wakeDeadline(toMs(wake.requested_at), toNumberOrNull(wake.ttl_seconds), maxAgeSeconds) <= now;
}

/** Pure: does this wake still block a new one? */
export function isOutstanding(wake: Pick<WakeRow, 'state' | 'sent_at' | 'ttl_seconds'>, deviceLastSeen: number, now: number, holdSeconds: number): boolean {
  if (wake.state === 'pending' || wake.state === 'sending') return true;
  if (wake.state !== 'sent' || wake.sent_at === null) return false;
  const sentAt = toMs(wake.sent_at);
  if (deviceLastSeen > sentAt) return false; // the device checked in since
  const holdMs = (toNumberOrNull(wake.ttl_seconds) ?? holdSeconds) * 1000;
  return now < sentAt + holdMs;
}

function unusableReason(channel: ChannelRow | undefined, state: string): string {
  if (!channel) return 'the device has not reported a ChannelURI';
  switch (state) {
    case 'expired':
      return `the ChannelURI expired at ${new Date(toMs(channel.expires_at)).toISOString()}`;
    case 'gone':
      return `WNS reported the channel gone${channel.state_reason ? ` (${channel.state_reason})` : ''}`;
    case 'invalid':
      return `the channel is invalid${channel.state_reason ? ` (${channel.state_reason})` : ''}`;
    default:
      // Superseded without a newer one: the device reported none, or it moved to another provider (device-binding.ts).
      return channel.state === 'superseded' && channel.state_reason
        ? `the ChannelURI was superseded (${channel.state_reason})`
        : 'the device reported no ChannelURI';
  }
}
