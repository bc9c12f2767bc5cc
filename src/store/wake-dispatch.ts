import type { WakeRow } from './schema.js';
import type { Sql } from './sql-client.js';
import type { WakeView } from './views.js';
import { TTL_PASSED_REASON, maxAgeReason, wakeDeadlineSql } from './wake-deadline.js';
import { marks, toNumberOrNull } from './sql-values.js';
import { toWakeView } from './wake-repository.js';

/** The dispatcher's side of the wake queue: claim, settle, expire; and the proof of wake from a 1200 session. */

/** Claim a wake: the worker that sends it, and how long its lease lasts before another worker may take over. */
export interface WakeClaimRequest {
  workerId: string;
  now: number;
  limit: number;
  leaseMs: number;
  /** WAKE_MAX_AGE_SECONDS: a wake past its deadline (wake-deadline.ts) is left to the sweeper, never sent. */
  maxAgeSeconds: number;
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
 * Claims up to `limit` due wakes for one worker: pending ones whose next attempt is due and 'sending' ones whose lease
 * ran out (the worker died), skipping providers that are paused and wakes past their deadline. On PostgreSQL rows locked
 * by another worker are skipped (FOR UPDATE SKIP LOCKED), so several processes never claim the same wake; SQLite has a
 * single writer.
 */
export async function claimWakes(sql: Sql, claim: WakeClaimRequest): Promise<WakeView[]> {
  const lock = sql.dialect === 'postgres' ? ' FOR UPDATE OF w SKIP LOCKED' : '';
  // Paused providers as one uncorrelated sub-select (a hashed sub-plan, run once): as a correlated NOT EXISTS, PostgreSQL
  // planning with stale statistics scanned providers once per candidate wake below the sort (auto_explain of a live
  // 40,000-wake fan-out: 2,812 candidates × a providers scan, 16 ms per claim). provider_id is NOT NULL on both tables.
  const due = `${wakeDeadlineSql('w')} > CAST(? AS bigint)
         AND w.provider_id NOT IN (SELECT p.provider_id FROM providers p WHERE p.paused_until > CAST(? AS bigint))`;
  const dueParams = [claim.maxAgeSeconds, claim.maxAgeSeconds, claim.now, claim.now];
  // Two ordered walks of idx_wakes_state_next, one per state, each stopping after `limit` rows: one OR over both states
  // made PostgreSQL fetch every pending wake and sort them for each claim (26–30 ms with 50,000 pending here, the
  // fan-out's bound); this is O(limit). Up to 2 × limit rows may be locked; `limit` are updated.
  const rows = await sql.all<WakeRow>(
    `UPDATE wakes SET state = 'sending', claimed_by = ?, claimed_until = CAST(? AS bigint)
     WHERE id IN (
       SELECT c.id FROM (
         SELECT a.id, a.next_attempt_at FROM (
           SELECT w.id, w.next_attempt_at FROM wakes w
           WHERE w.state = 'pending' AND w.next_attempt_at <= CAST(? AS bigint) AND ${due}
           ORDER BY w.next_attempt_at LIMIT CAST(? AS integer)${lock}) a
         UNION ALL
         SELECT b.id, b.next_attempt_at FROM (
           SELECT w.id, w.next_attempt_at FROM wakes w
           WHERE w.state = 'sending' AND w.claimed_until <= CAST(? AS bigint) AND ${due}
           ORDER BY w.next_attempt_at LIMIT CAST(? AS integer)${lock}) b
       ) c
       ORDER BY c.next_attempt_at LIMIT CAST(? AS integer))
     RETURNING *`,
    [claim.workerId, claim.now + claim.leaseMs, claim.now, ...dueParams, claim.limit, claim.now, ...dueParams, claim.limit, claim.limit],
  );
  return rows.map(toWakeView).sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime());
}

/** Only the claiming worker may settle a claimed wake (when workerId is given). */
function claimedBy(workerId: string | undefined): { clause: string; params: unknown[] } {
  return workerId === undefined ? { clause: '', params: [] } : { clause: ' AND claimed_by = ?', params: [workerId] };
}

/** What markWakeSent did; `provenLatencyMs`: the device's session had already proven the wake, its latency known only now. */
export interface WakeSentResult {
  provenLatencyMs: number | null;
}

/**
 * WNS accepted the wake. If the device already woke (its session arrived first) the wake stays 'woke' and gets its
 * latency now. Returns null when the wake is not (any more) this worker's.
 */
export async function markWakeSent(sql: Sql, id: string, sentAt: number, outcome: string, workerId?: string): Promise<WakeSentResult | null> {
  const owner = claimedBy(workerId);
  const [row] = await sql.all<Pick<WakeRow, 'state' | 'latency_ms'>>(
    `UPDATE wakes SET state = CASE WHEN state = 'woke' THEN 'woke' ELSE 'sent' END, sent_at = CAST(? AS bigint), outcome = ?,
       attempts = attempts + 1, claimed_by = NULL, claimed_until = NULL,
       latency_ms = CASE WHEN woke_at IS NOT NULL AND woke_at >= CAST(? AS bigint) THEN woke_at - CAST(? AS bigint) ELSE latency_ms END
     WHERE id = ? AND (state = 'woke' OR (state = 'sending'${owner.clause}))
     RETURNING state, latency_ms`,
    [sentAt, outcome, sentAt, sentAt, id, ...owner.params],
  );
  if (!row) return null;
  return { provenLatencyMs: row.state === 'woke' ? toNumberOrNull(row.latency_ms) : null };
}

/**
 * Back to pending for `nextAttemptAt`: a retryable answer (`attempted`: a request reached or tried to reach the channel,
 * which uses up one of the wake's bounded attempts) or a deferral before anything was sent (provider paused, no token,
 * local rate limit), which does not.
 */
export async function rescheduleWake(
  sql: Sql,
  id: string,
  nextAttemptAt: number,
  outcome: string,
  reason: string | null,
  attempted: boolean,
  workerId?: string,
): Promise<boolean> {
  const owner = claimedBy(workerId);
  const n = await sql.run(
    `UPDATE wakes SET state = 'pending', next_attempt_at = CAST(? AS bigint), outcome = ?, reason = ?, attempts = attempts + ?,
       claimed_by = NULL, claimed_until = NULL
     WHERE id = ? AND state = 'sending'${owner.clause}`,
    [nextAttemptAt, outcome, reason, attempted ? 1 : 0, id, ...owner.params],
  );
  return n === 1;
}

/** A claimed (or pending) wake whose TTL passed before it could be sent. */
export async function markWakeExpired(sql: Sql, id: string, reason: string, workerId?: string): Promise<boolean> {
  const owner = claimedBy(workerId);
  const n = await sql.run(
    `UPDATE wakes SET state = 'expired', reason = ?, claimed_by = NULL, claimed_until = NULL
     WHERE id = ? AND state IN ('pending', 'sending')${owner.clause}`,
    [reason, id, ...owner.params],
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
 * session, and unsent ones past their deadline (TTL or maximum age, see expireUnsentWakes). Returns how many.
 */
export async function expireWakes(sql: Sql, now: number, holdSeconds: number, maxAgeSeconds: number): Promise<number> {
  const sent = await sql.run(
    `UPDATE wakes SET state = 'expired', reason = 'no session before the wake expired'
     WHERE state = 'sent' AND sent_at + CAST(COALESCE(ttl_seconds, ?) AS bigint) * 1000 <= CAST(? AS bigint)`,
    [holdSeconds, now],
  );
  return sent + (await expireUnsentWakes(sql, now, maxAgeSeconds));
}

/**
 * Pending wakes, and claimed ones whose lease ran out, past their deadline (requested_at + min(TTL, maximum age)) →
 * 'expired'. The reason says which bound ended it, the last outcome and the provider's problem (e.g. why its sends are
 * paused), so the operator can tell why the wake never went out. `deviceIds` limits it to those devices (requestWakes;
 * an empty list expires nothing; keep it to a page, each id is one bound parameter).
 */
export async function expireUnsentWakes(sql: Sql, now: number, maxAgeSeconds: number, deviceIds?: readonly string[]): Promise<number> {
  if (deviceIds !== undefined && deviceIds.length === 0) return 0;
  const device = deviceIds === undefined ? '' : ` AND wakes.device_id IN (${marks(deviceIds.length)})`;
  return sql.run(
    `UPDATE wakes SET state = 'expired', claimed_by = NULL, claimed_until = NULL,
       reason = CASE WHEN ttl_seconds IS NOT NULL AND ttl_seconds <= CAST(? AS integer) THEN CAST(? AS text) ELSE CAST(? AS text) END
         || COALESCE('; last outcome: ' || outcome || COALESCE(' (' || reason || ')', ''), '')
         || COALESCE((SELECT '; provider problem: ' || p.problem FROM providers p WHERE p.provider_id = wakes.provider_id), '')
     WHERE (wakes.state = 'pending' OR (wakes.state = 'sending' AND wakes.claimed_until <= CAST(? AS bigint)))${device}
       AND ${wakeDeadlineSql('wakes')} <= CAST(? AS bigint)`,
    [maxAgeSeconds, TTL_PASSED_REASON, maxAgeReason(maxAgeSeconds), now, ...(deviceIds ?? []), maxAgeSeconds, maxAgeSeconds, now],
  );
}
