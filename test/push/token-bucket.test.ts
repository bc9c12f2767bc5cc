import { describe, expect, it } from 'vitest';
import { TokenBucket, TokenBuckets } from '../../src/push/token-bucket.js';

describe('token bucket', () => {
  it('grants the burst at once, then one slot per 1/rate, each caller its own slot', () => {
    const b = new TokenBucket({ ratePerSecond: 4, burst: 2 }, 0);
    expect([b.reserve(0, 10_000), b.reserve(0, 10_000)]).toEqual([0, 0]);
    expect([b.reserve(0, 10_000), b.reserve(0, 10_000), b.reserve(0, 10_000)]).toEqual([250, 500, 750]);
  });

  it('refills over time up to the burst', () => {
    const b = new TokenBucket({ ratePerSecond: 10, burst: 3 }, 0);
    for (let i = 0; i < 3; i += 1) b.reserve(0, 0);
    expect(b.reserve(0, 0)).toBeNull();
    expect(b.reserve(100, 0)).toBe(0);
    expect([b.reserve(10_000, 0), b.reserve(10_000, 0), b.reserve(10_000, 0), b.reserve(10_000, 0)]).toEqual([0, 0, 0, null]);
  });

  it('reserves nothing when the wait would be too long', () => {
    const b = new TokenBucket({ ratePerSecond: 1, burst: 1 }, 0);
    expect(b.reserve(0, 0)).toBe(0);
    expect(b.reserve(0, 999)).toBeNull();
    expect(b.reserve(0, 1000)).toBe(1000);
  });

  it('keeps one bucket per key and rejects nonsense limits', () => {
    const buckets = new TokenBuckets({ ratePerSecond: 1, burst: 1 });
    expect([buckets.reserve('a', 0, 0), buckets.reserve('b', 0, 0), buckets.reserve('a', 0, 0)]).toEqual([0, 0, null]);
    expect(() => new TokenBucket({ ratePerSecond: 0, burst: 1 }, 0)).toThrow(RangeError);
  });
});
