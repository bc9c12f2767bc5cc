/**
 * The dispatcher over a real database (SQLite; PostgreSQL when reachable) and the fake WNS.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { createChannelPolicy } from '../../src/push/channel-policy.js';
import { NoUsableChannelError, UnknownDeviceError } from '../../src/store/errors.js';
import { noopPushMetrics } from '../../src/push/push-metrics.js';
import type { Store } from '../../src/store/roles.js';
import { describeOnBackends, type TestDatabase } from '../support/databases.js';
import { PROVIDER_ID, startPushHarness, type PushHarness } from './push-harness.js';

describeOnBackends('push dispatcher', (backend) => {
  let db: TestDatabase;
  let h: PushHarness;
  beforeAll(async () => {
    db = await backend.create();
  });
  afterAll(async () => {
    await db.dispose();
  });
  beforeEach(async () => {
    await db.reset();
    h = await startPushHarness(db.dataSource);
  });
  afterEach(async () => {
    await h.close();
  });

  const wakesOf = async (deviceId: string) => (await h.store.listWakes(deviceId)).items;
  const attemptsOf = async (deviceId: string) => (await h.store.listPushAttempts(deviceId)).items;

  it('stores first, coalesces repeats, sends once with the WNS headers, records the attempt', async () => {
    await h.addDevice('dev-1');
    const d = h.dispatcher();
    const first = await d.requestWake('dev-1', { ttlSeconds: 300 });
    expect(first).toMatchObject({ coalesced: false, wake: { state: 'pending', ttlSeconds: 300, cache: true } });
    expect(h.fake.channelRequests).toHaveLength(0); // stored, not yet sent
    const again = await d.requestWake('dev-1');
    expect(again).toMatchObject({ coalesced: true, wake: { id: first.wake.id, coalesced: 1 } });

    expect(await d.drain()).toBe(1);
    const [sent] = h.fake.requestsTo('ch-dev-1');
    expect(h.fake.requestsTo('ch-dev-1')).toHaveLength(1);
    expect(sent?.headers).toMatchObject({ 'x-wns-type': 'wns/raw', 'x-wns-cache-policy': 'cache', 'x-wns-ttl': '300' });

    // still outstanding while sent: a new request joins it
    expect(await d.requestWake('dev-1')).toMatchObject({ coalesced: true, wake: { id: first.wake.id, state: 'sent', coalesced: 2 } });
    const [attempt] = await attemptsOf('dev-1');
    expect(attempt).toMatchObject({ wakeId: first.wake.id, httpStatus: 200, outcome: 'received', wnsStatus: 'received', deviceConnectionStatus: 'connected' });
    expect(attempt?.msgId).toMatch(/^[0-9A-F]{16}$/);
    expect(attempt?.debugTrace).toMatch(/^FAKE-/);
  });

  it('writes each processed wake once: attempts, consequences and state in one settlement, settlements group-committed', async () => {
    await h.addDevice('dev-1');
    await h.addDevice('dev-2');
    h.fake.setupChannel('ch-dev-2', { state: 'expired' });
    const calls: string[] = [];
    const settled: string[] = [];
    const watch = (store: Store): Store =>
      new Proxy(store, {
        get(target, key, receiver) {
          const value: unknown = Reflect.get(target, key, receiver);
          if (typeof value !== 'function' || typeof key !== 'string') return value;
          return (...args: unknown[]) => {
            calls.push(key);
            if (key === 'settleWakes') settled.push(...(args[0] as Array<{ wakeId: string }>).map((i) => i.wakeId));
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    const d = h.dispatcher({ wrapStore: watch });
    await d.requestWake('dev-1');
    await d.requestWake('dev-2');
    calls.length = 0;
    expect(await d.drain()).toBe(2);
    const writes = calls.filter((c) => !/^(get|list)/.test(c));
    // Both wakes settled exactly once, in one batch or two (the two WNS answers may arrive in different event-loop turns).
    expect(settled).toHaveLength(2);
    expect(new Set(settled).size).toBe(2);
    expect(new Set(writes)).toEqual(new Set(['expireWakes', 'claimWakes', 'settleWakes']));
    expect(await wakesOf('dev-1')).toMatchObject([{ state: 'sent', attempts: 1 }]);
    expect(await wakesOf('dev-2')).toMatchObject([{ state: 'failed', outcome: 'channel-gone' }]);
    expect((await h.store.getDevice('dev-2'))?.push.state).toBe('gone');
  });

  it('proof of wake: a 1200 session marks the sent wake woke with its latency', async () => {
    await h.addDevice('dev-1');
    const d = h.dispatcher();
    const { wake } = await d.requestWake('dev-1');
    await d.drain();
    h.clock.advance(2_345);
    await h.deviceWoke('dev-1');
    const [stored] = await wakesOf('dev-1');
    expect(stored).toMatchObject({ id: wake.id, state: 'woke', latencyMs: 2_345, outcome: 'received' });
    // the device checked in: the next request is a new wake
    expect(await d.requestWake('dev-1')).toMatchObject({ coalesced: false });
  });

  it('proof of wake before the send was recorded: the latency is reported when the send is settled', async () => {
    await h.addDevice('dev-1');
    const proven: number[] = [];
    const metrics = { ...noopPushMetrics, wakeProvenAtSend: (ms: number) => void proven.push(ms) };
    // The device answers the notification so fast that its 1200 session is committed before the dispatcher writes the send.
    const sessionFirst = (store: Store): Store => ({
      ...store,
      async settleWakes(items) {
        h.clock.advance(700);
        await h.deviceWoke('dev-1');
        return store.settleWakes(items);
      },
    });
    const d = h.dispatcher({ metrics, wrapStore: sessionFirst });
    const { wake } = await d.requestWake('dev-1');
    await d.drain();
    expect(await wakesOf('dev-1')).toMatchObject([{ id: wake.id, state: 'woke', latencyMs: 700 }]);
    expect(proven).toEqual([700]);
  });

  it('refuses a device without a usable channel or unknown', async () => {
    await h.addDevice('dev-none', null);
    const d = h.dispatcher();
    await expect(d.requestWake('dev-none')).rejects.toBeInstanceOf(NoUsableChannelError);
    await expect(d.requestWake('nobody')).rejects.toBeInstanceOf(UnknownDeviceError);
  });

  it.each([
    ['a foreign host', 'https://evil.example.test/steal'],
    ['plain http to the fake', 'http://127.0.0.1:9/x'],
    ['credentials in the URL', 'https://user:pw@127.0.0.1:9/x'],
    ['a fragment trick', 'https://evil.example.test#.notify.windows.com'],
  ])('never contacts %s: invalid channel, 409 reason, nothing sent', async (_name, uri) => {
    await h.addDevice('dev-x', uri);
    const d = h.dispatcher();
    await expect(d.requestWake('dev-x')).rejects.toThrow(/channel policy/);
    expect(await d.drain()).toBe(0);
    expect(h.fake.connections()).toBe(0);
    expect(h.fake.tokenRequests).toHaveLength(0);
    const device = await h.store.getDevice('dev-x');
    expect(device?.push.state).toBe('invalid');
    const [w] = await wakesOf('dev-x');
    expect(w).toMatchObject({ state: 'failed', outcome: 'channel-rejected' });
    await expect(d.requestWake('dev-x')).rejects.toBeInstanceOf(NoUsableChannelError);
  });

  it('re-checks the policy when sending: a wake stored under a wider policy is never sent under a stricter one', async () => {
    const channel = h.fake.channelUri('ch-dev-1');
    await h.addDevice('dev-1', channel);
    await h.dispatcher().requestWake('dev-1');
    const strict = h.dispatcher({ policy: createChannelPolicy('*.notify.windows.com') });
    await strict.drain();
    expect(h.fake.connections()).toBe(0);
    expect(await wakesOf('dev-1')).toMatchObject([{ state: 'failed', outcome: 'channel-rejected' }]);
    expect(await attemptsOf('dev-1')).toMatchObject([{ outcome: 'channel-rejected', httpStatus: null }]);
  });

  it('410: channel gone, PFN to be provisioned again, no more wakes on it', async () => {
    await h.addDevice('dev-1');
    h.fake.setupChannel('ch-dev-1', { state: 'expired' });
    const d = h.dispatcher();
    await d.requestWake('dev-1');
    await d.drain();
    expect(await wakesOf('dev-1')).toMatchObject([{ state: 'failed', outcome: 'channel-gone' }]);
    const device = await h.store.getDevice('dev-1');
    expect(device?.push.state).toBe('gone');
    expect(device?.push.provisionedPfn).toBeNull();
    await expect(d.requestWake('dev-1')).rejects.toBeInstanceOf(NoUsableChannelError);
  });

  it('404: channel invalid', async () => {
    await h.addDevice('dev-1');
    h.fake.setupChannel('ch-dev-1', { state: 'invalid' });
    const d = h.dispatcher();
    await d.requestWake('dev-1');
    await d.drain();
    expect((await h.store.getDevice('dev-1'))?.push.state).toBe('invalid');
  });

  it('403: provider flagged misconfigured and paused; its other wakes wait', async () => {
    await h.addDevice('dev-1');
    await h.addDevice('dev-2');
    h.fake.setupChannel('ch-dev-1', { ownerClientId: 'someone-else' });
    const d = h.dispatcher({ concurrency: 1 });
    await d.requestWake('dev-1');
    await d.runOnce();
    await d.requestWake('dev-2');
    expect(await d.drain()).toBe(0);
    expect(h.fake.requestsTo('ch-dev-2')).toHaveLength(0);
    const provider = await h.store.getProvider(PROVIDER_ID);
    expect(provider?.problem).toMatch(/^403 credentials do not match PFN/);
    expect(provider?.pausedUntil?.getTime()).toBe(h.clock.now().getTime() + 3_600_000);
    // the operator fixes the provider (PUT clears problem and pause): the waiting wake goes out
    const fixed = await h.store.getProviderCredentials(PROVIDER_ID);
    await h.store.putProvider(PROVIDER_ID, { pfn: fixed?.pfn ?? null, wns: { clientId: fixed?.clientId ?? '', clientSecret: fixed?.clientSecret ?? '', tokenUrl: fixed?.tokenUrl ?? null } });
    h.clock.advance(10_000); // past the dispatcher's provider cache
    expect(await d.drain()).toBe(1);
    expect(h.fake.requestsTo('ch-dev-2')).toHaveLength(1);
  });

  it('410 domain blocked: the provider stops indefinitely; a waiting wake expires after 24 h with the reason', async () => {
    await h.addDevice('dev-1');
    await h.addDevice('dev-2');
    h.fake.scriptChannel('ch-dev-1', { status: 410, headers: { 'x-wns-error-description': 'Domain blocked' } });
    const d = h.dispatcher();
    await d.requestWake('dev-1');
    await d.drain();
    expect(await wakesOf('dev-1')).toMatchObject([{ state: 'failed', outcome: 'domain-blocked' }]);
    const { wake } = await d.requestWake('dev-2');
    for (let hour = 1; hour < 24; hour += 1) {
      h.clock.advance(3_600_000);
      expect(await d.drain()).toBe(0);
      expect(await d.requestWake('dev-2')).toMatchObject({ coalesced: true, wake: { id: wake.id } });
    }
    h.clock.advance(3_600_000);
    expect(await d.sweep()).toBe(1);
    const [expired] = await wakesOf('dev-2');
    expect(expired).toMatchObject({ id: wake.id, state: 'expired', attempts: 0, coalesced: 23 });
    expect(expired?.reason).toMatch(/^not sent within the maximum wake age of 24 h \(WAKE_MAX_AGE_SECONDS\); provider problem: 410 sending domain blocked/);
    expect(h.fake.requestsTo('ch-dev-2')).toHaveLength(0);
  });

  it('406: the provider backs off per Retry-After, then the wake goes out', async () => {
    await h.addDevice('dev-1');
    h.fake.scriptChannel('ch-dev-1', { status: 406, headers: { 'retry-after': '120' } });
    const d = h.dispatcher();
    await d.requestWake('dev-1');
    await d.drain();
    let [w] = await wakesOf('dev-1');
    expect(w).toMatchObject({ state: 'pending', outcome: 'throttled', attempts: 1 });
    expect(w?.nextAttemptAt.getTime()).toBe(h.clock.now().getTime() + 120_000);
    expect((await h.store.getProvider(PROVIDER_ID))?.pausedUntil?.getTime()).toBe(h.clock.now().getTime() + 120_000);
    h.clock.advance(119_999);
    expect(await d.drain()).toBe(0);
    h.clock.advance(1);
    expect(await d.drain()).toBe(1);
    [w] = await wakesOf('dev-1');
    expect(w).toMatchObject({ state: 'sent', attempts: 2 });
    expect(h.fake.requestsTo('ch-dev-1')).toHaveLength(2);
    expect((await h.store.getProvider(PROVIDER_ID))?.problem).toBeNull();
  });

  it('503: retried at Retry-After, bounded; gives up after maxAttempts', async () => {
    await h.addDevice('dev-1');
    h.fake.scriptChannel('ch-dev-1', ...Array.from({ length: 3 }, () => ({ status: 503, headers: { 'retry-after': '30' } })));
    const d = h.dispatcher({ classify: { maxAttempts: 3 } });
    await d.requestWake('dev-1');
    for (let i = 1; i <= 2; i += 1) {
      await d.drain();
      const [w] = await wakesOf('dev-1');
      expect(w).toMatchObject({ state: 'pending', outcome: 'unavailable', attempts: i });
      expect(w?.nextAttemptAt.getTime()).toBe(h.clock.now().getTime() + 30_000);
      h.clock.advance(30_000);
    }
    await d.drain();
    expect(await wakesOf('dev-1')).toMatchObject([{ state: 'failed', outcome: 'unavailable', attempts: 3 }]);
    expect(h.fake.requestsTo('ch-dev-1')).toHaveLength(3);
    expect(await attemptsOf('dev-1')).toHaveLength(3);
  });

  it('401 twice: one resend only, provider problem recorded', async () => {
    await h.addDevice('dev-1');
    h.fake.scriptChannel('ch-dev-1', { status: 401 }, { status: 401 }, { status: 401 });
    const d = h.dispatcher();
    await d.requestWake('dev-1');
    await d.drain();
    expect(h.fake.requestsTo('ch-dev-1')).toHaveLength(2);
    expect(await wakesOf('dev-1')).toMatchObject([{ state: 'failed', outcome: 'unauthorized' }]);
    expect((await attemptsOf('dev-1')).map((a) => a.httpStatus)).toEqual([401, 401]);
    expect((await h.store.getProvider(PROVIDER_ID))?.problem).toMatch(/401/);
  });

  it('a failing token endpoint is a provider problem the operator sees; the wake waits, no crash loop', async () => {
    await h.addDevice('dev-1');
    h.fake.scriptToken({ status: 500 }, { status: 500 });
    const d = h.dispatcher();
    await d.requestWake('dev-1');
    expect(await d.drain()).toBe(1);
    expect(await d.drain()).toBe(0);
    expect(h.fake.tokenRequests).toHaveLength(1);
    const provider = await h.store.getProvider(PROVIDER_ID);
    expect(provider?.problem).toMatch(/WNS token: token endpoint answered 500/);
    const [w] = await wakesOf('dev-1');
    expect(w).toMatchObject({ state: 'pending', outcome: 'token-error' });
    expect(await attemptsOf('dev-1')).toMatchObject([{ outcome: 'token-error', httpStatus: null }]);
    h.clock.set(provider?.pausedUntil ?? 0);
    await d.drain(); // second scripted failure
    h.clock.set((await h.store.getProvider(PROVIDER_ID))?.pausedUntil ?? 0);
    await d.drain();
    expect(await wakesOf('dev-1')).toMatchObject([{ state: 'sent' }]);
    expect((await h.store.getProvider(PROVIDER_ID))?.problem).toBeNull();
  });

  it('deferrals (token endpoint down) use up none of the bounded attempts; real sends do', async () => {
    await h.addDevice('dev-1');
    h.fake.scriptToken({ status: 500 }, { status: 503 }, { status: 500 });
    h.fake.scriptChannel('ch-dev-1', { status: 503, headers: { 'retry-after': '30' } });
    const d = h.dispatcher({ classify: { maxAttempts: 2 } });
    await d.requestWake('dev-1');
    for (let i = 0; i < 3; i += 1) {
      await d.drain();
      expect(await wakesOf('dev-1')).toMatchObject([{ state: 'pending', outcome: 'token-error', attempts: 0 }]);
      h.clock.set((await h.store.getProvider(PROVIDER_ID))?.pausedUntil ?? 0);
    }
    expect(h.fake.tokenRequests).toHaveLength(3);
    expect(h.fake.channelRequests).toHaveLength(0);
    await d.drain(); // first real send: 503, retryable, attempt 1 of 2
    expect(await wakesOf('dev-1')).toMatchObject([{ state: 'pending', outcome: 'unavailable', attempts: 1 }]);
    h.clock.advance(30_000);
    await d.drain();
    expect(await wakesOf('dev-1')).toMatchObject([{ state: 'sent', attempts: 2 }]);
  });

  it('a wake deferred by the local rate limit keeps its attempts', async () => {
    await h.addDevice('dev-1');
    await h.addDevice('dev-2');
    // leaseMs 2 s → at most 500 ms of waiting for a slot; the second wake would need 1 s, so it is rescheduled.
    const d = h.dispatcher({ rateLimit: { ratePerSecond: 1, burst: 1 }, leaseMs: 2_000, concurrency: 2, sleep: async () => undefined });
    await d.requestWake('dev-1');
    await d.requestWake('dev-2');
    await d.runOnce();
    expect(h.fake.channelRequests).toHaveLength(1);
    const deferred = [...(await wakesOf('dev-1')), ...(await wakesOf('dev-2'))].find((w) => w.state === 'pending');
    expect(deferred).toMatchObject({ outcome: 'rate-limited', attempts: 0 });
  });

  it('network errors are retried with backoff', async () => {
    await h.addDevice('dev-1');
    h.fake.scriptChannel('ch-dev-1', { status: 0, reset: true });
    const d = h.dispatcher();
    await d.requestWake('dev-1');
    await d.drain();
    const [w] = await wakesOf('dev-1');
    expect(w).toMatchObject({ state: 'pending', outcome: 'network-error' });
    h.clock.set(w?.nextAttemptAt ?? 0);
    await d.drain();
    expect(await wakesOf('dev-1')).toMatchObject([{ state: 'sent' }]);
  });

  it('TTL: a pending wake past its TTL expires unsent; a sent one without session expires; X-WNS-TTL is what remains', async () => {
    await h.addDevice('dev-1');
    await h.addDevice('dev-2');
    const d = h.dispatcher();
    h.fake.scriptChannel('ch-dev-1', { status: 503, headers: { 'retry-after': '100' } });
    await d.requestWake('dev-1', { ttlSeconds: 60 });
    await d.drain();
    h.clock.advance(100_000);
    await d.drain();
    expect(await wakesOf('dev-1')).toMatchObject([{ state: 'expired' }]);
    expect(h.fake.requestsTo('ch-dev-1')).toHaveLength(1);

    await d.requestWake('dev-2', { ttlSeconds: 60 });
    h.clock.advance(15_500);
    await d.drain();
    expect(h.fake.requestsTo('ch-dev-2')[0]?.headers['x-wns-ttl']).toBe('45');
    h.clock.advance(60_000);
    await d.sweep();
    expect(await wakesOf('dev-2')).toMatchObject([{ state: 'expired' }]);
    expect(await d.requestWake('dev-2')).toMatchObject({ coalesced: false });
  });

  it('rate limit per provider: sends wait for their slot', async () => {
    const slept: number[] = [];
    const d = h.dispatcher({
      rateLimit: { ratePerSecond: 2, burst: 2 },
      concurrency: 6,
      sleep: async (ms) => {
        slept.push(ms);
      },
    });
    for (let i = 0; i < 6; i += 1) {
      await h.addDevice(`dev-${i}`);
      await d.requestWake(`dev-${i}`);
    }
    await d.drain();
    expect(h.fake.channelRequests).toHaveLength(6);
    expect(slept.sort((a, b) => a - b)).toEqual([500, 1000, 1500, 2000]);
  });

  it('the running loop sends new requests as they come and stops cleanly', async () => {
    await h.addDevice('dev-1');
    await h.addDevice('dev-2');
    const d = h.dispatcher({ pollIntervalMs: 60_000 }); // only a new request can wake the idle loop in time
    const woken: string[] = [];
    const twoWakes = new Promise<void>((resolve) =>
      h.fake.onWake((w) => {
        woken.push(w.channelId);
        if (woken.length === 2) resolve();
      }),
    );
    d.start();
    await d.requestWake('dev-1');
    await d.requestWake('dev-2');
    await twoWakes;
    await d.stop();
    expect(woken.sort()).toEqual(['ch-dev-1', 'ch-dev-2']);
    await expect.poll(async () => (await wakesOf('dev-2'))[0]?.state).toBe('sent');
  });

  it('fan-out by filter in random order, with a summary', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `dev-${String(i).padStart(2, '0')}`);
    for (const id of ids) await h.addDevice(id);
    await h.addDevice('dev-nochannel', null);
    const d = h.dispatcher({ concurrency: 1 });
    const summary = await d.requestWakes({ filter: { providerId: PROVIDER_ID } });
    expect(summary).toMatchObject({ requested: 41, created: 40, coalesced: 0, refusedCount: 1 });
    expect(summary.refused[0]?.deviceId).toBe('dev-nochannel');
    await d.drain();
    const order = h.fake.channelRequests.map((r) => r.channelId.slice(3));
    expect(new Set(order)).toEqual(new Set(ids));
    expect(order).not.toEqual(ids);
    const again = await d.requestWakes({ deviceIds: ids.slice(0, 5) });
    expect(again).toMatchObject({ requested: 5, created: 0, coalesced: 5 });
  });
});
