/**
 * The real push pipeline over a real store database and the fake WNS, with one manual clock for everything.
 */
import type { DataSource } from 'typeorm';
import { createChannelPolicy, type ChannelPolicy } from '../../src/push/channel-policy.js';
import { DEFAULT_CLASSIFY_OPTIONS, type ClassifyOptions } from '../../src/push/classify-outcome.js';
import { createPushDispatcher, type DispatcherOptions, type PushDispatcher } from '../../src/push/dispatcher.js';
import type { PushMetrics } from '../../src/push/push-metrics.js';
import { createRawSender } from '../../src/push/raw-sender.js';
import { createWakeSender } from '../../src/push/send-wake.js';
import { createTokenSource, type TokenSource } from '../../src/push/token-source.js';
import type { SessionEffect } from '../../src/session/ports.js';
import { createStore } from '../../src/store/store.js';
import type { Store } from '../../src/store/roles.js';
import { startFakeWns, type FakeWns, type FakeWnsOptions } from '../support/fake-wns.js';
import { manualClock, type ManualClock } from './wns-rig.js';

export const PROVIDER_ID = 'prov-1';
export const SECRET_KEY = Buffer.alloc(32, 9);
export const LOOPBACK_HTTPS = 'https://127.0.0.1:*';

export interface PushHarness {
  store: Store;
  fake: FakeWns;
  clock: ManualClock;
  tokens: TokenSource;
  /** A dispatcher over `ds` (default: the harness database), sharing the fake and the clock. */
  dispatcher(options?: DispatcherOptions & {
    ds?: DataSource;
    policy?: ChannelPolicy;
    classify?: Partial<ClassifyOptions>;
    metrics?: PushMetrics;
    sleep?: (ms: number) => Promise<void>;
    /** A decorator around the store the dispatcher uses (e.g. to watch its calls). */
    wrapStore?: (store: Store) => Store;
  }): PushDispatcher;
  /** A device that checked in and reported `channelUri` (default: a fresh channel on the fake). */
  addDevice(deviceId: string, channelUri?: string | null): Promise<string | null>;
  /** The device opens a session with Alert 1200 now. */
  deviceWoke(deviceId: string, sessionId?: string): Promise<void>;
  close(): Promise<void>;
}

export async function startPushHarness(ds: DataSource, options: { fake?: FakeWnsOptions } = {}): Promise<PushHarness> {
  const clock = manualClock();
  const fake = await startFakeWns({ clock: clock.now, ...options.fake });
  const store = createStore(ds, { secretKey: SECRET_KEY, defaultProviderId: PROVIDER_ID, clock: clock.now });
  await store.putProvider(PROVIDER_ID, {
    pfn: 'Contoso.MDM_8wekyb3d8bbwe',
    wns: { auth: 'classic', clientId: fake.defaultClient.clientId, clientSecret: fake.defaultClient.clientSecret, tokenUrl: fake.classicTokenUrl },
  });
  const tokens = createTokenSource({ dispatcher: fake.dispatcher(), clock: clock.now, random: () => 0.5 });
  const stores: Store[] = [];
  let sessions = 0;

  const commit = (deviceId: string, effects: SessionEffect[], trigger = '1201') => {
    sessions += 1;
    const when = clock.now().toISOString();
    return store.commitExchange({
      session: { deviceId, sessionId: `s${sessions}`, trigger, startedAt: when, updatedAt: when, ended: true, version: 0, data: {} },
      expectedVersion: null,
      effects: [{ type: 'device.seen', deviceId, at: clock.now(), devInfo: {} }, ...effects],
    });
  };

  return {
    store,
    fake,
    clock,
    tokens,
    dispatcher(o = {}) {
      const own = o.ds ? createStore(o.ds, { secretKey: SECRET_KEY, defaultProviderId: PROVIDER_ID, clock: clock.now }) : store;
      if (o.ds) stores.push(own);
      const dispatcherStore = o.wrapStore ? o.wrapStore(own) : own;
      const sender = createRawSender({ dispatcher: fake.dispatcher(), requestTimeoutMs: 5_000 });
      const wakeSender = createWakeSender({
        tokens,
        sender,
        clock: clock.now,
        random: () => 0.5,
        classifyOptions: { ...DEFAULT_CLASSIFY_OPTIONS, ...o.classify },
      });
      return createPushDispatcher(
        {
          store: dispatcherStore,
          wakeSender,
          policy: o.policy ?? createChannelPolicy(LOOPBACK_HTTPS),
          clock: clock.now,
          random: mulberry32(42),
          ...(o.metrics ? { metrics: o.metrics } : {}),
          ...(o.sleep ? { sleep: o.sleep } : {}),
        },
        { rateLimit: { ratePerSecond: 1e6, burst: 1e6 }, sweepIntervalMs: 0, ...o },
      );
    },
    async addDevice(deviceId, channelUri) {
      const uri = channelUri === undefined ? fake.channelUri(`ch-${deviceId}`) : channelUri;
      await commit(deviceId, [{ type: 'push.channelReported', deviceId, channelUri: uri, at: clock.now() }]);
      clock.advance(1); // a wake sent later is not mistaken for one the device already answered by checking in
      return uri;
    },
    async deviceWoke(deviceId, sessionId) {
      await commit(deviceId, [{ type: 'session.serverInitiated', deviceId, sessionId: sessionId ?? `w${sessions}`, at: clock.now() }], '1200');
    },
    async close() {
      await fake.close();
    },
  };
}

/** Small seeded PRNG so fan-out order is random but reproducible. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
