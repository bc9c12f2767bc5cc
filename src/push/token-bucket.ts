/**
 * Token bucket rate limiter (one per provider / PFN: "WNS reserves the right to block push notifications to your PFN if
 * improper use of notifications is detected", PROTOCOL.md f). Pure over the time it is given.
 *
 * `reserve` hands out future slots: concurrent callers each get their own wait (1/rate apart) instead of all waking
 * at once to fight over the next token.
 */
export interface RateLimit {
  /** Sustained sends per second. */
  ratePerSecond: number;
  /** Sends allowed at once after a quiet period. */
  burst: number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly limit: RateLimit,
    now: number,
  ) {
    if (!(limit.ratePerSecond > 0) || !(limit.burst >= 1)) throw new RangeError('rate limit needs ratePerSecond > 0 and burst >= 1');
    this.tokens = limit.burst;
    this.last = now;
  }

  /**
   * Reserves one send: the milliseconds to wait before it (0: now), or null when that wait would exceed `maxWaitMs`
   * (then nothing is reserved).
   */
  reserve(now: number, maxWaitMs: number): number | null {
    this.refill(now);
    const waitMs = this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.limit.ratePerSecond);
    if (waitMs > maxWaitMs) return null;
    this.tokens -= 1;
    return waitMs;
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) * this.limit.ratePerSecond) / 1000);
      this.last = now;
    }
  }
}

/** One bucket per key, created on first use. */
export class TokenBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly limit: RateLimit) {}

  reserve(key: string, now: number, maxWaitMs: number): number | null {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.limit, now);
      this.buckets.set(key, bucket);
    }
    return bucket.reserve(now, maxWaitMs);
  }
}
