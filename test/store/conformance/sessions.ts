import { expect, it } from 'vitest';
import { StaleSessionError } from '../../../src/session/ports.js';
import { createStore } from '../../../src/store/store.js';
import type { StoreContext } from '../conformance.js';
import { at, checkIn, DAY, MINUTE, SECRET_KEY, seen, sessionState } from '../fixtures.js';

export function sessionCases(ctx: StoreContext): void {
  it('loads an unknown device with the default provider and no session', async () => {
    const load = await ctx.store.loadForMessage('dev-1', '1', 10);
    expect(load).toEqual({ device: null, session: null, provider: { providerId: 'default-provider', pfn: null, pollSchedule: null }, pending: [] });
  });

  it('creates device and session on the first commit and loads them back unchanged', async () => {
    const s = sessionState('dev-1', '1');
    await ctx.store.commitExchange({ session: s, expectedVersion: null, effects: [seen('dev-1', at(), { DevId: 'dev-1', Man: 'Contoso' })] });
    const load = await ctx.store.loadForMessage('dev-1', '1', 10);
    expect(load.device).toEqual({
      deviceId: 'dev-1',
      providerId: 'default-provider',
      devInfo: { DevId: 'dev-1', Man: 'Contoso' },
      enrollmentState: 'enrolled',
      provisionedPfn: null,
      provisionedPollHash: null,
      firstSeenAt: at(),
      lastSeenAt: at(),
    });
    expect(load.session).toEqual({ ...s, version: 1 });
  });

  it('creates the device even when the first commit carries no device.seen', async () => {
    await ctx.store.commitExchange({ session: sessionState('dev-1', '1'), expectedVersion: null, effects: [] });
    expect((await ctx.store.loadForMessage('dev-1', '1', 1)).device?.lastSeenAt).toEqual(at());
  });

  it('lets exactly one of two commits with the same expected version win', async () => {
    await checkIn(ctx.store, 'dev-1');
    const results = await Promise.allSettled(
      ['a', 'b'].map((writer) =>
        ctx.store.commitExchange({ session: sessionState('dev-1', '1', { data: { writer } }), expectedVersion: 1, effects: [] }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(lost).toHaveLength(1);
    expect(lost[0]?.reason).toBeInstanceOf(StaleSessionError);
    expect((await ctx.store.loadForMessage('dev-1', '1', 10)).session?.version).toBe(2);
  });

  it('treats a second insert of the same session as stale', async () => {
    await checkIn(ctx.store, 'dev-1');
    await expect(checkIn(ctx.store, 'dev-1')).rejects.toBeInstanceOf(StaleSessionError);
  });

  it('rolls back every effect of a stale commit', async () => {
    await checkIn(ctx.store, 'dev-1');
    const stale = ctx.store.commitExchange({
      session: sessionState('dev-1', '1', { data: { lost: true } }),
      expectedVersion: 7,
      effects: [
        seen('dev-1', at(DAY), { Man: 'Changed' }),
        { type: 'alert.received', deviceId: 'dev-1', sessionId: '1', alert: '1226', at: at(DAY) },
        { type: 'push.statusReported', deviceId: 'dev-1', pushStatus: 4, at: at(DAY) },
      ],
      raw: { deviceId: 'dev-1', sessionId: '1', msgID: '2', at: at(DAY), contentType: 'application/vnd.syncml.dm+xml', request: Buffer.from('a'), reply: Buffer.from('b') },
    });
    await expect(stale).rejects.toBeInstanceOf(StaleSessionError);
    const device = await ctx.store.getDevice('dev-1');
    expect(device).toMatchObject({ devInfo: {}, lastSeenAt: at(), push: { status: null } });
    expect((await ctx.store.listAlerts()).items).toEqual([]);
    expect((await ctx.store.listMessages('dev-1', '1')).items).toEqual([]);
    expect((await ctx.store.loadForMessage('dev-1', '1', 1)).session).toMatchObject({ version: 1, data: sessionState('dev-1', '1').data });
  });

  it('keeps sessions apart per device', async () => {
    await checkIn(ctx.store, 'dev-1', '7');
    const other = await ctx.store.loadForMessage('dev-2', '7', 10);
    expect(other.session).toBeNull();
    expect(other.device).toBeNull();
  });

  it("uses the device's provider, a binding for an unknown device, else the default", async () => {
    await ctx.store.putProvider('default-provider', { pfn: 'Default.PFN_1' });
    await ctx.store.putProvider('bound', { pfn: 'Bound.PFN_2' });
    expect((await ctx.store.loadForMessage('dev-1', '1', 0)).provider).toEqual({ providerId: 'default-provider', pfn: 'Default.PFN_1', pollSchedule: null });
    await ctx.store.bindDevice('dev-2', 'bound');
    expect((await ctx.store.loadForMessage('dev-2', '1', 0)).provider).toEqual({ providerId: 'bound', pfn: 'Bound.PFN_2', pollSchedule: null });
    await checkIn(ctx.store, 'dev-2');
    const load = await ctx.store.loadForMessage('dev-2', '1', 0);
    expect(load.device?.providerId).toBe('bound');
    expect(load.provider).toEqual({ providerId: 'bound', pfn: 'Bound.PFN_2', pollSchedule: null });
    await ctx.store.bindDevice('dev-3', 'not-configured');
    expect((await ctx.store.loadForMessage('dev-3', '1', 0)).provider).toEqual({ providerId: 'not-configured', pfn: null, pollSchedule: null });
  });

  it("loads the provider's poll schedule with the session (and null again once a PUT leaves it out)", async () => {
    const schedule = { intervalForFirstSetOfRetries: 15, numberOfFirstRetries: 5, intervalForRemainingScheduledRetries: 1440, pollOnLogin: true };
    await ctx.store.putProvider('default-provider', { pfn: 'Default.PFN_1', pollSchedule: schedule });
    expect((await ctx.store.loadForMessage('dev-1', '1', 0)).provider).toEqual({ providerId: 'default-provider', pfn: 'Default.PFN_1', pollSchedule: schedule });
    await ctx.store.putProvider('default-provider', { pfn: 'Default.PFN_1' });
    expect((await ctx.store.loadForMessage('dev-1', '1', 0)).provider.pollSchedule).toBeNull();
  });

  it('loads pending commands oldest first, up to the limit, skipping expired and non-queued ones', async () => {
    await checkIn(ctx.store, 'dev-1');
    const a = await ctx.store.enqueueCommand('dev-1', { verb: 'Get', target: './DevDetail/SwV' });
    const expired = await ctx.store.enqueueCommand('dev-1', { verb: 'Get', target: './DevDetail/OEM' }, { expiresAt: at(MINUTE) });
    const b = await ctx.store.enqueueCommand('dev-1', { verb: 'Replace', target: './Vendor/MSFT/X', data: '1', format: 'int' });
    const cancelled = await ctx.store.enqueueCommand('dev-1', { verb: 'Delete', target: './Vendor/MSFT/Y' });
    const c = await ctx.store.enqueueCommand('dev-1', { verb: 'Exec', target: './Vendor/MSFT/Z' });
    await ctx.store.cancelCommand('dev-1', cancelled.id);
    ctx.setNow(at(2 * MINUTE).getTime());
    const load = await ctx.store.loadForMessage('dev-1', '2', 2);
    expect(load.pending.map((p) => p.id)).toEqual([a.id, b.id]);
    expect(load.pending[1]).toEqual({
      id: b.id,
      deviceId: 'dev-1',
      spec: { verb: 'Replace', target: './Vendor/MSFT/X', data: '1', format: 'int' },
      state: 'queued',
      attempts: 0,
      createdAt: at(),
      expiresAt: null,
      addFallbackToReplace: false,
    });
    expect((await ctx.store.loadForMessage('dev-1', '2', 10)).pending.map((p) => p.id)).toEqual([a.id, b.id, c.id]);
    expect(expired.expiresAt).toEqual(at(MINUTE));
  });

  it('loads device, session, provider and pending commands together, each with all its fields', async () => {
    await ctx.store.putProvider('default-provider', { pfn: 'Default.PFN_1' });
    const s = sessionState('dev-1', '1', { trigger: '1201', data: { lastDeviceMsgID: 1, note: 'kept' } });
    await ctx.store.commitExchange({ session: s, expectedVersion: null, effects: [seen('dev-1', at(), { DevId: 'dev-1' })] });
    const a = await ctx.store.enqueueCommand('dev-1', { verb: 'Add', target: './Vendor/MSFT/A', data: 'x' }, { expiresAt: at(DAY), addFallbackToReplace: true });
    const b = await ctx.store.enqueueCommand('dev-1', { verb: 'Get', target: './DevDetail/SwV' });
    const load = await ctx.store.loadForMessage('dev-1', '1', 10);
    expect(load).toEqual({
      device: { deviceId: 'dev-1', providerId: 'default-provider', devInfo: { DevId: 'dev-1' }, enrollmentState: 'enrolled', provisionedPfn: null, provisionedPollHash: null, firstSeenAt: at(), lastSeenAt: at() },
      session: { ...s, version: 1 },
      provider: { providerId: 'default-provider', pfn: 'Default.PFN_1', pollSchedule: null },
      pending: [
        { id: a.id, deviceId: 'dev-1', spec: { verb: 'Add', target: './Vendor/MSFT/A', data: 'x' }, state: 'queued', attempts: 0, createdAt: at(), expiresAt: at(DAY), addFallbackToReplace: true },
        { id: b.id, deviceId: 'dev-1', spec: { verb: 'Get', target: './DevDetail/SwV' }, state: 'queued', attempts: 0, createdAt: at(), expiresAt: null, addFallbackToReplace: false },
      ],
    });
    // No pending commands asked for: the same load without them.
    expect(await ctx.store.loadForMessage('dev-1', '1', 0)).toEqual({ ...load, pending: [] });
  });

  it('continues one session across two data sources on the same database (two processes)', async () => {
    const second = createStore(await ctx.db.connect(), { secretKey: SECRET_KEY, defaultProviderId: 'default-provider' });
    await checkIn(ctx.store, 'dev-1');
    const fromSecond = await second.loadForMessage('dev-1', '1', 10);
    expect(fromSecond.session?.version).toBe(1);
    await second.commitExchange({ session: sessionState('dev-1', '1', { data: { by: 'second' } }), expectedVersion: 1, effects: [] });
    await expect(
      ctx.store.commitExchange({ session: sessionState('dev-1', '1', { data: { by: 'first' } }), expectedVersion: 1, effects: [] }),
    ).rejects.toBeInstanceOf(StaleSessionError);
    expect((await ctx.store.loadForMessage('dev-1', '1', 10)).session).toMatchObject({ version: 2, data: { by: 'second' } });
  });
}
