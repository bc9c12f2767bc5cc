import { randomUUID } from 'node:crypto';
import { pushStateOf } from './channel-repository.js';
import { toMs } from './epoch-ms.js';
import { NoUsableChannelError, StoreError, UnknownDeviceError } from './errors.js';
import type { ChannelRow, DeviceRow, WakeRow } from './schema.js';
import type { Sql } from './sql-client.js';
import { marks, toNumberOrNull } from './sql-values.js';
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

/** A fan-out page: the same options for every listed device. */
export interface WakePageRequest {
  deviceIds: readonly string[];
  ttlSeconds?: number | null;
  /** X-WNS-Cache-Policy: cache (default true). */
  cache?: boolean;
}

/** What one device's request came to: exactly what requestWake answers (or throws) for it. */
export type WakeOutcome =
  | { deviceId: string; kind: 'created'; wake: WakeView }
  /** `wake` with its coalesced count after this request. */
  | { deviceId: string; kind: 'coalesced'; wake: WakeView }
  | { deviceId: string; kind: 'unknown-device' }
  /** `reason` as in NoUsableChannelError. */
  | { deviceId: string; kind: 'no-channel'; reason: string };

/**
 * Most device ids in one requestWakes call. Each statement binds at most one parameter per device (eight per new wake in
 * the INSERT): 8,000, far below SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
 */
export const MAX_WAKE_PAGE = 1000;

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
  const page = { deviceIds: [request.deviceId], ttlSeconds: request.ttlSeconds ?? null, cache: request.cache ?? true };
  const [outcome] = await requestWakes(sql, page, now, limits);
  if (!outcome || outcome.kind === 'unknown-device') throw new UnknownDeviceError(request.deviceId);
  if (outcome.kind === 'no-channel') throw new NoUsableChannelError(request.deviceId, outcome.reason);
  return { wake: outcome.wake, coalesced: outcome.kind === 'coalesced' };
}

/**
 * requestWake for a page of devices (at most MAX_WAKE_PAGE ids) in the caller's transaction, set-based: lock the
 * devices, read their outstanding wakes, expire those past their deadline, coalesce into the others (one UPDATE), read
 * the remaining devices' newest channels, insert the new wakes (one multi-row INSERT) — four to six statements for the
 * whole page. Returns one outcome per listed id, in order, each what requestWake called for the ids one at a time
 * would have answered. An id listed k times is requested k times: the r-th occurrences of every id form round r
 * (requests for different devices touch disjoint rows, so only each device's own order matters); pages without
 * duplicates take one round.
 */
export async function requestWakes(sql: Sql, request: WakePageRequest, now: number, limits: WakeLimits): Promise<WakeOutcome[]> {
  if (request.deviceIds.length > MAX_WAKE_PAGE) {
    throw new StoreError(`a wake page holds at most ${MAX_WAKE_PAGE} devices, got ${request.deviceIds.length}`);
  }
  const rounds: { index: number; deviceId: string }[][] = [];
  const occurrences = new Map<string, number>();
  request.deviceIds.forEach((deviceId, index) => {
    const round = occurrences.get(deviceId) ?? 0;
    occurrences.set(deviceId, round + 1);
    (rounds[round] ??= []).push({ index, deviceId });
  });
  const outcomes: WakeOutcome[] = new Array<WakeOutcome>(request.deviceIds.length);
  for (const round of rounds) {
    const byDevice = await requestRound(sql, round.map((r) => r.deviceId), request, now, limits);
    for (const { index, deviceId } of round) {
      const outcome = byDevice.get(deviceId);
      if (!outcome) throw new StoreError(`wake request for device ${deviceId} came to nothing`); // not reached: every id gets one
      outcomes[index] = outcome;
    }
  }
  return outcomes;
}

/** One round: distinct device ids (new wakes are inserted in this order). */
async function requestRound(
  sql: Sql,
  deviceIds: readonly string[],
  request: WakePageRequest,
  now: number,
  limits: WakeLimits,
): Promise<Map<string, WakeOutcome>> {
  const out = new Map<string, WakeOutcome>();
  const devices = await lockDevices(sql, deviceIds);
  const known = deviceIds.filter((id) => devices.has(id));
  for (const deviceId of deviceIds) if (!devices.has(deviceId)) out.set(deviceId, { deviceId, kind: 'unknown-device' });
  if (known.length === 0) return out;

  const newest = await newestOutstandingWakes(sql, known);
  const pastDeadline: string[] = [];
  const joined: string[] = [];
  const fresh: string[] = [];
  for (const deviceId of known) {
    const device = devices.get(deviceId) as LockedDevice;
    let outstanding = newest.get(deviceId);
    if (outstanding && isPastDeadline(outstanding, now, limits.maxAgeSeconds)) {
      pastDeadline.push(deviceId);
      outstanding = undefined;
    }
    if (outstanding && isOutstanding(outstanding, toMs(device.last_seen_at), now, limits.holdSeconds)) joined.push(outstanding.id);
    else fresh.push(deviceId);
  }
  await expireUnsentWakes(sql, now, limits.maxAgeSeconds, pastDeadline);
  if (joined.length > 0) {
    const rows = await sql.all<WakeRow>(`UPDATE wakes SET coalesced = coalesced + 1 WHERE id IN (${marks(joined.length)}) RETURNING *`, joined);
    for (const row of rows) out.set(row.device_id, { deviceId: row.device_id, kind: 'coalesced', wake: toWakeView(row) });
  }
  if (fresh.length === 0) return out;

  const channels = await newestChannels(sql, fresh);
  const created: WakeRow[] = [];
  for (const deviceId of fresh) {
    const channel = channels.get(deviceId);
    const state = pushStateOf(channel ?? null, now);
    if (!channel || state !== 'active') {
      out.set(deviceId, { deviceId, kind: 'no-channel', reason: unusableReason(channel, state) });
      continue;
    }
    created.push(newWake(deviceId, (devices.get(deviceId) as LockedDevice).provider_id, channel.channel_uri, request, now));
  }
  if (created.length > 0) {
    const params: unknown[] = [];
    const tuples = created.map((w) => {
      params.push(w.id, w.device_id, w.provider_id, w.channel_uri, now, w.ttl_seconds, w.cache, now);
      return `(?, ?, ?, ?, 'pending', CAST(? AS bigint), ?, ?, 0, CAST(? AS bigint), 0)`;
    });
    await sql.run(
      `INSERT INTO wakes (id, device_id, provider_id, channel_uri, state, requested_at, ttl_seconds, cache, attempts, next_attempt_at, coalesced)
       VALUES ${tuples.join(', ')}`,
      params,
    );
    for (const row of created) out.set(row.device_id, { deviceId: row.device_id, kind: 'created', wake: toWakeView(row) });
  }
  return out;
}

type LockedDevice = Pick<DeviceRow, 'device_id' | 'provider_id' | 'last_seen_at'>;

/**
 * Locks (PostgreSQL) and reads the listed devices that exist, in device-id order: with ORDER BY and FOR UPDATE "ORDER BY
 * is applied first. The command sorts the result, but might then block trying to obtain a lock" (PostgreSQL docs, SELECT,
 * The Locking Clause), i.e. rows are locked in sort order. So two concurrent pages lock their common devices in the
 * same order and cannot deadlock on them; the session committer and settleWake lock one device, before its channels and
 * wakes (lock order: device, channels, wakes — wake-settlement.ts), and so does this page.
 */
async function lockDevices(sql: Sql, deviceIds: readonly string[]): Promise<Map<string, LockedDevice>> {
  const lock = sql.dialect === 'postgres' ? ' FOR UPDATE' : '';
  const rows = await sql.all<LockedDevice>(
    `SELECT device_id, provider_id, last_seen_at FROM devices WHERE device_id IN (${marks(deviceIds.length)}) ORDER BY device_id${lock}`,
    deviceIds,
  );
  return new Map(rows.map((r) => [r.device_id, r]));
}

/** Each device's newest outstanding (pending, sending or sent) wake; ties on requested_at go to the greater id. */
async function newestOutstandingWakes(sql: Sql, deviceIds: readonly string[]): Promise<Map<string, WakeRow>> {
  const rows = await sql.all<WakeRow>(
    `SELECT * FROM wakes WHERE device_id IN (${marks(deviceIds.length)}) AND state IN ('pending', 'sending', 'sent')`,
    deviceIds,
  );
  const newest = new Map<string, WakeRow>();
  for (const row of rows) {
    const best = newest.get(row.device_id);
    const later = !best || toMs(row.requested_at) > toMs(best.requested_at) || (toMs(row.requested_at) === toMs(best.requested_at) && row.id > best.id);
    if (later) newest.set(row.device_id, row);
  }
  return newest;
}

/** Each device's newest channel, whatever its state (listChannels' order; ties go to the greater id). */
async function newestChannels(sql: Sql, deviceIds: readonly string[]): Promise<Map<string, ChannelRow>> {
  const rows = await sql.all<ChannelRow>(
    `SELECT * FROM (
       SELECT c.*, ROW_NUMBER() OVER (PARTITION BY c.device_id ORDER BY c.last_reported_at DESC, c.first_reported_at DESC, c.id DESC) AS newest
       FROM channels c WHERE c.device_id IN (${marks(deviceIds.length)})
     ) ranked WHERE newest = 1`,
    deviceIds,
  );
  return new Map(rows.map((r) => [r.device_id, r]));
}

function newWake(deviceId: string, providerId: string, channelUri: string, request: WakePageRequest, now: number): WakeRow {
  return {
    id: randomUUID(),
    device_id: deviceId,
    provider_id: providerId,
    channel_uri: channelUri,
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

/** Why a device cannot be woken (NoUsableChannelError.reason), from its newest channel and that channel's push state. */
export function unusableReason(channel: ChannelRow | undefined, state: string): string {
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
