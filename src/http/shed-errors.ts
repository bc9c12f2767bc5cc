/**
 * Refusals of the SyncML endpoint under load (SECURITY.md "Limits"). Both carry the Retry-After to send:
 * a rate limit → 429 (MS-MDM §3.1.6: the client "SHOULD use the Retry-After field value", PROTOCOL.md a.1);
 * overload (concurrency cap, answer too slow, database unreachable) → 503.
 */
export class RateLimitedError extends Error {
  constructor(
    readonly scope: 'device' | 'address',
    readonly retryAfterSeconds: number,
  ) {
    super(`too many SyncML requests for this ${scope}`);
    this.name = 'RateLimitedError';
  }
}

export class OverloadedError extends Error {
  constructor(
    readonly reason: 'concurrency' | 'timeout' | 'database',
    readonly retryAfterSeconds: number,
    options?: { cause?: unknown },
  ) {
    super(reason === 'concurrency' ? 'too many SyncML requests at once' : reason === 'timeout' ? 'the answer took too long' : 'the database is unreachable', options);
    this.name = 'OverloadedError';
  }
}
