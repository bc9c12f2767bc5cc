/**
 * Push as the composition root wires it: configuration from the environment reaches the store and the WNS agent.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { composeGateway } from '../../src/app/compose.js';
import { loadConfig } from '../../src/config/index.js';
import { describeOnBackends, type TestDatabase } from '../support/databases.js';
import { startFakeWns } from '../support/fake-wns.js';
import { startTestGateway, type TestGateway } from '../http/gateway-harness.js';
import { startConnectProxy } from './connect-proxy.js';
import { manualClock } from './wns-rig.js';

describeOnBackends('push in the composed gateway', (backend) => {
  let db: TestDatabase;
  let t: TestGateway | undefined;
  beforeAll(async () => {
    db = await backend.create();
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await t?.close();
    t = undefined;
    await db.reset();
  });
  afterAll(async () => {
    await db?.dispose();
  });

  it('WAKE_MAX_AGE_SECONDS: an unsent wake expires after it, with the reason in the API', async () => {
    const clock = manualClock();
    t = await startTestGateway(db, { env: { WAKE_MAX_AGE_SECONDS: '60' }, compose: { clock: clock.now } });
    await t.checkIn({ deviceId: 'dev-old', sessionId: '1' });
    const wake = await t.api('POST', '/api/v1/devices/dev-old/push', { body: {} });
    expect(wake.status).toBe(202);
    clock.advance(59_999);
    expect(await t.gateway.dispatcher.sweep()).toBe(0);
    clock.advance(1);
    expect(await t.gateway.dispatcher.sweep()).toBe(1);
    const pushes = await t.api('GET', '/api/v1/devices/dev-old/pushes');
    expect(pushes.body.items[0]).toMatchObject({
      wakeId: wake.body.wakeId,
      state: 'expired',
      attemptCount: 0,
      reason: expect.stringMatching(/^not sent within the maximum wake age of 1 min \(WAKE_MAX_AGE_SECONDS\)/),
    });
  });

  it('/metrics: a woken session observes the wake latency histogram once, with the push-to-session time', async () => {
    const clock = manualClock();
    t = await startTestGateway(db, { compose: { clock: clock.now } });
    await t.putProvider();
    await t.checkIn({ deviceId: 'dev-m', sessionId: '1' });
    const wake = await t.api('POST', '/api/v1/devices/dev-m/push', { body: {} });
    expect(await t.gateway.dispatcher.drain()).toBe(1);
    const before = await t.api('GET', '/metrics');
    expect(before.text).toMatch(/^omadm_wake_latency_seconds_count 0$/m);
    clock.advance(1_500);
    await t.checkIn({ deviceId: 'dev-m', sessionId: '2', trigger: '1200' });
    expect((await t.api('GET', '/api/v1/devices/dev-m/pushes')).body.items[0]).toMatchObject({ wakeId: wake.body.wakeId, state: 'woke', latencyMs: 1_500 });
    const after = await t.api('GET', '/metrics');
    expect(after.text).toMatch(/^omadm_wake_latency_seconds_count 1$/m);
    expect(after.text).toMatch(/^omadm_wake_latency_seconds_sum 1\.5$/m);
    expect(after.text).toMatch(/^omadm_wake_latency_seconds_bucket\{le="2"\} 1$/m);
  });

  it('/metrics: the latency is observed even when a newer wake request is still pending as the old wake is proven', async () => {
    const clock = manualClock();
    t = await startTestGateway(db, { compose: { clock: clock.now } });
    await t.putProvider();
    await t.checkIn({ deviceId: 'dev-n', sessionId: '1' });
    const first = await t.api('POST', '/api/v1/devices/dev-n/push', { body: {} });
    expect(await t.gateway.dispatcher.drain()).toBe(1);
    clock.advance(11 * 60_000); // past the 10-minute hold window: a new request is a new wake, left pending here
    const second = await t.api('POST', '/api/v1/devices/dev-n/push', { body: {} });
    expect(second.body).toMatchObject({ coalesced: false, state: 'pending' });
    await t.checkIn({ deviceId: 'dev-n', sessionId: '2', trigger: '1200' });
    const wakes = (await t.api('GET', '/api/v1/devices/dev-n/pushes')).body.items;
    expect(wakes.map((w: { wakeId: string; state: string }) => [w.wakeId, w.state])).toEqual([
      [second.body.wakeId, 'pending'],
      [first.body.wakeId, 'woke'],
    ]);
    expect((await t.api('GET', '/metrics')).text).toMatch(/^omadm_wake_latency_seconds_count 1$/m);
  });

  it('HTTPS_PROXY: the gateway\'s WNS traffic (token and notification) goes through the proxy with CONNECT', async () => {
    const fake = await startFakeWns();
    const proxy = await startConnectProxy();
    vi.stubEnv('HTTPS_PROXY', proxy.url);
    const config = loadConfig({
      env: {
        PORT: '0',
        DATA_DIR: db.config.dataDir,
        ...(db.config.databaseUrl ? { DATABASE_URL: db.config.databaseUrl } : {}),
        OPERATOR_TOKEN: 'test-operator-token-0123456789abcdef',
        SECRET_KEY: randomBytes(32).toString('base64'),
        LOG_LEVEL: 'silent',
        WNS_TOKEN_URL: fake.classicTokenUrl,
        WNS_CHANNEL_HOSTS: '127.0.0.1:*',
      },
    });
    // No wnsAgent injected: the composition root builds its own (only the fake's certificate is added to what it trusts).
    const gateway = await composeGateway(config, { wnsCa: fake.ca ?? undefined, background: false });
    try {
      const { store, dispatcher } = gateway;
      await store.putProvider(config.defaultProviderId, {
        pfn: 'Contoso.MDM_8wekyb3d8bbwe',
        wns: { clientId: fake.defaultClient.clientId, clientSecret: fake.defaultClient.clientSecret },
      });
      const at = new Date();
      await store.commitExchange({
        session: { deviceId: 'dev-proxied', sessionId: '1', trigger: '1201', startedAt: at.toISOString(), updatedAt: at.toISOString(), ended: true, version: 0, data: {} },
        expectedVersion: null,
        effects: [
          { type: 'device.seen', deviceId: 'dev-proxied', at, devInfo: {} },
          { type: 'push.channelReported', deviceId: 'dev-proxied', channelUri: fake.channelUri('ch-proxied'), at },
        ],
      });
      await dispatcher.requestWake('dev-proxied');
      expect(await dispatcher.drain()).toBe(1);
      expect(fake.tokenRequests).toHaveLength(1);
      expect(fake.requestsTo('ch-proxied')).toHaveLength(1);
      expect((await store.listWakes('dev-proxied')).items).toMatchObject([{ state: 'sent' }]);
      expect(proxy.tunnels.length).toBeGreaterThan(0);
      expect(new Set(proxy.tunnels)).toEqual(new Set([new URL(fake.origin).host]));
    } finally {
      await gateway.close();
      await fake.close();
      await proxy.close();
    }
  });
});
