import { expect, it } from 'vitest';
import type { SessionEffect } from '../../../src/session/ports.js';
import { InvalidCursorError } from '../../../src/store/errors.js';
import type { StoreContext } from '../conformance.js';
import { at, checkIn, DAY, MINUTE, sessionState } from '../fixtures.js';

export function deviceCases(ctx: StoreContext): void {
  const channel = (deviceId: string, channelUri: string | null, when = at()): SessionEffect => ({ type: 'push.channelReported', deviceId, channelUri, at: when });

  it('shows a device with its push state', async () => {
    await ctx.store.putProvider('default-provider', { pfn: 'Contoso.PFN_2' });
    await checkIn(ctx.store, 'dev-1', '1', at(), [
      { type: 'push.pfnProvisioned', deviceId: 'dev-1', pfn: 'Contoso.PFN_1', at: at() },
      channel('dev-1', 'https://a.notify.windows.com/?token=1'),
      { type: 'push.statusReported', deviceId: 'dev-1', pushStatus: 0, at: at() },
    ]);
    await ctx.store.enqueueCommand('dev-1', { verb: 'Get', target: './A' });
    const device = await ctx.store.getDevice('dev-1');
    expect(device).toEqual({
      deviceId: 'dev-1',
      providerId: 'default-provider',
      devInfo: {},
      enrollmentState: 'enrolled',
      provisionedPfn: 'Contoso.PFN_1',
      provisionedPollHash: null,
      firstSeenAt: at(),
      lastSeenAt: at(),
      lastSessionId: '1',
      lastSession: { deviceId: 'dev-1', sessionId: '1', trigger: '1201', ended: false, version: 1, startedAt: at(), updatedAt: at() },
      pendingCommands: 1,
      push: {
        state: 'active',
        provisionedPfn: 'Contoso.PFN_1',
        providerPfn: 'Contoso.PFN_2',
        channel: {
          id: device?.push.channel?.id,
          deviceId: 'dev-1',
          channelUri: 'https://a.notify.windows.com/?token=1',
          firstReportedAt: at(),
          lastReportedAt: at(),
          expiresAt: at(30 * DAY),
          state: 'active',
          stateReason: null,
          stateAt: null,
        },
        status: 0,
        statusAt: at(),
      },
    });
    expect(await ctx.store.getDevice('nobody')).toBeNull();
  });

  it('pages through devices by DeviceID with an opaque cursor', async () => {
    const ids = ['d-07', 'd-03', 'd-05', 'd-01', 'd-06', 'd-02', 'd-04'];
    for (const id of ids) await checkIn(ctx.store, id);
    const seenIds: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await ctx.store.listDevices({ limit: 3, cursor });
      seenIds.push(...page.items.map((d) => d.deviceId));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(seenIds).toEqual([...ids].sort());
    expect(pages).toBe(3);
    await expect(ctx.store.listDevices({ cursor: 'not a cursor!' })).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('filters devices by provider, last seen, push state and pending commands', async () => {
    await checkIn(ctx.store, 'active', '1', at(), [channel('active', 'https://a.notify.windows.com/?token=1')]);
    await checkIn(ctx.store, 'expired', '1', at(-40 * DAY), [channel('expired', 'https://a.notify.windows.com/?token=2', at(-40 * DAY))]);
    await checkIn(ctx.store, 'gone', '1', at(-DAY), [channel('gone', 'https://a.notify.windows.com/?token=3', at(-DAY))]);
    await ctx.store.markChannel({ deviceId: 'gone', channelUri: 'https://a.notify.windows.com/?token=3' }, 'gone', 'WNS 410');
    await checkIn(ctx.store, 'none', '1', at(-2 * DAY));
    await ctx.store.bindDevice('none', 'other-provider');
    await ctx.store.enqueueCommand('none', { verb: 'Get', target: './A' });
    const ids = async (filter: Parameters<typeof ctx.store.listDevices>[0]) => (await ctx.store.listDevices(filter)).items.map((d) => d.deviceId);
    expect(await ids({ pushState: 'active' })).toEqual(['active']);
    expect(await ids({ pushState: 'expired' })).toEqual(['expired']);
    expect(await ids({ pushState: ['expired', 'gone'] })).toEqual(['expired', 'gone']);
    expect(await ids({ pushState: 'none' })).toEqual(['none']);
    expect(await ids({ pushState: [] })).toEqual([]);
    expect(await ids({ providerId: 'other-provider' })).toEqual(['none']);
    expect(await ids({ providerId: 'default-provider' })).toEqual(['active', 'expired', 'gone']);
    expect(await ids({ lastSeenAfter: at(-DAY) })).toEqual(['active', 'gone']);
    expect(await ids({ lastSeenBefore: at(-DAY) })).toEqual(['expired', 'none']);
    expect(await ids({ lastSeenAfter: at(-3 * DAY), lastSeenBefore: at(-MINUTE) })).toEqual(['gone', 'none']);
    expect(await ids({ hasPendingCommands: true })).toEqual(['none']);
    expect(await ids({ hasPendingCommands: false })).toEqual(['active', 'expired', 'gone']);
  });

  it('binds a known device to another provider', async () => {
    await ctx.store.putProvider('fabrikam', { pfn: 'Fabrikam.PFN' });
    await checkIn(ctx.store, 'dev-1');
    await ctx.store.bindDevice('dev-1', 'fabrikam');
    expect(await ctx.store.getDevice('dev-1')).toMatchObject({ providerId: 'fabrikam', push: { providerPfn: 'Fabrikam.PFN' } });
    expect((await ctx.store.loadForMessage('dev-1', '2', 0)).provider).toEqual({ providerId: 'fabrikam', pfn: 'Fabrikam.PFN', pollSchedule: null });
    await ctx.store.commitExchange({ session: sessionState('dev-1', '2'), expectedVersion: null, effects: [] });
    expect((await ctx.store.getDevice('dev-1'))?.providerId).toBe('fabrikam');
  });
}
