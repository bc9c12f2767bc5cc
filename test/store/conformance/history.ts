import { expect, it } from 'vitest';
import type { StoreContext } from '../conformance.js';
import { at, MINUTE, sessionState } from '../fixtures.js';

export function historyCases(ctx: StoreContext): void {
  it('lists sessions newest first with a cursor', async () => {
    for (let i = 1; i <= 5; i++) {
      const when = at(i * MINUTE).toISOString();
      await ctx.store.commitExchange({
        session: sessionState('dev-1', String(i), { trigger: i % 2 ? '1201' : '1200', startedAt: when, updatedAt: when, ended: i < 5 }),
        expectedVersion: null,
        effects: [],
      });
    }
    const page1 = await ctx.store.listSessions('dev-1', { limit: 2 });
    const page2 = await ctx.store.listSessions('dev-1', { limit: 2, cursor: page1.nextCursor });
    const page3 = await ctx.store.listSessions('dev-1', { limit: 2, cursor: page2.nextCursor });
    expect([...page1.items, ...page2.items, ...page3.items].map((s) => s.sessionId)).toEqual(['5', '4', '3', '2', '1']);
    expect(page3.nextCursor).toBeNull();
    expect(page1.items[0]).toEqual({ deviceId: 'dev-1', sessionId: '5', trigger: '1201', ended: false, version: 1, startedAt: at(5 * MINUTE), updatedAt: at(5 * MINUTE) });
    expect(page1.items[1]).toMatchObject({ trigger: '1200', ended: true });
    expect((await ctx.store.listSessions('dev-2')).items).toEqual([]);
  });

  it('returns the raw exchanges of a session in order, byte for byte', async () => {
    const binary = Uint8Array.from([0x02, 0x00, 0x00, 0x6a, 0xff, 0x00, 0x01]);
    for (let n = 1; n <= 3; n++) {
      await ctx.store.commitExchange({
        session: sessionState('dev-1', 'A'),
        expectedVersion: n === 1 ? null : n - 1,
        effects: [],
        raw: { deviceId: 'dev-1', sessionId: 'A', msgID: String(n), at: at(n), contentType: 'application/vnd.syncml.dm+wbxml', request: binary, reply: Uint8Array.from([n]) },
      });
    }
    await ctx.store.commitExchange({
      session: sessionState('dev-1', 'B'),
      expectedVersion: null,
      effects: [],
      raw: { deviceId: 'dev-1', sessionId: 'B', msgID: '1', at: at(9), contentType: 'x', request: Uint8Array.from([9]), reply: new Uint8Array(0) },
    });
    const first = await ctx.store.listMessages('dev-1', 'A', { limit: 2 });
    const rest = await ctx.store.listMessages('dev-1', 'A', { limit: 2, cursor: first.nextCursor });
    const all = [...first.items, ...rest.items];
    expect(all.map((m) => m.msgID)).toEqual(['1', '2', '3']);
    expect(rest.nextCursor).toBeNull();
    expect(all.every((m) => Buffer.from(m.request).equals(Buffer.from(binary)))).toBe(true);
    expect(all.map((m) => [...m.reply])).toEqual([[1], [2], [3]]);
    expect(all[0]).toMatchObject({ contentType: 'application/vnd.syncml.dm+wbxml', at: at(1), sessionId: 'A', deviceId: 'dev-1' });
    expect((await ctx.store.listMessages('dev-1', 'B')).items[0]?.reply).toEqual(new Uint8Array(0));
  });

  it('lists alerts across devices, filtered, newest first, with a cursor', async () => {
    for (const deviceId of ['dev-1', 'dev-2']) {
      await ctx.store.commitExchange({
        session: sessionState(deviceId, '1'),
        expectedVersion: null,
        effects: [
          { type: 'alert.received', deviceId, sessionId: '1', alert: '1224', alertType: 'com.microsoft/MDM/LoginStatus', data: 'user', at: at() },
          { type: 'alert.received', deviceId, sessionId: '1', alert: '1226', alertType: 'com.microsoft:mdm.unenrollment.userrequest', at: at(1) },
        ],
      });
    }
    const all = await ctx.store.listAlerts({ limit: 3 });
    const more = await ctx.store.listAlerts({ limit: 3, cursor: all.nextCursor });
    expect([...all.items, ...more.items].map((a) => `${a.deviceId}:${a.alert}`)).toEqual(['dev-2:1226', 'dev-2:1224', 'dev-1:1226', 'dev-1:1224']);
    expect(more.nextCursor).toBeNull();
    expect((await ctx.store.listAlerts({ deviceId: 'dev-1', alert: '1224' })).items.map((a) => a.data)).toEqual(['user']);
    expect((await ctx.store.listAlerts({ alertType: 'com.microsoft:mdm.unenrollment.userrequest' })).items).toHaveLength(2);
  });
}
