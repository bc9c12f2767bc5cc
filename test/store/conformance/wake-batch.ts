import fc from 'fast-check';
import { expect, it } from 'vitest';
import { historyRetention } from '../../../src/store/history-retention.js';
import type { Store, WakeSettleItem, WakeSettleOutcome, WakeSettlement } from '../../../src/store/roles.js';
import { createSqlClient } from '../../../src/store/sql-client.js';
import { createStore } from '../../../src/store/store.js';
import { DEFAULT_WAKE_MAX_AGE_SECONDS } from '../../../src/store/wake-deadline.js';
import { requestWakes } from '../../../src/store/wake-request.js';
import { settleWakes } from '../../../src/store/wake-settlement.js';
import type { StoreContext } from '../conformance.js';
import { at, checkIn, MINUTE, SECOND, SECRET_KEY, sessionState } from '../fixtures.js';

const PROVIDER = 'default-provider';
const uriOf = (deviceId: string) => `https://db5p.notify.windows.com/?token=${deviceId}`;

/** What a processed wake came to, as the dispatcher would settle it. */
const KINDS = ['sent', 'retry', 'failed', 'expired', 'channel-gone', 'channel-invalid', 'provider-pause', 'provider-clear'] as const;
type Kind = (typeof KINDS)[number];

interface Planned {
  kind: Kind;
  /** Settled by a worker that lost the claim. */
  stolen: boolean;
  /** The device's 1200 session was committed before the send is settled. */
  wokeFirst: boolean;
}

function settlementOf(kind: Kind, wakeId: string, deviceId: string, workerId: string, n: number): WakeSettlement {
  const when = at(SECOND + n);
  const attempt = (httpStatus: number, outcome: string) => ({ wakeId, deviceId, at: when, httpStatus, outcome, durationMs: 3 + n, msgId: `M${n}` });
  switch (kind) {
    case 'sent':
      return { workerId, attempts: [attempt(200, 'received')], result: { kind: 'sent', sentAt: when, outcome: 'received' } };
    case 'retry':
      return {
        workerId,
        attempts: [attempt(503, 'unavailable')],
        result: { kind: 'retry', nextAttemptAt: at(MINUTE + n), outcome: 'unavailable', reason: `503 #${n}`, attempted: true },
      };
    case 'failed':
      return { workerId, attempts: [attempt(400, 'bad-request')], result: { kind: 'failed', outcome: 'bad-request', reason: `400 #${n}`, attempted: true } };
    case 'expired':
      return { workerId, attempts: [], result: { kind: 'expired', reason: `TTL passed #${n}` } };
    case 'channel-gone':
      return {
        workerId,
        attempts: [attempt(401, 'unauthorized'), attempt(410, 'channel-gone')],
        channel: { ref: { deviceId, channelUri: uriOf(deviceId) }, state: 'gone', reason: `410 #${n}`, at: when },
        result: { kind: 'failed', outcome: 'channel-gone', reason: `410 #${n}`, attempted: true },
      };
    case 'channel-invalid':
      return {
        workerId,
        attempts: [attempt(404, 'channel-invalid')],
        channel: { ref: { deviceId, channelUri: uriOf(deviceId) }, state: 'invalid', reason: `404 #${n}`, at: when },
        result: { kind: 'failed', outcome: 'channel-invalid', reason: `404 #${n}`, attempted: true },
      };
    case 'provider-pause':
      return {
        workerId,
        attempts: [attempt(406, 'throttled')],
        provider: { providerId: PROVIDER, problem: `406 throttled #${n}`, pausedUntil: at(MINUTE * (n + 1)), at: when },
        result: { kind: 'retry', nextAttemptAt: at(MINUTE * (n + 1)), outcome: 'throttled', reason: '406', attempted: true },
      };
    case 'provider-clear':
      return {
        workerId,
        attempts: [attempt(200, 'received')],
        provider: { providerId: PROVIDER, clear: true },
        result: { kind: 'sent', sentAt: when, outcome: 'received' },
      };
  }
}

export function wakeBatchCases(ctx: StoreContext): void {
  /** Devices online with a provisioned PFN, one wake each, all claimed by 'w'; some answered by a 1200 session first. */
  const setUp = async (plan: readonly Planned[]): Promise<string[]> => {
    await ctx.store.putProvider(PROVIDER, { pfn: 'P', wns: { clientId: 'c', clientSecret: 's' } });
    await ctx.store.recordProviderProblem(PROVIDER, 'old 406', { pausedUntil: at(-MINUTE), at: at(-2 * MINUTE) });
    const wakeIds: string[] = [];
    for (const [i] of plan.entries()) {
      const deviceId = `dev-${i}`;
      await checkIn(ctx.store, deviceId, '1', at(), [
        { type: 'push.channelReported', deviceId, channelUri: uriOf(deviceId), at: at() },
        { type: 'push.pfnProvisioned', deviceId, pfn: 'P', at: at() },
      ]);
      wakeIds.push((await ctx.store.requestWake({ deviceId, at: at(1) })).wake.id);
    }
    await ctx.store.claimWakes({ workerId: 'w', limit: plan.length, leaseMs: MINUTE, now: at(1) });
    for (const [i, p] of plan.entries()) {
      if (!p.wokeFirst) continue;
      await ctx.store.commitExchange({
        session: sessionState(`dev-${i}`, 'woke', { trigger: '1200' }),
        expectedVersion: null,
        effects: [{ type: 'session.serverInitiated', deviceId: `dev-${i}`, sessionId: 'woke', at: at(2 * SECOND) }],
      });
    }
    return wakeIds;
  };

  const itemsOf = (plan: readonly Planned[], order: readonly number[], repeat: number | null, wakeIds: readonly string[]): WakeSettleItem[] => {
    const items = order.map((i, n) => {
      const p = plan[i] as Planned;
      const wakeId = wakeIds[i] as string;
      return { wakeId, settlement: settlementOf(p.kind, wakeId, `dev-${i}`, p.stolen ? 'w-old' : 'w', n) };
    });
    // The same wake settled a second time in one batch (the first settlement already released the claim).
    if (repeat !== null) {
      const i = order[repeat % order.length] as number;
      const wakeId = wakeIds[i] as string;
      items.push({ wakeId, settlement: settlementOf('sent', wakeId, `dev-${i}`, 'w', items.length) });
    }
    return items;
  };

  /** Everything a settlement can change, per device, without the generated ids (wakes and channels get random ones). */
  const snapshot = async (store: Store, devices: number) => {
    const out: Record<string, unknown> = { provider: await store.getProvider(PROVIDER) };
    for (let i = 0; i < devices; i += 1) {
      const deviceId = `dev-${i}`;
      out[deviceId] = {
        device: await store.getDevice(deviceId),
        channels: await store.listChannels(deviceId),
        wakes: (await store.listWakes(deviceId)).items,
        attempts: (await store.listPushAttempts(deviceId)).items,
      };
    }
    return withoutIds(out);
  };

  const outcomesOf = (results: readonly WakeSettleOutcome[]) => results.map((r) => ('error' in r ? { error: String(r.error) } : r));

  it('a batch gives the same rows and per-item results as settling its items one by one, in order', async () => {
    const planned = fc.record({ kind: fc.constantFrom(...KINDS), stolen: fc.boolean(), wokeFirst: fc.boolean() });
    const scenario = fc
      .array(planned, { minLength: 2, maxLength: 5 })
      .chain((plan) =>
        fc.record({
          plan: fc.constant(plan),
          order: fc.shuffledSubarray([...plan.keys()], { minLength: plan.length, maxLength: plan.length }),
          repeat: fc.option(fc.nat(), { nil: null }),
        }),
      );
    await fc.assert(
      fc.asyncProperty(scenario, async ({ plan, order, repeat }) => {
        await ctx.db.reset();
        const one = itemsOf(plan, order, repeat, await setUp(plan));
        const expected: WakeSettleOutcome[] = [];
        for (const item of one) expected.push(await ctx.store.settleWake(item.wakeId, item.settlement));
        const expectedRows = await snapshot(ctx.store, plan.length);

        await ctx.db.reset();
        const batch = itemsOf(plan, order, repeat, await setUp(plan));
        const results = await ctx.store.settleWakes(batch);
        expect(outcomesOf(results)).toEqual(outcomesOf(expected));
        expect(await snapshot(ctx.store, plan.length)).toEqual(expectedRows);
      }),
      { numRuns: 10, seed: 20260115 },
    );
  });

  it('covers each kind of result in one batch: sent, proven at send, lost claim, retry, failed, expired, channel gone, provider pause', async () => {
    const plan: Planned[] = [
      { kind: 'sent', stolen: false, wokeFirst: false },
      { kind: 'sent', stolen: false, wokeFirst: true },
      { kind: 'sent', stolen: true, wokeFirst: false },
      { kind: 'retry', stolen: false, wokeFirst: false },
      { kind: 'expired', stolen: false, wokeFirst: false },
      { kind: 'channel-gone', stolen: false, wokeFirst: false },
      { kind: 'provider-pause', stolen: false, wokeFirst: false },
    ];
    const wakeIds = await setUp(plan);
    const results = await ctx.store.settleWakes(itemsOf(plan, [...plan.keys()], null, wakeIds));
    expect(results).toEqual([
      { changed: true, provenLatencyMs: null },
      { changed: true, provenLatencyMs: 2 * SECOND - (SECOND + 1) },
      { changed: false, provenLatencyMs: null },
      { changed: true, provenLatencyMs: null },
      { changed: true, provenLatencyMs: null },
      { changed: true, provenLatencyMs: null },
      { changed: true, provenLatencyMs: null },
    ]);
    const wakes = await Promise.all(wakeIds.map((id) => ctx.store.getWake(id)));
    expect(wakes.map((w) => [w?.state, w?.attempts, w?.claimedBy])).toEqual([
      ['sent', 1, null],
      ['woke', 1, null],
      ['sending', 0, 'w'],
      ['pending', 1, null],
      ['expired', 0, null],
      ['failed', 1, null],
      ['pending', 1, null],
    ]);
    expect((await ctx.store.listPushAttempts('dev-2')).items).toHaveLength(1); // the lost claim's request is still recorded
    expect((await ctx.store.getDevice('dev-5'))?.push).toMatchObject({ state: 'gone', provisionedPfn: null });
    expect(await ctx.store.getProvider(PROVIDER)).toMatchObject({ problem: '406 throttled #6', pausedUntil: at(7 * MINUTE) });
  });

  it("an item whose write fails alone gets its error; the batch's other items are settled", async () => {
    const plan: Planned[] = [0, 1, 2].map(() => ({ kind: 'sent', stolen: false, wokeFirst: false }));
    const wakeIds = await setUp(plan);
    const items = itemsOf(plan, [0, 1, 2], null, wakeIds);
    const bad = items[1] as WakeSettleItem;
    const [good] = bad.settlement.attempts;
    bad.settlement.attempts = [...bad.settlement.attempts, { ...(good as (typeof bad.settlement.attempts)[number]), wakeId: 'no-such-wake' }];
    const results = await ctx.store.settleWakes(items);
    expect(results[0]).toEqual({ changed: true, provenLatencyMs: null });
    expect(results[1]).toHaveProperty('error');
    expect(results[2]).toEqual({ changed: true, provenLatencyMs: null });
    const wakes = await Promise.all(wakeIds.map((id) => ctx.store.getWake(id)));
    expect(wakes.map((w) => w?.state)).toEqual(['sent', 'sending', 'sent']);
    expect((await ctx.store.listPushAttempts('dev-1')).items).toEqual([]); // all or nothing for the failed item
    expect((await ctx.store.listPushAttempts('dev-2')).items).toHaveLength(1);
  });

  it('keeps history retention per inserted row, trimming each device after its rows are in', async () => {
    const store = ctx.open({ pushAttemptRetention: 1, historyTrimEvery: 1 });
    const plan: Planned[] = [
      { kind: 'channel-gone', stolen: false, wokeFirst: false },
      { kind: 'channel-gone', stolen: false, wokeFirst: false },
    ];
    const wakeIds = await setUp(plan);
    await store.settleWakes(itemsOf(plan, [0, 1], null, wakeIds));
    for (const deviceId of ['dev-0', 'dev-1']) {
      expect((await store.listPushAttempts(deviceId)).items.map((a) => a.outcome)).toEqual(['channel-gone']);
    }
  });

  it('two batches over the same devices in opposite orders, a session commit and a page of wake requests run together without a deadlock', async () => {
    // Everything but the session commit runs without the store's retry-once, so a deadlock (PostgreSQL 40P01) fails the test.
    const otherDataSource = await ctx.db.connect();
    const clients = [createSqlClient(ctx.db.dataSource), createSqlClient(otherDataSource)] as const;
    const retention = historyRetention({});
    const devices = 6;
    for (let round = 0; round < 4; round += 1) {
      await ctx.db.reset();
      // Even rounds: a 410 in each batch (devices locked FOR NO KEY UPDATE); odd rounds: every lock on devices is shared,
      // and B settles without attempts (expired), so only its wakes name its devices.
      const gone = round % 2 === 0;
      const plan: Planned[] = Array.from({ length: devices }, () => ({ kind: 'sent', stolen: false, wokeFirst: false }));
      const wakeIds = await setUp(plan);
      const forward = [...plan.keys()];
      // A: the claiming worker, device 0 to 5; a 410 on the session's device.
      const a = forward.map((i) => ({ wakeId: wakeIds[i] as string, settlement: settlementOf(gone && i === 3 ? 'channel-gone' : 'sent', wakeIds[i] as string, `dev-${i}`, 'w', i) }));
      // B: a worker whose claims ran out, the same wakes from device 5 to 0; a 410 on device 0.
      const kindB = (i: number): Kind => (!gone ? 'expired' : i === 0 ? 'channel-gone' : 'retry');
      const b = [...forward].reverse().map((i) => ({ wakeId: wakeIds[i] as string, settlement: settlementOf(kindB(i), wakeIds[i] as string, `dev-${i}`, 'w-old', i) }));
      const session = createStore(otherDataSource, { secretKey: SECRET_KEY, defaultProviderId: PROVIDER, clock: () => at(3 * SECOND) });
      // A page of wake requests for the same devices (locks them FOR UPDATE, then coalesces into their wakes).
      const limits = { holdSeconds: 600, maxAgeSeconds: DEFAULT_WAKE_MAX_AGE_SECONDS };
      const [settledA, settledB, , page] = await Promise.all([
        clients[0].transaction((sql) => settleWakes(sql, a, retention)),
        clients[1].transaction((sql) => settleWakes(sql, b, retention)),
        session.commitExchange({
          session: sessionState('dev-3', `s${round}`, { trigger: '1200' }),
          expectedVersion: null,
          effects: [
            { type: 'push.channelReported', deviceId: 'dev-3', channelUri: uriOf('dev-3'), at: at(3 * SECOND) },
            { type: 'session.serverInitiated', deviceId: 'dev-3', sessionId: `s${round}`, at: at(3 * SECOND) },
          ],
        }),
        clients[0].transaction((sql) => requestWakes(sql, { deviceIds: [...forward].reverse().map((i) => `dev-${i}`) }, at(3 * SECOND).getTime(), limits)),
      ]);
      expect(page).toHaveLength(devices);
      // Device 3's result depends on whether its session committed first (a woke wake is no longer failed by a 410).
      expect(settledA.filter((r, i) => i !== 3 && r.changed)).toHaveLength(devices - 1);
      expect(settledB.some((r) => r.changed)).toBe(false);
      const attempts = await Promise.all(plan.map((_, i) => ctx.store.listPushAttempts(`dev-${i}`)));
      expect(attempts.map((p) => p.items.length)).toEqual(plan.map((_, i) => (!gone ? 1 : i === 0 || i === 3 ? 3 : 2)));
    }
  });
}

function withoutIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutIds);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'id' && key !== 'wakeId').map(([key, v]) => [key, withoutIds(v)]));
}
