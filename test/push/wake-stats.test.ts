import { describe, expect, it } from 'vitest';
import { summarizeLatencies, summarizeWakes } from '../../src/push/wake-stats.js';
import type { WakeView } from '../../src/push/wake-store.js';

const wake = (over: Partial<WakeView>): WakeView => ({
  id: 'w',
  deviceId: 'd',
  providerId: 'p',
  channelUri: 'https://x.notify.windows.com/',
  state: 'pending',
  requestedAt: new Date(0),
  ttlSeconds: null,
  cache: true,
  attempts: 0,
  nextAttemptAt: new Date(0),
  claimedBy: null,
  claimedUntil: null,
  sentAt: null,
  wokeAt: null,
  latencyMs: null,
  outcome: null,
  reason: null,
  coalesced: 0,
  ...over,
});

describe('wake stats', () => {
  it('percentiles by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(summarizeLatencies(values)).toEqual({ count: 100, minMs: 1, p50Ms: 50, p90Ms: 90, p99Ms: 99, maxMs: 100, meanMs: 51 });
    expect(summarizeLatencies([7])).toMatchObject({ p50Ms: 7, p99Ms: 7 });
    expect(summarizeLatencies([])).toMatchObject({ count: 0, p50Ms: null });
  });

  it('counts states, coalesced requests, the woke ratio and the newest problem', () => {
    const stats = summarizeWakes([
      wake({ id: 'a', state: 'sent', coalesced: 2 }),
      wake({ id: 'b', state: 'failed', outcome: 'channel-gone', reason: '410 channel expired' }),
      wake({ id: 'c', state: 'woke', latencyMs: 1200 }),
      wake({ id: 'd', state: 'woke', latencyMs: 800 }),
      wake({ id: 'e', state: 'expired', reason: 'no session before the wake expired' }),
    ]);
    expect(stats.byState).toEqual({ pending: 0, sending: 0, sent: 1, woke: 2, expired: 1, failed: 1 });
    expect(stats.coalesced).toBe(2);
    expect(stats.wokeRatio).toBe(0.5);
    expect(stats.latency).toMatchObject({ count: 2, minMs: 800, maxMs: 1200, meanMs: 1000 });
    expect(stats.lastProblem).toEqual({ wakeId: 'b', state: 'failed', outcome: 'channel-gone', reason: '410 channel expired' });
  });
});
