/**
 * Test rig: the fake WNS plus the real token source, raw sender and wake sender wired to it, with an injected clock.
 */
import { DEFAULT_CLASSIFY_OPTIONS, type ClassifyOptions } from '../../src/push/classify-outcome.js';
import { createRawSender, type RawSender } from '../../src/push/raw-sender.js';
import { createTokenSource, type TokenSource, type TokenSourceOptions } from '../../src/push/token-source.js';
import { createWakeSender, type WakeSender } from '../../src/push/send-wake.js';
import type { WnsCredentials } from '../../src/push/wns-credentials.js';
import { startFakeWns, type FakeWns, type FakeWnsOptions } from '../support/fake-wns.js';

export interface ManualClock {
  now: () => Date;
  set(at: Date | number): void;
  advance(ms: number): void;
}

export function manualClock(start = Date.parse('2025-03-01T12:00:00.000Z')): ManualClock {
  let t = start;
  return {
    now: () => new Date(t),
    set: (at) => {
      t = typeof at === 'number' ? at : at.getTime();
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

export interface WnsRig {
  fake: FakeWns;
  clock: ManualClock;
  tokens: TokenSource;
  sender: RawSender;
  wakes: WakeSender;
  creds: WnsCredentials;
  close(): Promise<void>;
}

export async function startWnsRig(
  opts: {
    fake?: FakeWnsOptions;
    tokens?: Partial<TokenSourceOptions>;
    classify?: Partial<ClassifyOptions>;
    requestTimeoutMs?: number;
    random?: () => number;
  } = {},
): Promise<WnsRig> {
  const clock = manualClock();
  const fake = await startFakeWns({ clock: clock.now, ...opts.fake });
  const tokens = createTokenSource({ dispatcher: fake.dispatcher(), clock: clock.now, random: () => 0.5, ...opts.tokens });
  const sender = createRawSender({ dispatcher: fake.dispatcher(), requestTimeoutMs: opts.requestTimeoutMs ?? 10_000 });
  const wakes = createWakeSender({
    tokens,
    sender,
    clock: clock.now,
    random: opts.random ?? (() => 0.5),
    classifyOptions: { ...DEFAULT_CLASSIFY_OPTIONS, ...opts.classify },
  });
  const creds: WnsCredentials = {
    providerId: 'prov-1',
    auth: 'classic',
    clientId: fake.defaultClient.clientId,
    clientSecret: fake.defaultClient.clientSecret,
    tenant: null,
    tokenUrl: fake.classicTokenUrl,
  };
  return { fake, clock, tokens, sender, wakes, creds, close: () => fake.close() };
}
