import { expect, it } from 'vitest';
import type { StoreContext } from '../conformance.js';
import { at, checkIn, MINUTE, sessionState } from '../fixtures.js';

/** getSession: one session of one device by SessionID, whether or not its raw messages are still kept. */
export function sessionLookupCases(ctx: StoreContext): void {
  it('finds a session by device and SessionID, and only for that device', async () => {
    await checkIn(ctx.store, 'dev-1', '7', at());
    await ctx.store.commitExchange({
      session: sessionState('dev-1', '7', { trigger: '1201', updatedAt: at(MINUTE).toISOString(), ended: true }),
      expectedVersion: 1,
      effects: [],
    });
    await checkIn(ctx.store, 'dev-2', '8', at());
    expect(await ctx.store.getSession('dev-1', '7')).toEqual({
      deviceId: 'dev-1',
      sessionId: '7',
      trigger: '1201',
      ended: true,
      version: 2,
      startedAt: at(),
      updatedAt: at(MINUTE),
    });
    expect(await ctx.store.getSession('dev-1', '8')).toBeNull();
    expect(await ctx.store.getSession('dev-2', '7')).toBeNull();
    expect(await ctx.store.getSession('nobody', '7')).toBeNull();
    expect((await ctx.store.listSessions('dev-1')).items).toEqual([await ctx.store.getSession('dev-1', '7')]);
  });

  it('still finds a session whose raw messages the retention limit dropped', async () => {
    const store = ctx.open({ messageRetention: 1, historyTrimEvery: 1 });
    for (const sessionId of ['A', 'B']) {
      await store.commitExchange({
        session: sessionState('dev-1', sessionId),
        expectedVersion: null,
        effects: [],
        raw: { deviceId: 'dev-1', sessionId, msgID: '1', at: at(), contentType: 'application/vnd.syncml.dm+xml', request: Uint8Array.from([1]), reply: Uint8Array.from([2]) },
      });
    }
    expect((await store.listMessages('dev-1', 'A')).items).toEqual([]);
    expect(await store.getSession('dev-1', 'A')).toMatchObject({ sessionId: 'A' });
  });
}
