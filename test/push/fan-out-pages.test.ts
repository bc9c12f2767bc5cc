/**
 * Fan-out (requestWakes) over a real database and the fake WNS: one store call per page, the per-wake follow-up
 * (channel policy, metrics) as for a single request, the summary, and sending while later pages are stored.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { noopPushMetrics, type PushMetrics } from '../../src/push/push-metrics.js';
import type { Store } from '../../src/store/roles.js';
import { describeOnBackends, type TestDatabase } from '../support/databases.js';
import { startPushHarness, type PushHarness } from './push-harness.js';

describeOnBackends('push fan-out pages', (backend) => {
  let db: TestDatabase;
  let h: PushHarness;
  beforeAll(async () => {
    db = await backend.create();
  });
  afterAll(async () => {
    await db.dispose();
  });
  beforeEach(async () => {
    await db.reset();
    h = await startPushHarness(db.dataSource);
  });
  afterEach(async () => {
    await h.close();
  });

  /** A store that records which of its methods were called, and may hold a call back. */
  const watched = (calls: string[], before?: (key: string, n: number) => Promise<void>) => (store: Store): Store =>
    new Proxy(store, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver);
        if (typeof value !== 'function' || typeof key !== 'string') return value;
        return async (...args: unknown[]) => {
          calls.push(key);
          await before?.(key, calls.filter((c) => c === key).length);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  const counted = () => {
    const requested: Record<string, number> = {};
    const metrics: PushMetrics = { ...noopPushMetrics, wakeRequested: (result) => void (requested[result] = (requested[result] ?? 0) + 1) };
    return { metrics, requested };
  };

  it('stores each page with one store call and follows up each wake as a single request does', async () => {
    const ids = Array.from({ length: 25 }, (_, i) => `dev-${String(i).padStart(2, '0')}`);
    for (const id of ids) await h.addDevice(id);
    await h.addDevice('dev-evil', 'https://evil.example.test/steal');
    await h.addDevice('dev-none', null);
    const calls: string[] = [];
    const { metrics, requested } = counted();
    const d = h.dispatcher({ fanOutPageSize: 10, wrapStore: watched(calls), metrics });

    const summary = await d.requestWakes({ deviceIds: [...ids, 'dev-evil', 'dev-none', 'ghost', 'dev-00'] });
    expect(summary).toMatchObject({ requested: 28, created: 25, coalesced: 0, refusedCount: 3 });
    expect([...summary.refused].sort((a, b) => a.deviceId.localeCompare(b.deviceId))).toEqual([
      { deviceId: 'dev-evil', reason: expect.stringMatching(/^device dev-evil has no usable push channel: refused by the channel policy: /) },
      { deviceId: 'dev-none', reason: 'device dev-none has no usable push channel: the device has not reported a ChannelURI' },
      { deviceId: 'ghost', reason: 'device ghost is not known' },
    ]);
    expect(calls.filter((c) => c === 'requestWakes')).toHaveLength(3);
    expect(calls.filter((c) => c === 'requestWake')).toHaveLength(0);
    expect(calls.filter((c) => c === 'settleWake')).toHaveLength(1); // the wake the channel policy refused
    expect(requested).toEqual({ created: 25, 'no-channel': 2 });
    expect((await h.store.listWakes('dev-evil')).items).toMatchObject([{ state: 'failed', outcome: 'channel-rejected' }]);
    expect((await h.store.getDevice('dev-evil'))?.push.state).toBe('invalid');

    expect(await d.drain()).toBe(25);
    expect(new Set(h.fake.channelRequests.map((r) => r.channelId))).toEqual(new Set(ids.map((id) => `ch-${id}`)));

    const again = await d.requestWakes({ deviceIds: [...ids, 'dev-evil'] });
    expect(again).toMatchObject({ requested: 26, created: 0, coalesced: 25, refusedCount: 1 });
    expect(again.refused[0]?.reason).toMatch(/^device dev-evil has no usable push channel: the channel is invalid \(refused by the channel policy: /);
    expect(requested).toEqual({ created: 25, coalesced: 25, 'no-channel': 3 });
  });

  it('lists the first 100 refusals and counts them all', async () => {
    const ghosts = Array.from({ length: 130 }, (_, i) => `ghost-${i}`);
    const summary = await h.dispatcher({ fanOutPageSize: 50 }).requestWakes({ deviceIds: ghosts });
    expect(summary).toMatchObject({ requested: 130, created: 0, coalesced: 0, refusedCount: 130 });
    expect(summary.refused).toHaveLength(100);
  });

  it('the running loop starts sending the first page while the next one is being stored', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `dev-${String(i).padStart(2, '0')}`);
    for (const id of ids) await h.addDevice(id);
    const calls: string[] = [];
    // The second page is stored only once WNS has seen a wake of the first; the loop polls only once a minute, so only
    // the notification after the first page can get it there.
    const holdSecondPage = async (key: string, n: number) => {
      if (key !== 'requestWakes' || n < 2) return;
      await expect.poll(() => h.fake.channelRequests.length, { timeout: 20_000 }).toBeGreaterThan(0);
    };
    const d = h.dispatcher({ fanOutPageSize: 6, pollIntervalMs: 60_000, wrapStore: watched(calls, holdSecondPage) });
    d.start();
    try {
      expect(await d.requestWakes({ deviceIds: ids })).toMatchObject({ requested: 12, created: 12 });
      await expect.poll(() => h.fake.channelRequests.length, { timeout: 20_000 }).toBe(12);
    } finally {
      await d.stop();
    }
  });
});
