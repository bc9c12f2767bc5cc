import { expect, it } from 'vitest';
import type { SessionEffect } from '../../../src/session/ports.js';
import { StoreError } from '../../../src/store/errors.js';
import { DEFAULT_ALERT_RETENTION, DEFAULT_HISTORY_TRIM_EVERY, DEFAULT_PUSH_ATTEMPT_RETENTION } from '../../../src/store/history-retention.js';
import type { Store } from '../../../src/store/roles.js';
import type { StoreContext } from '../conformance.js';
import { at, checkIn, SECOND, sessionState } from '../fixtures.js';

const URI = 'https://db5p.notify.windows.com/?token=retention';

/** Alerts and push attempts keep the newest N per device; trimming happens on insert, on about one insert in K. */
export function retentionCases(ctx: StoreContext): void {
  const alerts = (deviceId: string, from: number, n: number): SessionEffect[] =>
    Array.from({ length: n }, (_, i) => ({ type: 'alert.received', deviceId, sessionId: '1', alert: '1226', data: String(from + i), at: at((from + i) * SECOND) }));
  let version = 0;
  const commitAlerts = async (store: Store, deviceId: string, from: number, n: number) => {
    await store.commitExchange({ session: sessionState(deviceId, '1'), expectedVersion: version === 0 ? null : version, effects: alerts(deviceId, from, n) });
    version++;
  };
  const alertData = async (store: Store, deviceId: string) => (await store.listAlerts({ deviceId, limit: 500 })).items.map((a) => Number(a.data));
  const attemptTimes = async (store: Store, deviceId: string) => (await store.listPushAttempts(deviceId, { limit: 500 })).items.map((a) => a.at.getTime() / SECOND - ctx.now() / SECOND);

  it('keeps the newest alerts of each device (trimming on every insert: exact)', async () => {
    version = 0;
    const store = ctx.open({ alertRetention: 3, historyTrimEvery: 1 });
    for (let i = 0; i < 3; i++) await commitAlerts(store, 'dev-1', i * 2, 2);
    expect(await alertData(store, 'dev-1')).toEqual([5, 4, 3]);
    version = 0;
    await commitAlerts(store, 'dev-2', 100, 2);
    expect(await alertData(store, 'dev-2')).toEqual([101, 100]);
    expect(await alertData(store, 'dev-1')).toEqual([5, 4, 3]);
    // One commit with more alerts than the limit keeps the newest of them.
    version = 0;
    await commitAlerts(store, 'dev-3', 0, 7);
    expect(await alertData(store, 'dev-3')).toEqual([6, 5, 4]);
  });

  it('keeps the newest push attempts of each device, whichever wake they belong to', async () => {
    const store = ctx.open({ pushAttemptRetention: 4, historyTrimEvery: 1 });
    for (const deviceId of ['dev-1', 'dev-2']) await checkIn(store, deviceId, '1', at(), [{ type: 'push.channelReported', deviceId, channelUri: URI, at: at() }]);
    const { wake } = await store.requestWake({ deviceId: 'dev-1' });
    for (let i = 0; i < 7; i++) {
      await store.recordPushAttempt({ wakeId: i < 5 ? wake.id : null, deviceId: 'dev-1', at: at(i * SECOND), httpStatus: 503, outcome: 'retry', durationMs: 1 });
    }
    await store.recordPushAttempt({ wakeId: null, deviceId: 'dev-2', at: at(), httpStatus: 200, outcome: 'received', durationMs: 1 });
    expect(await attemptTimes(store, 'dev-1')).toEqual([6, 5, 4, 3]);
    expect(await attemptTimes(store, 'dev-2')).toEqual([0]);
    expect((await store.listWakeHistory('dev-1')).items[0]?.pushAttempts.map((a) => a.at)).toEqual([at(4 * SECOND), at(3 * SECOND)]);
  });

  it('trims on about one insert in K: rows pile up between trims, and a trim brings the device back to N', async () => {
    version = 0;
    const draws: number[] = [];
    let next = 0.9;
    const store = ctx.open({ alertRetention: 2, pushAttemptRetention: 2, historyTrimEvery: 4, random: () => (draws.push(next), next) });
    await checkIn(store, 'dev-1');
    version = 1;
    for (let i = 0; i < 3; i++) await commitAlerts(store, 'dev-1', i * 2, 2);
    expect(await alertData(store, 'dev-1')).toEqual([5, 4, 3, 2, 1, 0]);
    for (let i = 0; i < 5; i++) await store.recordPushAttempt({ wakeId: null, deviceId: 'dev-1', at: at(i * SECOND), httpStatus: 503, outcome: 'retry', durationMs: 1 });
    expect(await attemptTimes(store, 'dev-1')).toEqual([4, 3, 2, 1, 0]);
    expect(draws).toHaveLength(8); // one draw per alert commit and device, one per attempt
    next = 0.2; // < 1/4: this insert trims
    await commitAlerts(store, 'dev-1', 6, 1);
    await store.recordPushAttempt({ wakeId: null, deviceId: 'dev-1', at: at(5 * SECOND), httpStatus: 503, outcome: 'retry', durationMs: 1 });
    expect(await alertData(store, 'dev-1')).toEqual([6, 5]);
    expect(await attemptTimes(store, 'dev-1')).toEqual([5, 4]);
  });

  it('trims raw exchanges the same way: they pile up to about N + K between trims, and a trim keeps the newest N', async () => {
    const draws: number[] = [];
    let next = 0.9;
    const store = ctx.open({ messageRetention: 2, historyTrimEvery: 4, random: () => (draws.push(next), next) });
    const exchange = async (deviceId: string, n: number) =>
      store.commitExchange({
        session: sessionState(deviceId, '1'),
        expectedVersion: n === 1 ? null : n - 1,
        effects: [],
        raw: { deviceId, sessionId: '1', msgID: String(n), at: at(n * SECOND), contentType: 'application/vnd.syncml.dm+xml', request: Uint8Array.from([n]), reply: Uint8Array.from([n]) },
      });
    const kept = async (deviceId: string) => (await store.listMessages(deviceId, '1')).items.map((m) => Number(m.msgID));
    for (let n = 1; n <= 5; n++) await exchange('dev-1', n);
    await exchange('dev-2', 1);
    expect(await kept('dev-1')).toEqual([1, 2, 3, 4, 5]);
    expect(draws).toHaveLength(6); // one draw per stored exchange
    next = 0.2; // < 1/4: this exchange trims its device, and only its device
    await exchange('dev-1', 6);
    expect(await kept('dev-1')).toEqual([5, 6]);
    expect(await kept('dev-2')).toEqual([1]);
  });

  it('defaults to 1,000 alerts and 2,000 push attempts per device, and refuses a limit that is not a positive integer', async () => {
    expect([DEFAULT_ALERT_RETENTION, DEFAULT_PUSH_ATTEMPT_RETENTION, DEFAULT_HISTORY_TRIM_EVERY]).toEqual([1000, 2000, 32]);
    version = 0;
    const store = ctx.open({ random: () => 0 });
    await commitAlerts(store, 'dev-1', 0, 1001);
    const kept = await store.listAlerts({ deviceId: 'dev-1', limit: 500 });
    expect(kept.items[0]?.data).toBe('1000');
    let count = kept.items.length;
    for (let cursor = kept.nextCursor; cursor; ) {
      const page = await store.listAlerts({ deviceId: 'dev-1', limit: 500, cursor });
      count += page.items.length;
      cursor = page.nextCursor;
      if (!cursor) expect(page.items.at(-1)?.data).toBe('1');
    }
    expect(count).toBe(1000);
    for (const bad of [{ alertRetention: 0 }, { pushAttemptRetention: 1.5 }, { historyTrimEvery: -1 }]) {
      expect(() => ctx.open(bad)).toThrow(StoreError);
    }
  });
}
