/**
 * Every wake has a deadline by which it must have been sent: requested_at + min(TTL, maximum age). The maximum age
 * (WAKE_MAX_AGE_SECONDS, default 24 h) bounds wakes without a TTL too, e.g. behind a provider paused until the operator
 * fixes it; coalescing never moves the deadline (it is tied to the request that created the wake). Past it the wake is
 * no longer claimed, and the sweeper (or the next request for the device) marks it 'expired' with a readable reason.
 */

export const DEFAULT_WAKE_MAX_AGE_SECONDS = 24 * 60 * 60;

/** Pure twin of the SQL below. */
export function wakeDeadline(requestedAt: number, ttlSeconds: number | null, maxAgeSeconds: number): number {
  return requestedAt + Math.min(ttlSeconds ?? maxAgeSeconds, maxAgeSeconds) * 1000;
}

/** SQL for the deadline of the wake row aliased `alias` (parameters: maxAgeSeconds twice). */
export function wakeDeadlineSql(alias: string): string {
  const ttl = `${alias}.ttl_seconds`;
  return `(${alias}.requested_at + CAST(CASE WHEN ${ttl} IS NOT NULL AND ${ttl} < CAST(? AS integer) THEN ${ttl} ELSE CAST(? AS integer) END AS bigint) * 1000)`;
}

/** What the operator reads on a wake that was never sent in time. */
export function maxAgeReason(maxAgeSeconds: number): string {
  return `not sent within the maximum wake age of ${duration(maxAgeSeconds)} (WAKE_MAX_AGE_SECONDS)`;
}

export const TTL_PASSED_REASON = 'TTL passed before the wake could be sent';

function duration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
