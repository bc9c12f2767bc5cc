/**
 * Every operator API route answers a successful request with one store call (counted by the gateway's own
 * instrumentStore metrics, see store-calls.ts); whether the device exists is asked only when that call found nothing.
 * Answers are checked against the OpenAPI document by the harness; routes outside the store (health, metrics, the
 * OpenAPI document, device credentials — their own repository) are listed and excluded explicitly.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnBackends, type TestDatabase } from '../support/databases.js';
import { startTestGateway, type TestGateway } from './gateway-harness.js';
import { storeCallsOf } from './store-calls.js';

const P = 'urn:omadm-gateway:problem:';

describeOnBackends('store round trips per API request', (backend) => {
  let db: TestDatabase;
  let t: TestGateway;
  const dev = 'dev-trips-1';
  const covered = new Set<string>();
  const once = async (method: string, template: string, path: string, expected: Record<string, number>, body?: unknown) => {
    covered.add(`${method.toLowerCase()} ${template}`);
    const { result, calls } = await storeCallsOf(t, () => t.api(method, path, body === undefined ? {} : { body }));
    expect(calls, `${method} ${path} → ${result.status}`).toEqual(expected);
    return result;
  };

  beforeAll(async () => {
    db = await backend.create();
    t = await startTestGateway(db);
    await t.checkIn({ deviceId: dev, sessionId: '31' });
    await t.checkIn({ deviceId: 'dev-trips-quiet', sessionId: '32' });
  });
  afterAll(async () => {
    await t?.close();
    await db?.dispose();
  });

  it('answers each successful request with one store call', async () => {
    const body = { pfn: 'Contoso.MDM_8wekyb3d8bbwe', wns: { clientId: t.fake.defaultClient.clientId, clientSecret: t.fake.defaultClient.clientSecret } };
    expect((await once('PUT', '/api/v1/providers/{providerId}', '/api/v1/providers/omadm-gateway', { upsertProvider: 1 }, body)).status).toBe(201);
    expect((await once('PUT', '/api/v1/providers/{providerId}', '/api/v1/providers/omadm-gateway', { upsertProvider: 1 }, body)).status).toBe(200);
    await once('GET', '/api/v1/providers/{providerId}', '/api/v1/providers/omadm-gateway', { getProvider: 1 });
    await once('GET', '/api/v1/devices', '/api/v1/devices', { listDevices: 1 });
    await once('GET', '/api/v1/devices/{deviceId}', `/api/v1/devices/${dev}`, { getDevice: 1 });
    const queued = await once('POST', '/api/v1/devices/{deviceId}/commands', `/api/v1/devices/${dev}/commands`, { enqueueCommand: 1 }, { verb: 'Get', target: './DevInfo/Mod' });
    expect(queued.status).toBe(202);
    const other = await t.api('POST', `/api/v1/devices/${dev}/commands`, { body: { verb: 'Get', target: './DevInfo/Man' } });
    await once('GET', '/api/v1/devices/{deviceId}/commands', `/api/v1/devices/${dev}/commands`, { listCommands: 1 });
    await once('GET', '/api/v1/devices/{deviceId}/commands/{commandId}', `/api/v1/devices/${dev}/commands/${queued.body.id}`, { getCommand: 1 });
    const cancel = `/api/v1/devices/${dev}/commands/${other.body.id}/cancel`;
    expect((await once('POST', '/api/v1/devices/{deviceId}/commands/{commandId}/cancel', cancel, { cancelCommand: 1 })).body.state).toBe('cancelled');
    expect((await once('POST', '/api/v1/devices/{deviceId}/push', `/api/v1/devices/${dev}/push`, { requestWake: 1 }, {})).status).toBe(202);
    await t.gateway.dispatcher.drain();
    expect((await once('GET', '/api/v1/devices/{deviceId}/pushes', `/api/v1/devices/${dev}/pushes`, { listWakeHistory: 1 })).body.items[0].attempts).toHaveLength(1);
    // Bulk wake: one requestWakes per page of up to 200 devices (one transaction each, set-based).
    expect((await once('POST', '/api/v1/push', '/api/v1/push', { requestWakes: 1 }, { deviceIds: [dev] })).body).toMatchObject({ coalesced: 1 });
    await once('GET', '/api/v1/devices/{deviceId}/sessions', `/api/v1/devices/${dev}/sessions`, { listSessions: 1 });
    await once('GET', '/api/v1/devices/{deviceId}/sessions/{sessionId}', `/api/v1/devices/${dev}/sessions/31`, { getSession: 1 });
    await once('GET', '/api/v1/devices/{deviceId}/sessions/{sessionId}/messages', `/api/v1/devices/${dev}/sessions/31/messages`, { listMessages: 1 });
    await once('GET', '/api/v1/devices/{deviceId}/provider', `/api/v1/devices/${dev}/provider`, { getDeviceProvider: 1 });
    // The one route left at two calls: the provider's existence is checked before bindDevice's transaction.
    await once('PUT', '/api/v1/devices/{deviceId}/provider', `/api/v1/devices/${dev}/provider`, { getProvider: 1, bindDevice: 1 }, { providerId: 'omadm-gateway' });
  });

  it('asks about the device only when the lookup found nothing: an empty list of a known device, 404s', async () => {
    const quiet = 'dev-trips-quiet';
    expect((await once('GET', '/api/v1/devices/{deviceId}/commands', `/api/v1/devices/${quiet}/commands`, { listCommands: 1, getDevice: 1 })).body).toEqual({ items: [], nextCursor: null });
    expect((await once('GET', '/api/v1/devices/{deviceId}/pushes', `/api/v1/devices/${quiet}/pushes`, { listWakeHistory: 1, getDevice: 1 })).body).toEqual({ items: [], nextCursor: null });
    const unknownCommand = `/api/v1/devices/${quiet}/commands/00000000-0000-4000-8000-000000000000`;
    expect((await once('GET', '/api/v1/devices/{deviceId}/commands/{commandId}', unknownCommand, { getCommand: 1, getDevice: 1 })).body.type).toBe(`${P}command-not-found`);
    expect((await once('POST', '/api/v1/devices/{deviceId}/commands/{commandId}/cancel', `${unknownCommand}/cancel`, { cancelCommand: 1, getDevice: 1 })).body.type).toBe(`${P}command-not-found`);
    const ghost = '/api/v1/devices/ghost';
    expect((await once('GET', '/api/v1/devices/{deviceId}/sessions', `${ghost}/sessions`, { listSessions: 1, getDevice: 1 })).body.type).toBe(`${P}device-not-found`);
    expect((await once('POST', '/api/v1/devices/{deviceId}/commands', `${ghost}/commands`, { enqueueCommand: 1 }, { verb: 'Get', target: './DevInfo/Mod' })).body.type).toBe(`${P}device-not-found`);
    expect((await once('POST', '/api/v1/devices/{deviceId}/push', `${ghost}/push`, { requestWake: 1 }, {})).body.type).toBe(`${P}device-not-found`);
    expect((await once('GET', '/api/v1/devices/{deviceId}/sessions/{sessionId}', `${ghost}/sessions/31`, { getSession: 1, getDevice: 1 })).body.type).toBe(`${P}device-not-found`);
    const messages = await once('GET', '/api/v1/devices/{deviceId}/sessions/{sessionId}/messages', `${ghost}/sessions/31/messages`, { listMessages: 1, getSession: 1, getDevice: 1 });
    expect(messages.body.type).toBe(`${P}device-not-found`);
  });

  it('covers every registered route that reads or writes the store', () => {
    const outsideTheStore = new Set(['get /healthz', 'get /readyz', 'get /metrics', 'get /api/v1/openapi.json']);
    const registered = t.gateway.routes.map((r) => `${r.method} ${r.openApiPath}`).filter((r) => !outsideTheStore.has(r) && !r.endsWith('/credentials'));
    expect(registered.filter((r) => !covered.has(r))).toEqual([]);
  });
});
