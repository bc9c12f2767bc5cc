/**
 * Every operator API route over real HTTP against the composition root, on SQLite and PostgreSQL. Each answer is
 * checked against the OpenAPI document by the harness (and against its schema in-process by the app), and the last
 * test checks from the access log that every registered route answered 2xx at least once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeOnBackends, type TestDatabase } from '../support/databases.js';
import { PFN, startTestGateway, type TestGateway } from './gateway-harness.js';

describeOnBackends('operator API', (backend) => {
  let db: TestDatabase;
  let t: TestGateway;
  const dev = 'dev-api-1';

  beforeAll(async () => {
    db = await backend.create();
    t = await startTestGateway(db);
  });
  afterAll(async () => {
    await t?.close();
    await db?.dispose();
  });

  describe('providers', () => {
    it('PUT creates (201), PUT again updates (200), GET masks the secret', async () => {
      const body = { pfn: PFN, wns: { clientId: t.fake.defaultClient.clientId, clientSecret: t.fake.defaultClient.clientSecret } };
      const created = await t.api('PUT', '/api/v1/providers/omadm-gateway', { body });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ providerId: 'omadm-gateway', pfn: PFN, wns: { auth: 'classic', clientSecretSet: true } });
      const updated = await t.api('PUT', '/api/v1/providers/omadm-gateway', { body: { ...body, pollSchedule: { intervalForFirstSetOfRetries: 15, numberOfFirstRetries: 5 } } });
      expect(updated.status).toBe(200);
      const got = await t.api('GET', '/api/v1/providers/omadm-gateway');
      expect(got.status).toBe(200);
      expect(got.body.pollSchedule).toEqual({ intervalForFirstSetOfRetries: 15, numberOfFirstRetries: 5 });
      expect(got.text).not.toContain(t.fake.defaultClient.clientSecret);
      expect(created.text + updated.text).not.toContain(t.fake.defaultClient.clientSecret);
    });

    it('keeps the stored secret when an update omits it', async () => {
      await t.api('PUT', '/api/v1/providers/second', { body: { pfn: 'A.B_1', wns: { clientId: 'ms-app://x', clientSecret: 's3cr3t-value' } } });
      const r = await t.api('PUT', '/api/v1/providers/second', { body: { pfn: 'A.B_2', wns: { clientId: 'ms-app://x' } } });
      expect(r.body).toMatchObject({ pfn: 'A.B_2', wns: { clientSecretSet: true } });
    });

    it('GET of an unknown provider is 404 provider-not-found', async () => {
      const r = await t.api('GET', '/api/v1/providers/nobody');
      expect(r.status).toBe(404);
      expect(r.body.type).toBe('urn:omadm-gateway:problem:provider-not-found');
    });
  });

  describe('devices', () => {
    it('lists nothing before any device checked in', async () => {
      const r = await t.api('GET', '/api/v1/devices');
      expect(r.body).toEqual({ items: [], nextCursor: null });
    });

    it('shows a device after its check-in with DevInfo, last session and push state', async () => {
      await t.checkIn({ deviceId: dev, sessionId: '1' });
      const r = await t.api('GET', `/api/v1/devices/${dev}`);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({
        deviceId: dev,
        providerId: 'omadm-gateway',
        enrollmentState: 'enrolled',
        devInfo: { DevId: dev, Man: 'Contoso', Mod: 'Surface' },
        lastSession: { sessionId: '1', trigger: '1201', ended: true },
        pendingCommands: 0,
        push: {
          state: 'active',
          usable: true,
          pfnProvisioned: true,
          provisionedPfn: PFN,
          providerPfn: PFN,
          channelUri: t.fake.channelUri(`ch-${dev}`),
          status: 0,
          statusMeaning: 'Success',
        },
      });
      const expires = new Date(r.body.push.channelExpiresAt).getTime() - new Date(r.body.push.channelFirstReportedAt).getTime();
      expect(expires).toBe(30 * 24 * 3600 * 1000);
    });

    it('paginates with a cursor and filters by provider, push state and pending commands', async () => {
      await t.checkIn({ deviceId: 'dev-api-2', channelUri: null, pushStatus: '4' });
      await t.checkIn({ deviceId: 'dev-api-3' });
      const first = await t.api('GET', '/api/v1/devices?limit=2');
      expect(first.body.items.map((d: { deviceId: string }) => d.deviceId)).toEqual(['dev-api-1', 'dev-api-2']);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await t.api('GET', `/api/v1/devices?limit=2&cursor=${first.body.nextCursor}`);
      expect(second.body).toMatchObject({ items: [{ deviceId: 'dev-api-3' }], nextCursor: null });

      const none = await t.api('GET', '/api/v1/devices?pushState=none');
      expect(none.body.items.map((d: { deviceId: string }) => d.deviceId)).toEqual(['dev-api-2']);
      expect(none.body.items[0].push).toMatchObject({ state: 'none', usable: false, status: 4, statusMeaning: 'Failure: no Channel URI assigned' });
      const active = await t.api('GET', '/api/v1/devices?pushState=active&providerId=omadm-gateway');
      expect(active.body.items.map((d: { deviceId: string }) => d.deviceId)).toEqual(['dev-api-1', 'dev-api-3']);
      const otherProvider = await t.api('GET', '/api/v1/devices?providerId=second');
      expect(otherProvider.body.items).toEqual([]);
      const seenLater = await t.api('GET', `/api/v1/devices?lastSeenAfter=${new Date(Date.now() + 60_000).toISOString()}`);
      expect(seenLater.body.items).toEqual([]);
      const seenBefore = await t.api('GET', `/api/v1/devices?lastSeenBefore=${new Date(Date.now() + 60_000).toISOString()}&limit=500`);
      expect(seenBefore.body.items).toHaveLength(3);
    });
  });

  describe('commands', () => {
    let getId: string;

    it('queues a Get (202, Location) and reads it back as queued', async () => {
      const r = await t.api('POST', `/api/v1/devices/${dev}/commands`, { body: { verb: 'Get', target: './DevInfo/Mod' } });
      expect(r.status).toBe(202);
      expect(r.body).toEqual({ id: expect.any(String), state: 'queued' });
      getId = r.body.id;
      expect(r.headers.get('location')).toBe(`/api/v1/devices/${dev}/commands/${getId}`);
      const got = await t.api('GET', r.headers.get('location')!);
      expect(got.body).toMatchObject({ id: getId, deviceId: dev, state: 'queued', command: { verb: 'Get', target: './DevInfo/Mod' }, status: null, results: [], attempts: 0 });
      const pending = await t.api('GET', '/api/v1/devices?hasPendingCommands=true');
      expect(pending.body.items.map((d: { deviceId: string }) => d.deviceId)).toEqual([dev]);
    });

    it('queues an Atomic with children and cancels it while queued; a second cancel is 409', async () => {
      const atomic = {
        verb: 'Atomic',
        commands: [
          { verb: 'Replace', target: './Vendor/MSFT/Policy/Config/Camera/AllowCamera', data: '0', format: 'int' },
          { verb: 'Add', target: './Vendor/MSFT/Policy/Config/Bluetooth/AllowDiscoverableMode', data: '1', format: 'int' },
        ],
      };
      const r = await t.api('POST', `/api/v1/devices/${dev}/commands`, { body: atomic });
      expect(r.status).toBe(202);
      const list = await t.api('GET', `/api/v1/devices/${dev}/commands?state=queued`);
      expect(list.body.items.map((c: { id: string }) => c.id)).toEqual([r.body.id, getId]);
      const cancelled = await t.api('POST', `/api/v1/devices/${dev}/commands/${r.body.id}/cancel`);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body).toMatchObject({ id: r.body.id, state: 'cancelled', command: atomic });
      const again = await t.api('POST', `/api/v1/devices/${dev}/commands/${r.body.id}/cancel`);
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ type: 'urn:omadm-gateway:problem:command-not-cancellable', detail: 'the command is cancelled' });
    });

    it('an unknown command id is 404 command-not-found', async () => {
      const r = await t.api('GET', `/api/v1/devices/${dev}/commands/00000000-0000-4000-8000-000000000000`);
      expect(r.status).toBe(404);
      expect(r.body.type).toBe('urn:omadm-gateway:problem:command-not-found');
      const c = await t.api('POST', `/api/v1/devices/${dev}/commands/00000000-0000-4000-8000-000000000000/cancel`);
      expect(c.status).toBe(404);
    });

    it('wake → WNS → Alert 1200 session delivers the Get; the command is done with its result', async () => {
      const wake = await t.api('POST', `/api/v1/devices/${dev}/push`, { body: { ttlSeconds: 600 } });
      expect(wake.status).toBe(202);
      expect(wake.body).toMatchObject({ deviceId: dev, state: 'pending', coalesced: false });
      const again = await t.api('POST', `/api/v1/devices/${dev}/push`);
      expect(again.body).toMatchObject({ wakeId: wake.body.wakeId, coalesced: true });
      await t.gateway.dispatcher.drain();
      expect(t.fake.requestsTo(`ch-${dev}`).map((r) => r.status)).toEqual([200]);
      const sent = await t.api('GET', `/api/v1/devices/${dev}/pushes`);
      expect(sent.body.items[0]).toMatchObject({ wakeId: wake.body.wakeId, state: 'sent', ttlSeconds: 600, cache: true, attemptCount: 1, coalesced: 1 });
      expect(sent.body.items[0].attempts).toMatchObject([{ httpStatus: 200, wnsStatus: 'received' }]);

      await t.checkIn({ deviceId: dev, sessionId: '2', trigger: '1200', values: { './DevInfo/Mod': 'Surface Book 3' } });
      const done = await t.api('GET', `/api/v1/devices/${dev}/commands/${getId}`);
      expect(done.body).toMatchObject({ state: 'done', status: '200', statusMeaning: expect.any(String), attempts: 1, sessionId: '2', results: [{ source: './DevInfo/Mod', data: 'Surface Book 3' }] });
      const woke = await t.api('GET', `/api/v1/devices/${dev}/pushes`);
      expect(woke.body.items[0]).toMatchObject({ state: 'woke', latencyMs: expect.any(Number) });
      const device = await t.api('GET', `/api/v1/devices/${dev}`);
      expect(device.body.lastSession).toMatchObject({ sessionId: '2', trigger: '1200' });
    });

    it('a wake for a device without a usable channel is 409 with the reason', async () => {
      const r = await t.api('POST', '/api/v1/devices/dev-api-2/push', { body: {} });
      expect(r.status).toBe(409);
      expect(r.body).toMatchObject({ type: 'urn:omadm-gateway:problem:no-usable-channel', reason: expect.any(String) });
    });

    it('bulk wake by list and by filter reports what was created, coalesced and refused', async () => {
      const byList = await t.api('POST', '/api/v1/push', { body: { deviceIds: ['dev-api-3', 'dev-api-2', 'no-such-device'] } });
      expect(byList.status).toBe(202);
      expect(byList.body).toMatchObject({ requested: 3, created: 1, coalesced: 0, refusedCount: 2 });
      expect(byList.body.refused.map((r: { deviceId: string }) => r.deviceId).sort()).toEqual(['dev-api-2', 'no-such-device']);
      await t.api('POST', `/api/v1/devices/dev-api-3/commands`, { body: { verb: 'Get', target: './DevDetail/SwV' } });
      const byFilter = await t.api('POST', '/api/v1/push', { body: { filter: { hasPendingCommands: true }, cache: false } });
      expect(byFilter.body).toMatchObject({ requested: 1, created: 0, coalesced: 1, refusedCount: 0 });
    });
  });

  describe('sessions and raw SyncML', () => {
    it('lists sessions newest first and the raw messages of one, in order', async () => {
      const sessions = await t.api('GET', `/api/v1/devices/${dev}/sessions`);
      expect(sessions.body.items.map((s: { sessionId: string; trigger: string }) => [s.sessionId, s.trigger])).toEqual([
        ['2', '1200'],
        ['1', '1201'],
      ]);
      const messages = await t.api('GET', `/api/v1/devices/${dev}/sessions/2/messages`);
      expect(messages.body.items.map((m: { msgId: string }) => m.msgId)).toEqual(['1', '2', '3'].slice(0, messages.body.items.length));
      const first = messages.body.items[0];
      expect(first).toMatchObject({ contentType: 'application/vnd.syncml.dm+xml', request: { encoding: 'utf8' }, reply: { encoding: 'utf8' } });
      expect(first.request.body).toContain('<SyncML');
      expect(first.request.bytes).toBe(Buffer.byteLength(first.request.body));
      const paged = await t.api('GET', `/api/v1/devices/${dev}/sessions/2/messages?limit=1`);
      expect(paged.body.items).toHaveLength(1);
      expect(paged.body.nextCursor).toEqual(expect.any(String));
      const none = await t.api('GET', `/api/v1/devices/${dev}/sessions/77/messages`);
      expect(none.status).toBe(404);
      expect(none.body.type).toBe('urn:omadm-gateway:problem:session-not-found');
      const one = await t.api('GET', `/api/v1/devices/${dev}/sessions/2`);
      expect(one.body).toEqual(sessions.body.items[0]);
    });
  });

  describe('device credentials', () => {
    it('PUT (201, then 200) and GET answer masked; DELETE removes them (204), then 404 credentials-not-found', async () => {
      const body = { client: { name: 'dev-user', password: 'dev-password-123' }, server: { name: 'gw', password: 'server-password-1' } };
      const created = await t.api('PUT', `/api/v1/devices/${dev}/credentials`, { body });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ deviceId: dev, client: { name: 'dev-user' }, server: { name: 'gw' }, authenticatedSessionId: null, failures: 0 });
      expect((await t.api('PUT', `/api/v1/devices/${dev}/credentials`, { body })).status).toBe(200);
      const got = await t.api('GET', `/api/v1/devices/${dev}/credentials`);
      expect(got.status).toBe(200);
      expect(got.text).not.toContain('password');
      expect((await t.api('DELETE', `/api/v1/devices/${dev}/credentials`)).status).toBe(204);
      const gone = await t.api('GET', `/api/v1/devices/${dev}/credentials`);
      expect(gone.status).toBe(404);
      expect(gone.body.type).toBe('urn:omadm-gateway:problem:credentials-not-found');
    });
  });

  describe('device provider', () => {
    it('PUT binds the device (201, then 200) and GET reads the binding; device-provider.test.ts covers moves', async () => {
      const bound = await t.api('PUT', '/api/v1/devices/dev-api-3/provider', { body: { providerId: 'omadm-gateway' } });
      expect(bound.status).toBe(201);
      expect(bound.body).toMatchObject({ deviceId: 'dev-api-3', providerId: 'omadm-gateway', source: 'binding', checkedIn: true, moved: false });
      expect((await t.api('PUT', '/api/v1/devices/dev-api-3/provider', { body: { providerId: 'omadm-gateway' } })).status).toBe(200);
      const got = await t.api('GET', '/api/v1/devices/dev-api-3/provider');
      expect(got.body).toEqual({
        deviceId: 'dev-api-3',
        providerId: 'omadm-gateway',
        source: 'binding',
        binding: { providerId: 'omadm-gateway', createdAt: expect.any(String), updatedAt: expect.any(String) },
        checkedIn: true,
      });
    });
  });

  describe('operations', () => {
    it('serves health, readiness, metrics and the OpenAPI document', async () => {
      expect((await t.api('GET', '/healthz', { authorization: null })).body).toEqual({ status: 'ok' });
      const ready = await t.api('GET', '/readyz', { authorization: null });
      expect(ready.body).toMatchObject({ status: 'ready', checks: { database: { ok: true }, migrations: { ok: true } } });
      const metrics = await t.api('GET', '/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.text).toMatch(/omadm_sessions_total\{trigger="1200"\} 1/);
      expect(metrics.text).toMatch(/omadm_push_outcomes_total\{[^}]*http_status="200"[^}]*\} 1/);
      expect(metrics.text).toMatch(/omadm_wns_token_fetches_total\{result="ok"\} 1/);
      expect(metrics.text).toMatch(/omadm_wake_latency_seconds_count 1/);
      expect(metrics.text).toMatch(/omadm_command_outcomes_total\{cmd="Get",status="200"\}/);
      expect(metrics.text).toMatch(/omadm_db_operation_duration_seconds_count\{operation="loadForMessage",result="ok"\}/);
      expect(metrics.text).toMatch(/nodejs_eventloop_lag_seconds/);
      const doc = await t.api('GET', '/api/v1/openapi.json');
      expect(doc.body.openapi).toBe('3.1.0');
    });

    it('every registered route answered 2xx in these tests (from the access log)', () => {
      const served = new Set(
        t.logs
          .lines()
          .filter((l) => l.msg === 'request' && typeof l.status === 'number' && l.status < 300)
          .map((l) => `${String(l.method)} ${String(l.route)}`),
      );
      const missing = t.gateway.routes.map((r) => `${r.method.toUpperCase()} ${r.path}`).filter((r) => !served.has(r));
      expect(missing).toEqual([]);
    });
  });
});
