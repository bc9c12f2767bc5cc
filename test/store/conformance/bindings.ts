import { expect, it } from 'vitest';
import type { SessionEffect } from '../../../src/session/ports.js';
import { NoUsableChannelError } from '../../../src/store/errors.js';
import type { StoreContext } from '../conformance.js';
import { at, checkIn, MINUTE, sessionState } from '../fixtures.js';

const OLD_URI = 'https://db5p.notify.windows.com/?token=old-pfn';
const NEW_URI = 'https://db5p.notify.windows.com/?token=new-pfn';

/** device_bindings: pre-provisioning a device's provider, and moving a known device to another provider. */
export function bindingCases(ctx: StoreContext): void {
  const reported = (deviceId: string, when = at()): SessionEffect[] => [
    { type: 'push.pfnProvisioned', deviceId, pfn: 'Shared.PFN', at: when },
    { type: 'push.pollProvisioned', deviceId, pollHash: 'a'.repeat(64), at: when },
    { type: 'push.channelReported', deviceId, channelUri: OLD_URI, at: when },
    { type: 'push.statusReported', deviceId, pushStatus: 0, at: when },
  ];

  it('binds a device before its first check-in: its first session and its record use the bound provider', async () => {
    await ctx.store.putProvider('fabrikam', { pfn: 'Fabrikam.PFN' });
    expect(await ctx.store.getDeviceProvider('pre-1')).toBeNull();
    const bound = await ctx.store.bindDevice('pre-1', 'fabrikam');
    expect(bound).toEqual({
      view: { deviceId: 'pre-1', providerId: 'fabrikam', source: 'binding', binding: { providerId: 'fabrikam', createdAt: at(), updatedAt: at() }, checkedIn: false },
      created: true,
      moved: false,
      previousProviderId: null,
    });
    expect(await ctx.store.getDeviceProvider('pre-1')).toEqual(bound.view);
    expect(await ctx.store.getDevice('pre-1')).toBeNull();
    const load = await ctx.store.loadForMessage('pre-1', '1', 0);
    expect(load.device).toBeNull();
    expect(load.provider).toEqual({ providerId: 'fabrikam', pfn: 'Fabrikam.PFN', pollSchedule: null });
    await checkIn(ctx.store, 'pre-1', '1', at(MINUTE));
    expect((await ctx.store.getDevice('pre-1'))?.providerId).toBe('fabrikam');
    expect(await ctx.store.getDeviceProvider('pre-1')).toEqual({ ...bound.view, checkedIn: true });
  });

  it('a device that was never bound has the default it got at its first check-in', async () => {
    await checkIn(ctx.store, 'dev-1');
    expect(await ctx.store.getDeviceProvider('dev-1')).toEqual({
      deviceId: 'dev-1',
      providerId: 'default-provider',
      source: 'default',
      binding: null,
      checkedIn: true,
    });
    // A later DEFAULT_PROVIDER_ID does not move a device that already has a record.
    const other = ctx.open({ defaultProviderId: 'new-default' });
    expect((await other.getDeviceProvider('dev-1'))?.providerId).toBe('default-provider');
    expect((await other.loadForMessage('dev-1', '2', 0)).provider.providerId).toBe('default-provider');
  });

  it('moves a known device: forgets what it confirmed under the old provider and supersedes its channel', async () => {
    // Both providers share the PFN: the new Provider/{ProviderID} node still needs it, so it is forgotten anyway.
    await ctx.store.putProvider('default-provider', { pfn: 'Shared.PFN' });
    await ctx.store.putProvider('fabrikam', { pfn: 'Shared.PFN' });
    await checkIn(ctx.store, 'dev-1', '1', at(), reported('dev-1'));
    expect(await ctx.store.getDevice('dev-1')).toMatchObject({ provisionedPfn: 'Shared.PFN', push: { state: 'active', status: 0 } });

    ctx.setNow(at(MINUTE).getTime());
    const moved = await ctx.store.bindDevice('dev-1', 'fabrikam');
    expect(moved).toMatchObject({ created: true, moved: true, previousProviderId: 'default-provider', view: { providerId: 'fabrikam', checkedIn: true } });
    const device = await ctx.store.getDevice('dev-1');
    expect(device).toMatchObject({
      providerId: 'fabrikam',
      provisionedPfn: null,
      provisionedPollHash: null,
      push: { state: 'none', provisionedPfn: null, providerPfn: 'Shared.PFN', status: null, statusAt: null },
    });
    expect(device?.push.channel).toMatchObject({
      channelUri: OLD_URI,
      state: 'superseded',
      stateReason: expect.stringContaining('moved from provider default-provider to fabrikam'),
      stateAt: at(MINUTE),
    });
    const refused = ctx.store.requestWake({ deviceId: 'dev-1' });
    await expect(refused).rejects.toBeInstanceOf(NoUsableChannelError);
    await expect(refused).rejects.toMatchObject({ reason: expect.stringContaining('moved from provider default-provider to fabrikam') });

    const load = await ctx.store.loadForMessage('dev-1', '2', 0);
    expect(load.provider).toEqual({ providerId: 'fabrikam', pfn: 'Shared.PFN', pollSchedule: null });
    expect(load.device).toMatchObject({ providerId: 'fabrikam', provisionedPfn: null, provisionedPollHash: null });

    // The next session provisions the PFN under the new node and the device reports the new provider's channel.
    await ctx.store.commitExchange({
      session: sessionState('dev-1', '2'),
      expectedVersion: null,
      effects: [
        { type: 'push.pfnProvisioned', deviceId: 'dev-1', pfn: 'Shared.PFN', at: at(2 * MINUTE) },
        { type: 'push.channelReported', deviceId: 'dev-1', channelUri: NEW_URI, at: at(2 * MINUTE) },
      ],
    });
    const after = await ctx.store.getDevice('dev-1');
    expect(after).toMatchObject({ provisionedPfn: 'Shared.PFN', push: { state: 'active', channel: { channelUri: NEW_URI, state: 'active' } } });
    expect((await ctx.store.listChannels('dev-1')).map((c) => [c.channelUri, c.state])).toEqual([
      [NEW_URI, 'active'],
      [OLD_URI, 'superseded'],
    ]);
    expect((await ctx.store.requestWake({ deviceId: 'dev-1' })).wake).toMatchObject({ providerId: 'fabrikam', channelUri: NEW_URI });
  });

  it('binding a device to the provider it already has changes nothing it confirmed', async () => {
    await ctx.store.putProvider('default-provider', { pfn: 'Shared.PFN' });
    await checkIn(ctx.store, 'dev-1', '1', at(), reported('dev-1'));
    const first = await ctx.store.bindDevice('dev-1', 'default-provider');
    expect(first).toMatchObject({ created: true, moved: false, previousProviderId: 'default-provider', view: { source: 'binding' } });
    ctx.setNow(at(MINUTE).getTime());
    const again = await ctx.store.bindDevice('dev-1', 'default-provider');
    expect(again).toMatchObject({ created: false, moved: false, view: { binding: { createdAt: at(), updatedAt: at(MINUTE) } } });
    expect(await ctx.store.getDevice('dev-1')).toMatchObject({
      provisionedPfn: 'Shared.PFN',
      provisionedPollHash: 'a'.repeat(64),
      push: { state: 'active', status: 0 },
    });
  });

  it('rebinding a device that has not checked in yet just changes its binding', async () => {
    await ctx.store.bindDevice('pre-1', 'first');
    ctx.setNow(at(MINUTE).getTime());
    const second = await ctx.store.bindDevice('pre-1', 'second');
    expect(second).toEqual({
      view: { deviceId: 'pre-1', providerId: 'second', source: 'binding', binding: { providerId: 'second', createdAt: at(), updatedAt: at(MINUTE) }, checkedIn: false },
      created: false,
      moved: false,
      previousProviderId: 'first',
    });
    expect((await ctx.store.loadForMessage('pre-1', '1', 0)).provider.providerId).toBe('second');
  });

  it('a wake queued before the move keeps the provider and channel it was requested for', async () => {
    await ctx.store.putProvider('default-provider', { pfn: 'Shared.PFN' });
    await checkIn(ctx.store, 'dev-1', '1', at(), reported('dev-1'));
    const { wake } = await ctx.store.requestWake({ deviceId: 'dev-1' });
    await ctx.store.bindDevice('dev-1', 'fabrikam');
    expect(await ctx.store.getWake(wake.id)).toMatchObject({ state: 'pending', providerId: 'default-provider', channelUri: OLD_URI });
    const [claimed] = await ctx.store.claimWakes({ workerId: 'w1', limit: 10, leaseMs: MINUTE });
    expect(claimed).toMatchObject({ id: wake.id, providerId: 'default-provider', channelUri: OLD_URI });
  });
}
