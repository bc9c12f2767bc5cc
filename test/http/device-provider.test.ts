/**
 * PUT/GET /api/v1/devices/{deviceId}/provider end to end over real HTTP (SyncML and API) on SQLite and PostgreSQL, with
 * the fake WNS holding each channel for the app (client) that owns its PFN: a device bound before its first check-in
 * gets the bound provider's PFN under its Provider node; a known device moved to another provider is re-provisioned at
 * its next session and is only woken on the new provider's channel. Every answer is checked against the OpenAPI document.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ItemCommand, SyncML } from '../../src/syncml/index.js';
import { describeOnBackends, type TestDatabase } from '../support/databases.js';
import { serverCommands, verbsAndTargets } from '../support/syncml-builders.js';
import { PFN, startTestGateway, type TestGateway } from './gateway-harness.js';

const FABRIKAM_PFN = 'Fabrikam.MDM_8wekyb3d8bbwe';
const FABRIKAM_CLIENT = { clientId: 'ms-app://s-1-15-2-fabrikam', clientSecret: 'fabrikam-secret-0123456789' };
const pushNode = (providerId: string, node: string) => `./Vendor/MSFT/DMClient/Provider/${providerId}/Push/${node}`;

/** [target, data] of every Replace the server sent in a session. */
function replaces(replies: SyncML[]): Array<[string, string]> {
  return replies
    .flatMap(serverCommands)
    .filter((c): c is ItemCommand => c.kind === 'Replace')
    .map((c) => [c.items[0]?.target?.locURI ?? '', c.items[0]?.data?.kind === 'text' ? c.items[0].data.text : '']);
}

describeOnBackends('device provider binding', (backend) => {
  let db: TestDatabase;
  let t: TestGateway;
  let oldChannel: string;
  let newChannel: string;

  beforeAll(async () => {
    db = await backend.create();
    t = await startTestGateway(db);
    await t.putProvider(); // omadm-gateway (DEFAULT_PROVIDER_ID): PFN with the fake's default client
    t.fake.addClient(FABRIKAM_CLIENT);
    const fabrikam = await t.api('PUT', '/api/v1/providers/fabrikam', { body: { pfn: FABRIKAM_PFN, wns: FABRIKAM_CLIENT } });
    expect(fabrikam.status).toBe(201);
    // WNS channels belong to the app whose PFN the device registered: a token of another app gets 403.
    t.fake.setupChannel('ch-old', { ownerClientId: t.fake.defaultClient.clientId });
    t.fake.setupChannel('ch-new', { ownerClientId: FABRIKAM_CLIENT.clientId });
    oldChannel = t.fake.channelUri('ch-old');
    newChannel = t.fake.channelUri('ch-new');
  });
  afterAll(async () => {
    await t?.close();
    await db?.dispose();
  });

  it('refuses an unknown provider (404 provider-not-found), a bad body (400) and reads nothing for an unknown device (404)', async () => {
    const unknown = await t.api('PUT', '/api/v1/devices/dev-x/provider', { body: { providerId: 'nobody' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ type: 'urn:omadm-gateway:problem:provider-not-found', detail: expect.stringContaining('no provider nobody') });
    const bad = await t.api('PUT', '/api/v1/devices/dev-x/provider', { body: { providerId: 'has space' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ type: 'urn:omadm-gateway:problem:validation-failed', errors: [{ in: 'body', pointer: '/providerId' }] });
    const missing = await t.api('PUT', '/api/v1/devices/dev-x/provider', { body: {} });
    expect(missing.status).toBe(400);
    const none = await t.api('GET', '/api/v1/devices/dev-x/provider');
    expect(none.status).toBe(404);
    expect(none.body.type).toBe('urn:omadm-gateway:problem:device-not-found');
  });

  it('pre-provisions: a device bound before its first check-in gets the bound provider PFN under Provider/{bound}', async () => {
    const bound = await t.api('PUT', '/api/v1/devices/pre-1/provider', { body: { providerId: 'fabrikam' } });
    expect(bound.status).toBe(201);
    expect(bound.body).toEqual({
      deviceId: 'pre-1',
      providerId: 'fabrikam',
      source: 'binding',
      binding: { providerId: 'fabrikam', createdAt: expect.any(String), updatedAt: expect.any(String) },
      checkedIn: false,
      moved: false,
      previousProviderId: null,
    });
    expect((await t.api('GET', '/api/v1/devices/pre-1/provider')).body).toMatchObject({ providerId: 'fabrikam', source: 'binding', checkedIn: false });

    const session = await t.checkIn({ deviceId: 'pre-1', sessionId: '1', channelUri: newChannel });
    expect(verbsAndTargets(session[0]!)).toEqual([
      ['Replace', pushNode('fabrikam', 'PFN')],
      ['Get', pushNode('fabrikam', 'ChannelURI')],
      ['Get', pushNode('fabrikam', 'Status')],
    ]);
    expect(replaces(session)).toEqual([[pushNode('fabrikam', 'PFN'), FABRIKAM_PFN]]);
    const device = await t.api('GET', '/api/v1/devices/pre-1');
    expect(device.body).toMatchObject({ providerId: 'fabrikam', push: { state: 'active', pfnProvisioned: true, provisionedPfn: FABRIKAM_PFN, channelUri: newChannel } });
    expect((await t.api('GET', '/api/v1/devices/pre-1/provider')).body).toMatchObject({ providerId: 'fabrikam', source: 'binding', checkedIn: true });
  });

  it('moves a known device: 409 on wake until its next session sets the new PFN; then it is woken with the new credentials', async () => {
    await t.checkIn({ deviceId: 'dev-move', sessionId: '1', channelUri: oldChannel });
    expect((await t.api('GET', '/api/v1/devices/dev-move/provider')).body).toEqual({
      deviceId: 'dev-move',
      providerId: 'omadm-gateway',
      source: 'default',
      binding: null,
      checkedIn: true,
    });
    expect((await t.api('GET', '/api/v1/devices/dev-move')).body.push).toMatchObject({ state: 'active', provisionedPfn: PFN });

    const moved = await t.api('PUT', '/api/v1/devices/dev-move/provider', { body: { providerId: 'fabrikam' } });
    expect(moved.status).toBe(201);
    expect(moved.body).toMatchObject({ providerId: 'fabrikam', source: 'binding', checkedIn: true, moved: true, previousProviderId: 'omadm-gateway' });
    const between = await t.api('GET', '/api/v1/devices/dev-move');
    expect(between.body).toMatchObject({
      providerId: 'fabrikam',
      push: { state: 'none', usable: false, pfnProvisioned: false, provisionedPfn: null, providerPfn: FABRIKAM_PFN, status: null },
    });
    const refused = await t.api('POST', '/api/v1/devices/dev-move/push', { body: {} });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ type: 'urn:omadm-gateway:problem:no-usable-channel', reason: expect.stringContaining('moved from provider omadm-gateway to fabrikam') });

    // The next session: the new provider's PFN under the new node; the device reports the channel for that PFN.
    const session = await t.checkIn({ deviceId: 'dev-move', sessionId: '2', channelUri: newChannel });
    expect(replaces(session)).toEqual([[pushNode('fabrikam', 'PFN'), FABRIKAM_PFN]]);
    expect(verbsAndTargets(session[0]!).map(([, target]) => target)).not.toContain(pushNode('omadm-gateway', 'PFN'));
    const after = await t.api('GET', '/api/v1/devices/dev-move');
    expect(after.body.push).toMatchObject({ state: 'active', pfnProvisioned: true, provisionedPfn: FABRIKAM_PFN, channelUri: newChannel });

    const wake = await t.api('POST', '/api/v1/devices/dev-move/push', { body: {} });
    expect(wake.status).toBe(202);
    await t.gateway.dispatcher.drain();
    expect(t.fake.requestsTo('ch-new').map((r) => r.status)).toEqual([200]);
    expect(t.fake.requestsTo('ch-old')).toEqual([]);
    const pushes = await t.api('GET', '/api/v1/devices/dev-move/pushes');
    expect(pushes.body.items[0]).toMatchObject({ providerId: 'fabrikam', channelUri: newChannel, state: 'sent' });

    // A session after that sends no PFN again; binding to the same provider once more changes nothing.
    expect(replaces(await t.checkIn({ deviceId: 'dev-move', sessionId: '3', trigger: '1200', channelUri: newChannel }))).toEqual([]);
    const same = await t.api('PUT', '/api/v1/devices/dev-move/provider', { body: { providerId: 'fabrikam' } });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ moved: false, previousProviderId: 'fabrikam' });
    expect((await t.api('GET', '/api/v1/devices/dev-move')).body.push).toMatchObject({ state: 'active', pfnProvisioned: true });
  });
});
