import { expect, it } from 'vitest';
import type { StoreContext } from '../conformance.js';
import { at, checkIn, MINUTE, SECOND } from '../fixtures.js';

const URI = 'https://db5p.notify.windows.com/?token=history';

/** listWakeHistory: a page of wakes, each with every attempt recorded for it (queried by wake id, not cut off). */
export function wakeHistoryCases(ctx: StoreContext): void {
  const online = (deviceId: string) => checkIn(ctx.store, deviceId, '1', at(), [{ type: 'push.channelReported', deviceId, channelUri: URI, at: at() }]);
  const attempt = (wakeId: string | null, deviceId: string, ms: number, httpStatus: number) =>
    ctx.store.recordPushAttempt({ wakeId, deviceId, at: at(ms), httpStatus, outcome: httpStatus === 200 ? 'received' : 'retry', durationMs: 5 });

  it('gives each wake of the page its own attempts, newest first, however many newer attempts other wakes have', async () => {
    await online('dev-1');
    await online('dev-2');
    const { wake: older } = await ctx.store.requestWake({ deviceId: 'dev-1' });
    await attempt(older.id, 'dev-1', SECOND, 503);
    await attempt(older.id, 'dev-1', 2 * SECOND, 200);
    expect(await ctx.store.failWake(older.id, { outcome: 'gave-up', reason: 'test' })).toBe(true);
    await attempt(null, 'dev-1', 3 * SECOND, 500);
    ctx.setNow(at(MINUTE).getTime());
    const { wake: newer } = await ctx.store.requestWake({ deviceId: 'dev-1' });
    // More than the 500 newest attempts of the device: the older wake's attempts must still be found.
    for (let i = 0; i < 501; i++) await attempt(newer.id, 'dev-1', MINUTE + i, 503);
    const { wake: other } = await ctx.store.requestWake({ deviceId: 'dev-2' });
    await attempt(other.id, 'dev-2', 4 * SECOND, 200);

    const first = await ctx.store.listWakeHistory('dev-1', { limit: 1 });
    expect(first.items.map((w) => w.id)).toEqual([newer.id]);
    expect(first.items[0]?.pushAttempts).toHaveLength(501);
    expect(first.items[0]?.pushAttempts.every((a) => a.wakeId === newer.id)).toBe(true);
    expect(first.items[0]?.pushAttempts[0]?.at).toEqual(at(MINUTE + 500));
    const second = await ctx.store.listWakeHistory('dev-1', { limit: 1, cursor: first.nextCursor });
    expect(second.nextCursor).toBeNull();
    expect(second.items).toHaveLength(1);
    expect(second.items[0]).toMatchObject({ id: older.id, state: 'failed' });
    expect(second.items[0]?.pushAttempts.map((a) => [a.httpStatus, a.at])).toEqual([
      [200, at(2 * SECOND)],
      [503, at(SECOND)],
    ]);
    const { pushAttempts, ...wake } = second.items[0]!;
    expect(wake).toEqual(await ctx.store.getWake(older.id));
    expect(pushAttempts[0]).toEqual({
      id: pushAttempts[0]?.id,
      wakeId: older.id,
      deviceId: 'dev-1',
      at: at(2 * SECOND),
      httpStatus: 200,
      outcome: 'received',
      wnsStatus: null,
      deviceConnectionStatus: null,
      msgId: null,
      debugTrace: null,
      errorDescription: null,
      durationMs: 5,
    });
    expect((await ctx.store.listWakeHistory('dev-2')).items.map((w) => [w.id, w.pushAttempts.length])).toEqual([[other.id, 1]]);
  });

  it('is an empty page for a device without wakes or an unknown one', async () => {
    await online('dev-1');
    expect(await ctx.store.listWakeHistory('dev-1')).toEqual({ items: [], nextCursor: null });
    expect(await ctx.store.listWakeHistory('nobody')).toEqual({ items: [], nextCursor: null });
  });
}
