/**
 * Token buckets per key (device id, client address) for the SyncML endpoint's rate limits. Pure over the time it is
 * given. Memory is bounded: at most `maxKeys` buckets; a new key first drops buckets that have refilled completely (they
 * carry no information), then the least recently used ones — an attacker cycling through addresses or device ids
 * cannot grow the map without limit.
 */
export interface RateLimitDecision {
  allowed: boolean;
  /** Whole seconds until a request would be allowed (for Retry-After); 0 when allowed. */
  retryAfterSeconds: number;
}

export interface KeyedRateLimiter {
  take(key: string, now: number): RateLimitDecision;
  readonly size: number;
}

interface Bucket {
  tokens: number;
  last: number;
}

export function createKeyedRateLimiter(options: { perMinute: number; burst?: number; maxKeys?: number }): KeyedRateLimiter {
  const capacity = options.burst ?? options.perMinute;
  const perMs = options.perMinute / 60_000;
  const maxKeys = options.maxKeys ?? 100_000;
  if (!(options.perMinute > 0) || !(capacity >= 1)) throw new RangeError('a rate limit needs perMinute > 0 and burst >= 1');
  const buckets = new Map<string, Bucket>();

  const refill = (b: Bucket, now: number) => {
    if (now > b.last) {
      b.tokens = Math.min(capacity, b.tokens + (now - b.last) * perMs);
      b.last = now;
    }
  };
  const makeRoom = (now: number) => {
    for (const [key, b] of buckets) {
      refill(b, now);
      if (b.tokens >= capacity) buckets.delete(key);
    }
    const excess = buckets.size - maxKeys + 1;
    if (excess > 0) {
      let n = 0;
      for (const key of buckets.keys()) {
        if (n++ >= excess) break;
        buckets.delete(key);
      }
    }
  };

  return {
    get size() {
      return buckets.size;
    },
    take(key, now) {
      let bucket = buckets.get(key);
      if (bucket) {
        buckets.delete(key); // re-inserted below: Map order is the recency order
        refill(bucket, now);
      } else {
        if (buckets.size >= maxKeys) makeRoom(now);
        bucket = { tokens: capacity, last: now };
      }
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { allowed: true, retryAfterSeconds: 0 };
      }
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) };
    },
  };
}
