import { expect, it } from 'vitest';
import { createStore } from '../../../src/store/store.js';
import { NoUsableChannelError, UnknownDeviceError } from '../../../src/store/errors.js';
import type { StoreContext } from '../conformance.js';
import { at, checkIn, DAY, MINUTE, SECOND, SECRET_KEY, seen, sessionState } from '../fixtures.js';

const URI = 'https://db5p.notify.windows.com/?token=wake';

export function wakeCases(ctx: StoreContext): void {
  const online = (deviceId = 'dev-1', when = at()) =>
    checkIn(ctx.store, deviceId, '1', when, [{ type: 'push.channelReported', deviceId, channelUri: URI, at: when }]);

  it('refuses a wake for an unknown device or one without a usable channel, saying why', async () => {
    await expect(ctx.store.requestWake({ deviceId: 'ghost' })).rejects.toBeInstanceOf(UnknownDeviceError);
    await checkIn(ctx.store, 'dev-1');
    await expect(ctx.store.requestWake({ deviceId: 'dev-1' })).rejects.toMatchObject({ reason: 'the device has not reported a ChannelURI' });
    await ctx.store.commitExchange({
      session: sessionState('dev-1', '1'),
      expectedVersion: 1,
      effects: [{ type: 'push.channelReported', deviceId: 'dev-1', channelUri: URI, at: at(-31 * DAY) }],
    });
    const expired = ctx.store.requestWake({ deviceId: 'dev-1' });
    await expect(expired).rejects.toBeInstanceOf(NoUsableChannelError);
    await expect(expired).rejects.toMatchObject({ reason: expect.stringContaining('expired') });
  });

  it('stores a pending wake and folds repeated requests into it', async () => {
    await ctx.store.putProvider('default-provider', { pfn: 'P' });
    await online();
    const first = await ctx.store.requestWake({ deviceId: 'dev-1', ttlSeconds: 120, cache: false });
    expect(first.coalesced).toBe(false);
    expect(first.wake).toMatchObject({
      deviceId: 'dev-1',
      providerId: 'default-provider',
      channelUri: URI,
      state: 'pending',
      requestedAt: at(),
      ttlSeconds: 120,
      cache: false,
      attempts: 0,
      nextAttemptAt: at(),
      coalesced: 0,
    });
    const second = await ctx.store.requestWake({ deviceId: 'dev-1' });
    expect(second).toMatchObject({ coalesced: true, wake: { id: first.wake.id, coalesced: 1 } });
    expect((await ctx.store.listWakes('dev-1')).items.map((w) => w.id)).toEqual([first.wake.id]);
  });

  it('claims due wakes once, and again only after the lease runs out', async () => {
    await online();
    const { wake } = await ctx.store.requestWake({ deviceId: 'dev-1' });
    const claimed = await ctx.store.claimWakes({ workerId: 'w1', limit: 10, leaseMs: MINUTE, now: at() });
    expect(claimed).toEqual([{ ...wake, state: 'sending', claimedBy: 'w1', claimedUntil: at(MINUTE) }]);
    expect(await ctx.store.claimWakes({ workerId: 'w2', limit: 10, leaseMs: MINUTE, now: at(SECOND) })).toEqual([]);
    const reclaimed = await ctx.store.claimWakes({ workerId: 'w2', limit: 10, leaseMs: MINUTE, now: at(MINUTE) });
    expect(reclaimed.map((w) => [w.id, w.claimedBy])).toEqual([[wake.id, 'w2']]);
    expect(await ctx.store.markWakeSent(wake.id, { sentAt: at(MINUTE), outcome: 'received', workerId: 'w1' })).toBe(false);
    expect(await ctx.store.markWakeSent(wake.id, { sentAt: at(MINUTE), outcome: 'received', workerId: 'w2' })).toBe(true);
    expect(await ctx.store.getWake(wake.id)).toMatchObject({ state: 'sent', sentAt: at(MINUTE), attempts: 1, outcome: 'received', claimedBy: null });
  });

  it('lets a sent wake block new ones until the device checks in', async () => {
    await online();
    const { wake } = await ctx.store.requestWake({ deviceId: 'dev-1' });
    await ctx.store.claimWakes({ workerId: 'w', limit: 1, leaseMs: MINUTE, now: at() });
    await ctx.store.markWakeSent(wake.id, { sentAt: at(SECOND), outcome: 'received' });
    expect((await ctx.store.requestWake({ deviceId: 'dev-1', at: at(MINUTE) })).coalesced).toBe(true);
    await ctx.store.commitExchange({ session: sessionState('dev-1', '2'), expectedVersion: null, effects: [seen('dev-1', at(2 * MINUTE))] });
    const next = await ctx.store.requestWake({ deviceId: 'dev-1', at: at(3 * MINUTE) });
    expect(next.coalesced).toBe(false);
    expect(next.wake.id).not.toBe(wake.id);
  });

  it('lets a sent wake block new ones only for its TTL, then expires it', async () => {
    await online();
    const { wake } = await ctx.store.requestWake({ deviceId: 'dev-1', ttlSeconds: 60 });
    await ctx.store.claimWakes({ workerId: 'w', limit: 1, leaseMs: MINUTE, now: at() });
    await ctx.store.markWakeSent(wake.id, { sentAt: at(), outcome: 'received' });
    expect(await ctx.store.expireWakes(at(59 * SECOND))).toBe(0);
    expect((await ctx.store.requestWake({ deviceId: 'dev-1', at: at(30 * SECOND) })).coalesced).toBe(true);
    expect(await ctx.store.expireWakes(at(60 * SECOND))).toBe(1);
    expect(await ctx.store.getWake(wake.id)).toMatchObject({ state: 'expired', reason: 'no session before the wake expired' });
    expect((await ctx.store.requestWake({ deviceId: 'dev-1', at: at(61 * SECOND) })).coalesced).toBe(false);
  });

  it('expires a sent wake without TTL after the hold time, and a pending one whose TTL passed', async () => {
    const store = ctx.open({ wakeHoldSeconds: 300 });
    await online();
    await online('dev-2');
    const a = (await store.requestWake({ deviceId: 'dev-1' })).wake;
    await store.claimWakes({ workerId: 'w', limit: 1, leaseMs: MINUTE, now: at() });
    await store.markWakeSent(a.id, { sentAt: at(), outcome: 'received' });
    const b = (await store.requestWake({ deviceId: 'dev-2', ttlSeconds: 30 })).wake;
    expect(await store.expireWakes(at(299 * SECOND))).toBe(1);
    expect(await store.getWake(b.id)).toMatchObject({ state: 'expired', reason: 'TTL passed before the wake could be sent' });
    expect(await store.expireWakes(at(300 * SECOND))).toBe(1);
    expect((await store.getWake(a.id))?.state).toBe('expired');
  });

  it('expires an unsent wake without TTL after the maximum age (24 h), however often it was joined, and says why', async () => {
    await ctx.store.putProvider('default-provider', { pfn: 'P', wns: { clientId: 'c', clientSecret: 's' } });
    await online();
    const { wake } = await ctx.store.requestWake({ deviceId: 'dev-1' });
    await ctx.store.claimWakes({ workerId: 'w', limit: 1, leaseMs: MINUTE, now: at() });
    await ctx.store.rescheduleWake(wake.id, { nextAttemptAt: at(MINUTE), outcome: 'provider-paused', reason: 'sends paused', attempted: false, workerId: 'w' });
    await ctx.store.recordProviderProblem('default-provider', '410 sending domain blocked by WNS', { pausedUntil: new Date('9999-12-31T23:59:59Z'), at: at() });
    for (let hour = 1; hour < 24; hour += 1) {
      expect(await ctx.store.requestWake({ deviceId: 'dev-1', at: at(hour * 60 * MINUTE) })).toMatchObject({ coalesced: true, wake: { id: wake.id } });
    }
    expect(await ctx.store.expireWakes(at(DAY - SECOND))).toBe(0);
    expect(await ctx.store.expireWakes(at(DAY))).toBe(1);
    expect(await ctx.store.getWake(wake.id)).toMatchObject({
      state: 'expired',
      attempts: 0,
      coalesced: 23,
      claimedBy: null,
      reason:
        'not sent within the maximum wake age of 24 h (WAKE_MAX_AGE_SECONDS); last outcome: provider-paused (sends paused); ' +
        'provider problem: 410 sending domain blocked by WNS',
    });
    expect((await ctx.store.requestWake({ deviceId: 'dev-1', at: at(DAY) })).coalesced).toBe(false);
  });

  it('bounds every unsent wake by min(TTL, maximum age) and never claims one past it', async () => {
    const store = ctx.open({ wakeMaxAgeSeconds: 600 });
    await online();
    await online('dev-2');
    await online('dev-3');
    // dev-3's worker claims it and dies: once the lease ran out, the claim does not keep it alive.
    const dead = (await store.requestWake({ deviceId: 'dev-3' })).wake;
    expect(await store.claimWakes({ workerId: 'dead', limit: 1, leaseMs: 2 * MINUTE, now: at() })).toMatchObject([{ id: dead.id }]);
    const long = (await store.requestWake({ deviceId: 'dev-1', ttlSeconds: 3600 })).wake;
    const short = (await store.requestWake({ deviceId: 'dev-2', ttlSeconds: 60 })).wake;
    expect(await store.claimWakes({ workerId: 'w', limit: 10, leaseMs: MINUTE, now: at(600 * SECOND) })).toEqual([]);
    expect(await store.expireWakes(at(60 * SECOND))).toBe(1);
    expect(await store.getWake(short.id)).toMatchObject({ state: 'expired', reason: 'TTL passed before the wake could be sent' });
    expect(await store.expireWakes(at(600 * SECOND))).toBe(2);
    expect(await store.getWake(long.id)).toMatchObject({ state: 'expired', reason: 'not sent within the maximum wake age of 10 min (WAKE_MAX_AGE_SECONDS)' });
    expect(await store.getWake(dead.id)).toMatchObject({ state: 'expired', claimedBy: null, claimedUntil: null });
  });

  it('a request after the deadline starts a new wake instead of joining the old one (before the sweeper ran)', async () => {
    const store = ctx.open({ wakeMaxAgeSeconds: 600 });
    await online();
    const old = (await store.requestWake({ deviceId: 'dev-1' })).wake;
    expect((await store.requestWake({ deviceId: 'dev-1', at: at(599 * SECOND) })).coalesced).toBe(true);
    const next = await store.requestWake({ deviceId: 'dev-1', at: at(600 * SECOND) });
    expect(next).toMatchObject({ coalesced: false, wake: { state: 'pending', requestedAt: at(600 * SECOND) } });
    expect(await store.getWake(old.id)).toMatchObject({ state: 'expired', coalesced: 1, reason: expect.stringMatching(/^not sent within the maximum wake age of 10 min/) });
  });

  it('reschedules a retryable failure and fails a final one', async () => {
    await online();
    await online('dev-2');
    const a = (await ctx.store.requestWake({ deviceId: 'dev-1' })).wake;
    const b = (await ctx.store.requestWake({ deviceId: 'dev-2' })).wake;
    await ctx.store.claimWakes({ workerId: 'w', limit: 10, leaseMs: MINUTE, now: at() });
    expect(await ctx.store.rescheduleWake(a.id, { nextAttemptAt: at(30 * SECOND), outcome: 'http-503', reason: 'Retry-After 30', attempted: true, workerId: 'w' })).toBe(true);
    expect(await ctx.store.failWake(b.id, { outcome: 'http-404', reason: 'channel invalid', workerId: 'w' })).toBe(true);
    expect(await ctx.store.getWake(a.id)).toMatchObject({ state: 'pending', attempts: 1, nextAttemptAt: at(30 * SECOND), outcome: 'http-503', reason: 'Retry-After 30' });
    expect(await ctx.store.getWake(b.id)).toMatchObject({ state: 'failed', attempts: 1, outcome: 'http-404', reason: 'channel invalid' });
    expect(await ctx.store.claimWakes({ workerId: 'w', limit: 10, leaseMs: MINUTE, now: at(29 * SECOND) })).toEqual([]);
    expect((await ctx.store.claimWakes({ workerId: 'w', limit: 10, leaseMs: MINUTE, now: at(30 * SECOND) })).map((w) => w.id)).toEqual([a.id]);
    expect((await ctx.store.requestWake({ deviceId: 'dev-2' })).coalesced).toBe(false);
  });

  it('a deferral before anything was sent uses up none of the wake\'s attempts', async () => {
    await online();
    const { wake } = await ctx.store.requestWake({ deviceId: 'dev-1' });
    for (const [i, outcome] of ['provider-paused', 'token-error', 'rate-limited'].entries()) {
      await ctx.store.claimWakes({ workerId: 'w', limit: 1, leaseMs: MINUTE, now: at(i * MINUTE) });
      expect(await ctx.store.rescheduleWake(wake.id, { nextAttemptAt: at((i + 1) * MINUTE), outcome, reason: null, attempted: false, workerId: 'w' })).toBe(true);
    }
    expect(await ctx.store.getWake(wake.id)).toMatchObject({ state: 'pending', attempts: 0, outcome: 'rate-limited' });
    await ctx.store.claimWakes({ workerId: 'w', limit: 1, leaseMs: MINUTE, now: at(3 * MINUTE) });
    await ctx.store.rescheduleWake(wake.id, { nextAttemptAt: at(4 * MINUTE), outcome: 'unavailable', reason: '503', attempted: true, workerId: 'w' });
    expect(await ctx.store.getWake(wake.id)).toMatchObject({ state: 'pending', attempts: 1 });
  });

  it('settles a processed wake in one call: its attempts, channel and provider consequences, and its state', async () => {
    await ctx.store.putProvider('default-provider', { pfn: 'P', wns: { clientId: 'c', clientSecret: 's' } });
    await ctx.store.recordProviderProblem('default-provider', 'old 406', { pausedUntil: at(-MINUTE) });
    await online();
    await online('dev-2');
    await ctx.store.commitExchange({
      session: sessionState('dev-2', '2'),
      expectedVersion: null,
      effects: [{ type: 'push.pfnProvisioned', deviceId: 'dev-2', pfn: 'P', at: at() }],
    });
    const a = (await ctx.store.requestWake({ deviceId: 'dev-1' })).wake;
    const b = (await ctx.store.requestWake({ deviceId: 'dev-2' })).wake;
    await ctx.store.claimWakes({ workerId: 'w', limit: 10, leaseMs: MINUTE, now: at() });
    const attempt = (wakeId: string, deviceId: string, httpStatus: number, outcome: string) => ({ wakeId, deviceId, at: at(SECOND), httpStatus, outcome, durationMs: 5 });

    expect(
      await ctx.store.settleWake(a.id, {
        workerId: 'w',
        attempts: [attempt(a.id, 'dev-1', 200, 'received')],
        provider: { providerId: 'default-provider', clear: true },
        result: { kind: 'sent', sentAt: at(SECOND), outcome: 'received' },
      }),
    ).toEqual({ changed: true, provenLatencyMs: null });
    expect(await ctx.store.getWake(a.id)).toMatchObject({ state: 'sent', sentAt: at(SECOND), attempts: 1, outcome: 'received', claimedBy: null });
    expect(await ctx.store.getProvider('default-provider')).toMatchObject({ problem: null, pausedUntil: null });

    expect(
      await ctx.store.settleWake(b.id, {
        workerId: 'w',
        attempts: [attempt(b.id, 'dev-2', 401, 'unauthorized'), attempt(b.id, 'dev-2', 410, 'channel-gone')],
        channel: { ref: { deviceId: 'dev-2', channelUri: URI }, state: 'gone', reason: '410 channel expired', at: at(SECOND) },
        provider: { providerId: 'default-provider', problem: '406 throttled', pausedUntil: at(MINUTE), at: at(SECOND) },
        result: { kind: 'failed', outcome: 'channel-gone', reason: '410 channel expired', attempted: true },
      }),
    ).toEqual({ changed: true, provenLatencyMs: null });
    expect(await ctx.store.getWake(b.id)).toMatchObject({ state: 'failed', attempts: 1, outcome: 'channel-gone', reason: '410 channel expired' });
    expect((await ctx.store.listPushAttempts('dev-2')).items.map((x) => x.httpStatus)).toEqual([410, 401]);
    expect((await ctx.store.getDevice('dev-2'))?.push).toMatchObject({ state: 'gone', provisionedPfn: null });
    expect(await ctx.store.getProvider('default-provider')).toMatchObject({ problem: '406 throttled', pausedUntil: at(MINUTE) });
  });

  it('a settlement is all or nothing', async () => {
    await online();
    const { wake } = await ctx.store.requestWake({ deviceId: 'dev-1' });
    await ctx.store.claimWakes({ workerId: 'w', limit: 1, leaseMs: MINUTE, now: at() });
    const good = { wakeId: wake.id, deviceId: 'dev-1', at: at(), httpStatus: 200, outcome: 'received', durationMs: 1 };
    await expect(
      ctx.store.settleWake(wake.id, {
        workerId: 'w',
        attempts: [good, { ...good, wakeId: 'no-such-wake' }], // violates the foreign key half-way
        result: { kind: 'sent', sentAt: at(), outcome: 'received' },
      }),
    ).rejects.toThrow();
    expect((await ctx.store.listPushAttempts('dev-1')).items).toEqual([]);
    expect(await ctx.store.getWake(wake.id)).toMatchObject({ state: 'sending', claimedBy: 'w', attempts: 0 });
  });

  it('a settlement by a worker that lost the claim records what happened but leaves the wake alone', async () => {
    await online();
    const { wake } = await ctx.store.requestWake({ deviceId: 'dev-1' });
    await ctx.store.claimWakes({ workerId: 'w1', limit: 1, leaseMs: MINUTE, now: at() });
    await ctx.store.claimWakes({ workerId: 'w2', limit: 1, leaseMs: MINUTE, now: at(MINUTE) });
    const settled = await ctx.store.settleWake(wake.id, {
      workerId: 'w1',
      attempts: [{ wakeId: wake.id, deviceId: 'dev-1', at: at(MINUTE), httpStatus: 503, outcome: 'unavailable', durationMs: 1 }],
      result: { kind: 'retry', nextAttemptAt: at(2 * MINUTE), outcome: 'unavailable', reason: '503', attempted: true },
    });
    expect(settled).toEqual({ changed: false, provenLatencyMs: null });
    expect(await ctx.store.getWake(wake.id)).toMatchObject({ state: 'sending', claimedBy: 'w2', attempts: 0 });
    expect((await ctx.store.listPushAttempts('dev-1')).items).toHaveLength(1);
    expect(await ctx.store.settleWake(wake.id, { workerId: 'w2', attempts: [], result: { kind: 'expired', reason: 'TTL passed' } })).toMatchObject({ changed: true });
    expect(await ctx.store.getWake(wake.id)).toMatchObject({ state: 'expired', reason: 'TTL passed', claimedBy: null });
  });

  it('does not claim wakes of a paused provider', async () => {
    await ctx.store.putProvider('default-provider', { pfn: 'P', wns: { clientId: 'c', clientSecret: 's' } });
    await online();
    await ctx.store.requestWake({ deviceId: 'dev-1' });
    await ctx.store.recordProviderProblem('default-provider', '403', { pausedUntil: at(MINUTE) });
    expect(await ctx.store.claimWakes({ workerId: 'w', limit: 10, leaseMs: MINUTE, now: at() })).toEqual([]);
    expect(await ctx.store.claimWakes({ workerId: 'w', limit: 10, leaseMs: MINUTE, now: at(MINUTE) })).toHaveLength(1);
  });

  it('proves a wake that the device answered before the send was recorded', async () => {
    await online();
    const { wake } = await ctx.store.requestWake({ deviceId: 'dev-1' });
    await ctx.store.claimWakes({ workerId: 'w', limit: 1, leaseMs: MINUTE, now: at() });
    await ctx.store.commitExchange({
      session: sessionState('dev-1', '2', { trigger: '1200' }),
      expectedVersion: null,
      effects: [{ type: 'session.serverInitiated', deviceId: 'dev-1', sessionId: '2', at: at(2 * SECOND) }],
    });
    expect(await ctx.store.getWake(wake.id)).toMatchObject({ state: 'woke', wokeAt: at(2 * SECOND), latencyMs: null });
    expect(await ctx.store.markWakeSent(wake.id, { sentAt: at(SECOND / 2), outcome: 'received', workerId: 'w' })).toBe(true);
    expect(await ctx.store.getWake(wake.id)).toMatchObject({ state: 'woke', sentAt: at(SECOND / 2), latencyMs: 1500 });
  });

  it('a send settled after the session that proved the wake reports the latency the committer could not know', async () => {
    await online();
    const { wake } = await ctx.store.requestWake({ deviceId: 'dev-1' });
    await ctx.store.claimWakes({ workerId: 'w', limit: 1, leaseMs: MINUTE, now: at() });
    await ctx.store.commitExchange({
      session: sessionState('dev-1', '2', { trigger: '1200' }),
      expectedVersion: null,
      effects: [{ type: 'session.serverInitiated', deviceId: 'dev-1', sessionId: '2', at: at(2 * SECOND) }],
    });
    const settled = await ctx.store.settleWake(wake.id, {
      workerId: 'w',
      attempts: [{ wakeId: wake.id, deviceId: 'dev-1', at: at(SECOND / 2), httpStatus: 200, outcome: 'received', durationMs: 3 }],
      result: { kind: 'sent', sentAt: at(SECOND / 2), outcome: 'received' },
    });
    expect(settled).toEqual({ changed: true, provenLatencyMs: 1500 });
    expect(await ctx.store.getWake(wake.id)).toMatchObject({ state: 'woke', latencyMs: 1500, attempts: 1 });
  });

  it('never hands one wake to two concurrent claimers (two data sources)', async () => {
    const other = createStore(await ctx.db.connect(), { secretKey: SECRET_KEY });
    const ids = new Set<string>();
    for (let i = 0; i < 24; i++) {
      await online(`dev-${i}`);
      ids.add((await ctx.store.requestWake({ deviceId: `dev-${i}` })).wake.id);
    }
    const claims = await Promise.all(
      Array.from({ length: 6 }, (_, i) => (i % 2 ? other : ctx.store).claimWakes({ workerId: `w${i}`, limit: 5, leaseMs: MINUTE, now: at() })),
    );
    const claimed = claims.flat().map((w) => w.id);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.length).toBe(24);
    expect(new Set(claimed)).toEqual(ids);
  });

  it('records push attempts and lists them newest first', async () => {
    await online();
    const { wake } = await ctx.store.requestWake({ deviceId: 'dev-1' });
    for (let i = 0; i < 3; i++) {
      await ctx.store.recordPushAttempt({ wakeId: wake.id, deviceId: 'dev-1', at: at(i * SECOND), httpStatus: 503, outcome: 'retry', durationMs: 12.4 });
    }
    await ctx.store.recordPushAttempt({
      wakeId: wake.id,
      deviceId: 'dev-1',
      at: at(9 * SECOND),
      httpStatus: 200,
      outcome: 'received',
      wnsStatus: 'received',
      deviceConnectionStatus: 'connected',
      msgId: '1ABC',
      debugTrace: 'DB5SCH',
      errorDescription: null,
      durationMs: 40,
    });
    const page = await ctx.store.listPushAttempts('dev-1', { limit: 2 });
    const rest = await ctx.store.listPushAttempts('dev-1', { limit: 2, cursor: page.nextCursor });
    expect([...page.items, ...rest.items].map((a) => a.at)).toEqual([at(9 * SECOND), at(2 * SECOND), at(SECOND), at()]);
    expect(page.items[0]).toEqual({
      id: page.items[0]?.id,
      wakeId: wake.id,
      deviceId: 'dev-1',
      at: at(9 * SECOND),
      httpStatus: 200,
      outcome: 'received',
      wnsStatus: 'received',
      deviceConnectionStatus: 'connected',
      msgId: '1ABC',
      debugTrace: 'DB5SCH',
      errorDescription: null,
      durationMs: 40,
    });
    expect(rest.items[1]).toMatchObject({ durationMs: 12, wnsStatus: null });
  });
}
