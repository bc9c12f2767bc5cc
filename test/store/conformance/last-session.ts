import { expect, it } from 'vitest';
import type { StoreContext } from '../conformance.js';
import { at, checkIn, MINUTE, sessionState } from '../fixtures.js';

/** The device's last session summary comes with the device (getDevice and listDevices), in the same statement. */
export function lastSessionCases(ctx: StoreContext): void {
  it('shows the session of the newest message with its trigger, times and end, on get and list', async () => {
    await checkIn(ctx.store, 'dev-1', '1', at());
    await checkIn(ctx.store, 'dev-2', '7', at());
    await ctx.store.commitExchange({
      session: sessionState('dev-1', '2', { trigger: '1200', startedAt: at(MINUTE).toISOString(), updatedAt: at(MINUTE).toISOString() }),
      expectedVersion: null,
      effects: [],
    });
    await ctx.store.commitExchange({
      session: sessionState('dev-1', '2', { trigger: '1200', startedAt: at(MINUTE).toISOString(), updatedAt: at(2 * MINUTE).toISOString(), ended: true }),
      expectedVersion: 1,
      effects: [],
    });
    const expected = { deviceId: 'dev-1', sessionId: '2', trigger: '1200', ended: true, version: 2, startedAt: at(MINUTE), updatedAt: at(2 * MINUTE) };
    expect(await ctx.store.getDevice('dev-1')).toMatchObject({ lastSessionId: '2', lastSession: expected });
    const listed = await ctx.store.listDevices({});
    expect(listed.items.map((d) => d.lastSession)).toEqual([
      expected,
      { deviceId: 'dev-2', sessionId: '7', trigger: '1201', ended: false, version: 1, startedAt: at(), updatedAt: at() },
    ]);
  });

  it('follows the session the device last spoke in, even when an older one is resumed', async () => {
    await checkIn(ctx.store, 'dev-1', 'A', at());
    await checkIn(ctx.store, 'dev-1', 'B', at(MINUTE));
    await ctx.store.commitExchange({
      session: sessionState('dev-1', 'A', { updatedAt: at(2 * MINUTE).toISOString() }),
      expectedVersion: 1,
      effects: [],
    });
    expect((await ctx.store.getDevice('dev-1'))?.lastSession).toMatchObject({ sessionId: 'A', version: 2, updatedAt: at(2 * MINUTE) });
  });
}
