import { randomUUID } from 'node:crypto';
import { dateOrNull, toDate, toMs } from './epoch-ms.js';
import { NoUsableChannelError, UnknownDeviceError } from './errors.js';
import { lockDevice } from './device-repository.js';
import { pushStateOf } from './channel-repository.js';
import { decodeCursor, encodeCursor, pageLimit } from './page-cursor.js';
import type { ChannelRow, WakeRow } from './schema.js';
import type { Sql } from './sql-client.js';
import { toBool, toNumber, toNumberOrNull } from './sql-values.js';
import type { Page, PageRequest, WakeRequest, WakeState, WakeView } from './views.js';

/** Wakes (issue 4): stored first, then claimed and sent by a dispatcher; proven by the session they cause. */

/** Claim a wake: the worker that sends it, and how long its lease lasts before another worker may take over. */
export interface WakeClaimRequest {
  workerId: string;
  now: number;
  limit: number;
  leaseMs: number;
}

/**
 * session.serverInitiated: the device opened a session with Alert 1200, so its newest outstanding wake worked.
 * 'sending' counts too: the device may answer before the sender has recorded the WNS response.
 */
export async function markWoke(sql: Sql, deviceId: string, at: number): Promise<void> {
  await sql.run(
    `UPDATE wakes SET state = 'woke', woke_at = CAST(? AS bigint), claimed_by = NULL, claimed_until = NULL,
       latency_ms = CASE WHEN sent_at IS NULL OR sent_at > CAST(? AS bigint) THEN NULL ELSE CAST(? AS bigint) - sent_at END
     WHERE id = (SELECT w.id FROM wakes w WHERE w.device_id = ? AND w.state IN ('sent', 'sending')
                 ORDER BY COALESCE(w.sent_at, w.requested_at) DESC LIMIT 1)`,
    [at, at, at, deviceId],
  );
}

/**
 * Stores a wake request, or folds it into the device's outstanding one (at most one per device until the device checks
 * in or the wake's TTL passes; without a TTL, `holdSeconds` bounds how long a sent wake blocks new ones).
 * Throws UnknownDeviceError, or NoUsableChannelError when there is no active unexpired channel.
 */
export async function requestWake(
  sql: Sql,
  request: WakeRequest,
  now: number,
  holdSeconds: number,
): Promise<{ wake: WakeView; coalesced: boolean }> {
  const device = await lockDevice(sql, request.deviceId);
  if (!device) throw new UnknownDeviceError(request.deviceId);
  const outstanding = await sql.one<WakeRow>(
    `SELECT * FROM wakes WHERE device_id = ? AND state IN ('pending', 'sending', 'sent') ORDER BY requested_at DESC LIMIT 1`,
    [request.deviceId],
  );
  if (outstanding && isOutstanding(outstanding, toMs(device.last_seen_at), now, holdSeconds)) {
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
      return 'the device reported no ChannelURI';
  }
}

/**
 * Claims up to `limit` due wakes for one worker: pending ones whose next attempt is due and 'sending' ones whose lease
 * ran out (the worker died), skipping providers that are paused. On PostgreSQL rows locked by another worker are skipped
 * (FOR UPDATE SKIP LOCKED), so several processes never claim the same wake; SQLite has a single writer.
 */
export async function claimWakes(sql: Sql, claim: WakeClaimRequest): Promise<WakeView[]> {
  const lock = sql.dialect === 'postgres' ? ' FOR UPDATE OF w SKIP LOCKED' : '';
  const rows = await sql.all<WakeRow>(
    `UPDATE wakes SET state = 'sending', claimed_by = ?, claimed_until = CAST(? AS bigint)
     WHERE id IN (
       SELECT w.id FROM wakes w
       WHERE ((w.state = 'pending' AND w.next_attempt_at <= CAST(? AS bigint)) OR (w.state = 'sending' AND w.claimed_until <= CAST(? AS bigint)))
         AND NOT EXISTS (SELECT 1 FROM providers p WHERE p.provider_id = w.provider_id AND p.paused_until > CAST(? AS bigint))
       ORDER BY w.next_attempt_at LIMIT ?${lock})
     RETURNING *`,
    [claim.workerId, claim.now + claim.leaseMs, claim.now, claim.now, claim.now, claim.limit],
  );
  return rows.map(toWakeView).sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime());
}

/** Only the claiming worker may settle a claimed wake (when workerId is given). */
function claimedBy(workerId: string | undefined): { clause: string; params: unknown[] } {
  return workerId === undefined ? { clause: '', params: [] } : { clause: ' AND claimed_by = ?', params: [workerId] };
}

/**
 * WNS accepted the wake. If the device already woke (its session arrived first) the wake stays 'woke' and gets its
 * latency now. Returns false when the wake is not (any more) this worker's.
 */
export async function markWakeSent(sql: Sql, id: string, sentAt: number, outcome: string, workerId?: string): Promise<boolean> {
  const owner = claimedBy(workerId);
  const n = await sql.run(
    `UPDATE wakes SET state = CASE WHEN state = 'woke' THEN 'woke' ELSE 'sent' END, sent_at = CAST(? AS bigint), outcome = ?,
       attempts = attempts + 1, claimed_by = NULL, claimed_until = NULL,
       latency_ms = CASE WHEN woke_at IS NOT NULL AND woke_at >= CAST(? AS bigint) THEN woke_at - CAST(? AS bigint) ELSE latency_ms END
     WHERE id = ? AND (state = 'woke' OR (state = 'sending'${owner.clause}))`,
    [sentAt, outcome, sentAt, sentAt, id, ...owner.params],
  );
  return n === 1;
}

/** The attempt failed in a retryable way: back to pending for `nextAttemptAt`. */
export async function rescheduleWake(sql: Sql, id: string, nextAttemptAt: number, outcome: string, reason: string | null, workerId?: string): Promise<boolean> {
  const owner = claimedBy(workerId);
  const n = await sql.run(
    `UPDATE wakes SET state = 'pending', next_attempt_at = CAST(? AS bigint), outcome = ?, reason = ?, attempts = attempts + 1,
       claimed_by = NULL, claimed_until = NULL
     WHERE id = ? AND state = 'sending'${owner.clause}`,
    [nextAttemptAt, outcome, reason, id, ...owner.params],
  );
  return n === 1;
}

/** The wake cannot be delivered (channel gone or invalid, credentials refused, attempts exhausted, …). */
export async function failWake(sql: Sql, id: string, outcome: string, reason: string, attempted: boolean, workerId?: string): Promise<boolean> {
  const owner = claimedBy(workerId);
  const n = await sql.run(
    `UPDATE wakes SET state = 'failed', outcome = ?, reason = ?, attempts = attempts + ?, claimed_by = NULL, claimed_until = NULL
     WHERE id = ? AND state IN ('pending', 'sending')${owner.clause}`,
    [outcome, reason, attempted ? 1 : 0, id, ...owner.params],
  );
  return n === 1;
}

/**
 * Ends wakes that can no longer prove anything: sent ones whose TTL (or `holdSeconds` without one) passed with no
 * session, and pending ones whose TTL passed before they could be sent. Returns how many.
 */
export async function expireWakes(sql: Sql, now: number, holdSeconds: number): Promise<number> {
  const sent = await sql.run(
    `UPDATE wakes SET state = 'expired', reason = 'no session before the wake expired'
     WHERE state = 'sent' AND sent_at + CAST(COALESCE(ttl_seconds, ?) AS bigint) * 1000 <= CAST(? AS bigint)`,
    [holdSeconds, now],
  );
  const pending = await sql.run(
    `UPDATE wakes SET state = 'expired', reason = 'TTL passed before the wake could be sent', claimed_by = NULL, claimed_until = NULL
     WHERE state = 'pending' AND ttl_seconds IS NOT NULL AND requested_at + CAST(ttl_seconds AS bigint) * 1000 <= CAST(? AS bigint)`,
    [now],
  );
  return sent + pending;
}

export async function getWake(sql: Sql, id: string): Promise<WakeView | null> {
  const row = await sql.one<WakeRow>(`SELECT * FROM wakes WHERE id = ?`, [id]);
  return row ? toWakeView(row) : null;
}

/** A device's wakes, newest first. */
export async function listWakes(sql: Sql, deviceId: string, page: PageRequest): Promise<Page<WakeView>> {
  const limit = pageLimit(page.limit);
  const after = decodeCursor<[number, string]>(page.cursor, (v) => Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'string');
  const keyset = after ? ' AND (requested_at < CAST(? AS bigint) OR (requested_at = CAST(? AS bigint) AND id < ?))' : '';
  const rows = await sql.all<WakeRow>(
    `SELECT * FROM wakes WHERE device_id = ?${keyset} ORDER BY requested_at DESC, id DESC LIMIT ?`,
    [deviceId, ...(after ? [after[0], after[0], after[1]] : []), limit + 1],
  );
  const items = rows.slice(0, limit).map(toWakeView);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.requestedAt.getTime(), last.id]) : null };
}

export function toWakeView(row: WakeRow): WakeView {
  return {
    id: row.id,
    deviceId: row.device_id,
    providerId: row.provider_id,
    channelUri: row.channel_uri,
    state: row.state as WakeState,
    requestedAt: toDate(row.requested_at),
    ttlSeconds: toNumberOrNull(row.ttl_seconds),
    cache: toBool(row.cache),
    attempts: toNumber(row.attempts),
    nextAttemptAt: toDate(row.next_attempt_at),
    claimedBy: row.claimed_by,
    claimedUntil: dateOrNull(row.claimed_until),
    sentAt: dateOrNull(row.sent_at),
    wokeAt: dateOrNull(row.woke_at),
    latencyMs: toNumberOrNull(row.latency_ms),
    outcome: row.outcome,
    reason: row.reason,
    coalesced: toNumber(row.coalesced),
  };
}
