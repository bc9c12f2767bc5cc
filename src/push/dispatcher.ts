/**
 * The push dispatcher: wake requests are stored first (a crash between request and send loses nothing), then a loop
 * claims due wakes — exactly one process per wake, by lease — and sends them under a per-provider token bucket and a
 * global concurrency limit. Restart resumes pending wakes and wakes whose lease ran out. A sweeper expires sent wakes
 * whose TTL (or the hold window) passed without a session and unsent ones past their deadline (TTL or maximum age). Proof of wake ('sent' → 'woke') is written by the store's session
 * committer when the device opens a session with Alert 1200. Sends are at-least-once: what a send came to is written
 * after the WNS answer, group-committed with other wakes' settlements (`settles` below); a crash before that commit
 * leaves the wake claimed until its lease runs out, and then it is sent again.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { NoUsableChannelError, UnknownDeviceError } from '../store/errors.js';
import type { ChannelPolicy } from './channel-policy.js';
import { noopPushMetrics, type PushMetrics } from './push-metrics.js';
import { processWake, type PushProvider } from './process-wake.js';
import { createSettleBatcher } from './settle-batcher.js';
import type { WakeSettled, WakeSettleItem } from './wake-store.js';
import type { WakeSender } from './send-wake.js';
import { TokenBuckets, type RateLimit } from './token-bucket.js';
import type { DeviceFilter, WakeOutcome, WakeStore, WakeView } from './wake-store.js';

export interface DispatcherOptions {
  /** Unique per process (default host:pid:random). */
  workerId?: string;
  /** Sends in flight at once, over all providers. */
  concurrency?: number;
  /** How long a claim is exclusive; must outlast a token request plus a send. */
  leaseMs?: number;
  /** Per provider (PFN). */
  rateLimit?: RateLimit;
  pollIntervalMs?: number;
  sweepIntervalMs?: number;
  providerCacheMs?: number;
  /** Fan-out page: devices per store call (one transaction; at most the store's MAX_WAKE_PAGE, 1,000). Default 200. */
  fanOutPageSize?: number;
  /** Channel-policy refusals of one fan-out page settled in parallel. */
  fanOutConcurrency?: number;
}

export interface DispatcherDeps {
  store: WakeStore;
  wakeSender: WakeSender;
  policy: ChannelPolicy;
  clock?: () => Date;
  random?: () => number;
  logger?: Logger;
  metrics?: PushMetrics;
  /** Waits between idle polls and for rate-limit slots (injected so tests need not sleep). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface WakeOptions {
  ttlSeconds?: number | null;
  cache?: boolean;
}

export interface FanOutSummary {
  requested: number;
  created: number;
  coalesced: number;
  /** Devices with no usable channel or unknown (first 100 listed). */
  refused: Array<{ deviceId: string; reason: string }>;
  refusedCount: number;
}

export type FanOutTarget = { deviceIds: readonly string[] } | { filter: DeviceFilter };

export interface PushDispatcher {
  readonly workerId: string;
  /** Stores a wake (or joins the outstanding one). Throws NoUsableChannelError / UnknownDeviceError. */
  requestWake(deviceId: string, options?: WakeOptions): Promise<{ wake: WakeView; coalesced: boolean }>;
  /** Many devices, in random order and in pages; sending starts with the first page. */
  requestWakes(target: FanOutTarget, options?: WakeOptions): Promise<FanOutSummary>;
  /** One round: sweep if due, claim up to `concurrency` due wakes, send them. Returns how many were claimed. */
  runOnce(): Promise<number>;
  /** Rounds until nothing is due (tests, CLI). */
  drain(maxRounds?: number): Promise<number>;
  /** Sweeper: expire wakes past TTL / hold window. */
  sweep(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

export function createPushDispatcher(deps: DispatcherDeps, options: DispatcherOptions = {}): PushDispatcher {
  const clock = deps.clock ?? (() => new Date());
  const random = deps.random ?? Math.random;
  const logger = deps.logger ?? pino({ level: 'silent' });
  const metrics = deps.metrics ?? noopPushMetrics;
  const sleep = deps.sleep ?? abortableSleep;
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const concurrency = options.concurrency ?? 32;
  const leaseMs = options.leaseMs ?? 60_000;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const sweepIntervalMs = options.sweepIntervalMs ?? 30_000;
  const providerCacheMs = options.providerCacheMs ?? 5_000;
  const pageSize = options.fanOutPageSize ?? 200;
  const fanOutConcurrency = options.fanOutConcurrency ?? 8;
  const buckets = new TokenBuckets(options.rateLimit ?? { ratePerSecond: 20, burst: 50 });
  const maxRateWaitMs = Math.min(10_000, Math.floor(leaseMs / 4));

  const providers = new Map<string, { at: number; value: Promise<PushProvider | null> }>();
  const localPauses = new Map<string, Date>();
  let lastSweep = Number.NEGATIVE_INFINITY;
  let running: Promise<void> | null = null;
  let stopper: AbortController | null = null;
  let wakeUp: AbortController | null = null;
  /** Set by a new request; checked before the loop sleeps so a request during a claim is not missed. */
  let notified = false;
  const notify = () => {
    notified = true;
    if (wakeUp && !wakeUp.signal.aborted) wakeUp.abort(); // abort() builds a DOMException on every call, even when already aborted
  };

  const provider = (providerId: string): Promise<PushProvider | null> => {
    const now = clock().getTime();
    const cached = providers.get(providerId);
    if (cached && now - cached.at < providerCacheMs) return cached.value;
    const value = loadProvider(providerId);
    providers.set(providerId, { at: now, value });
    value.catch(() => providers.delete(providerId));
    return value;
  };
  async function loadProvider(providerId: string): Promise<PushProvider | null> {
    const [details, credentials] = await Promise.all([
      deps.store.getProvider(providerId),
      deps.store.getProviderCredentials(providerId),
    ]);
    if (!details) return null;
    return { providerId, credentials, pausedUntil: details.pausedUntil, problem: details.problem };
  }
  /**
   * Group commit of settlements: the sends in flight finish at nearly the same moment, so their settlements are written
   * together — one transaction per batch of up to `concurrency` (settle-batcher.ts, store settleWakes) instead of one
   * commit (one fsync) per wake. Crash semantics are unchanged: the wake was stored before it was sent, and until the
   * batch commits it is still claimed ('sending'); if the process dies between the WNS answer and that commit, its lease
   * runs out and the wake is claimed and sent again (at-least-once; the device may get a second, harmless wake).
   */
  const settles = createSettleBatcher<WakeSettleItem, WakeSettled>((items) => deps.store.settleWakes(items), { maxBatch: concurrency });
  const processDeps = {
    settle: (wakeId: string, settlement: WakeSettleItem['settlement']) => settles.settle({ wakeId, settlement }),
    wakeSender: deps.wakeSender,
    policy: deps.policy,
    buckets,
    maxRateWaitMs,
    sleep: (ms: number) => sleep(ms),
    clock,
    logger,
    metrics,
    workerId,
    provider,
    localPauses,
    providerChanged: (providerId: string) => providers.delete(providerId),
  };

  /**
   * What follows storing a request, per device: the metric, and for a created wake the channel-policy check — the
   * ChannelURI came from the device, so refuse it now rather than let the operator believe a wake is on its way (the
   * wake is settled as channel-rejected and the outcome becomes no-channel).
   */
  async function admit(outcome: WakeOutcome, at: Date): Promise<WakeOutcome> {
    if (outcome.kind === 'unknown-device') return outcome;
    if (outcome.kind !== 'created') {
      metrics.wakeRequested(outcome.kind);
      return outcome;
    }
    const { wake, deviceId } = outcome;
    const check = deps.policy.check(wake.channelUri);
    if (!check.allowed) {
      const reason = `refused by the channel policy: ${check.reason}`;
      await deps.store.settleWake(wake.id, {
        attempts: [],
        channel: { ref: { deviceId, channelUri: wake.channelUri }, state: 'invalid', reason, at },
        result: { kind: 'failed', outcome: 'channel-rejected', reason, attempted: false },
      });
      metrics.wakeRequested('no-channel');
      return { deviceId, kind: 'no-channel', reason };
    }
    metrics.wakeRequested('created');
    return outcome;
  }

  async function requestWake(deviceId: string, wakeOptions: WakeOptions = {}): Promise<{ wake: WakeView; coalesced: boolean }> {
    const at = clock();
    let result: { wake: WakeView; coalesced: boolean };
    try {
      result = await deps.store.requestWake({ deviceId, ttlSeconds: wakeOptions.ttlSeconds ?? null, cache: wakeOptions.cache ?? true, at });
    } catch (err) {
      if (err instanceof NoUsableChannelError) metrics.wakeRequested('no-channel');
      throw err;
    }
    const outcome = await admit({ deviceId, kind: result.coalesced ? 'coalesced' : 'created', wake: result.wake }, at);
    if (outcome.kind === 'no-channel') throw new NoUsableChannelError(deviceId, outcome.reason);
    if (outcome.kind === 'created') notify();
    return result;
  }

  /**
   * Pages of `pageSize` devices, each stored with one store call (one transaction, a handful of set-based statements:
   * store requestWakes), then admitted device by device; the loop is notified after each page, so sending starts with
   * the first page while the next ones are stored.
   */
  async function requestWakes(target: FanOutTarget, wakeOptions: WakeOptions = {}): Promise<FanOutSummary> {
    const ids = 'deviceIds' in target ? [...new Set(target.deviceIds)] : await allDeviceIds(target.filter);
    shuffle(ids, random);
    const summary: FanOutSummary = { requested: ids.length, created: 0, coalesced: 0, refused: [], refusedCount: 0 };
    const refuse = (error: Error & { deviceId: string }) => {
      summary.refusedCount += 1;
      if (summary.refused.length < 100) summary.refused.push({ deviceId: error.deviceId, reason: error.message });
    };
    for (let start = 0; start < ids.length; start += pageSize) {
      const at = clock();
      const stored = await deps.store.requestWakes({
        deviceIds: ids.slice(start, start + pageSize),
        ttlSeconds: wakeOptions.ttlSeconds ?? null,
        cache: wakeOptions.cache ?? true,
        at,
      });
      const admitted: WakeOutcome[] = new Array<WakeOutcome>(stored.length);
      await inParallel(stored.map((outcome, i) => ({ outcome, i })), fanOutConcurrency, async ({ outcome, i }) => {
        admitted[i] = await admit(outcome, at);
      });
      for (const outcome of admitted) {
        if (outcome.kind === 'created') summary.created += 1;
        else if (outcome.kind === 'coalesced') summary.coalesced += 1;
        else if (outcome.kind === 'unknown-device') refuse(new UnknownDeviceError(outcome.deviceId));
        else refuse(new NoUsableChannelError(outcome.deviceId, outcome.reason));
      }
      notify(); // the loop starts sending this page while the next one is stored
    }
    return summary;
  }

  async function allDeviceIds(filter: DeviceFilter): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await deps.store.listDevices({ ...filter, cursor, limit: 500 });
      ids.push(...page.items.map((d) => d.deviceId));
      cursor = page.nextCursor;
    } while (cursor !== null);
    return ids;
  }

  async function sweep(): Promise<number> {
    const n = await deps.store.expireWakes(clock());
    if (n > 0) metrics.wakesExpired(n);
    return n;
  }

  async function sweepIfDue(now: Date): Promise<void> {
    if (now.getTime() - lastSweep >= sweepIntervalMs) {
      lastSweep = now.getTime();
      await sweep();
    }
  }

  function send(wake: WakeView): Promise<void> {
    return processWake(processDeps, wake).catch((err: unknown) => {
      // The lease runs out and another round (or process) takes the wake again.
      logger.error({ err, wakeId: wake.id }, 'push dispatcher: processing a wake failed');
    });
  }

  async function claim(limit: number): Promise<WakeView[]> {
    const now = clock();
    await sweepIfDue(now);
    return deps.store.claimWakes({ workerId, now, limit, leaseMs });
  }

  async function runOnce(): Promise<number> {
    const wakes = await claim(concurrency);
    await Promise.all(wakes.map(send));
    return wakes.length;
  }

  /**
   * The running loop keeps up to `concurrency` sends in flight: it claims what fits, and when every slot is busy it waits
   * until a quarter of them are free again (claims stay batched); when nothing is due it sleeps for the poll interval or
   * until a new wake request arrives.
   */
  async function loop(signal: AbortSignal): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    const refillAt = Math.max(1, Math.floor(concurrency / 4));
    let failures = 0;
    while (!signal.aborted) {
      const free = concurrency - inFlight.size;
      let claimed = 0;
      notified = false;
      try {
        const wakes = await claim(free);
        claimed = wakes.length;
        for (const wake of wakes) {
          const p: Promise<void> = send(wake).finally(() => inFlight.delete(p));
          inFlight.add(p);
        }
        failures = 0;
      } catch (err) {
        failures += 1;
        logger.error({ err }, 'push dispatcher: claiming wakes failed');
      }
      if (signal.aborted) break;
      if (claimed > 0 && claimed === free) {
        while (concurrency - inFlight.size < refillAt && !signal.aborted) await Promise.race([aborted, ...inFlight]);
        continue;
      }
      if (notified && failures === 0) continue;
      wakeUp = new AbortController();
      const delay = failures === 0 ? pollIntervalMs : Math.min(30_000, pollIntervalMs * 2 ** failures);
      await sleep(delay, AbortSignal.any([signal, wakeUp.signal]));
    }
    await Promise.allSettled(inFlight);
  }

  return {
    workerId,
    requestWake,
    requestWakes,
    runOnce,
    async drain(maxRounds = 10_000) {
      let total = 0;
      for (let i = 0; i < maxRounds; i += 1) {
        const n = await runOnce();
        total += n;
        if (n === 0) break;
      }
      return total;
    },
    sweep,
    start() {
      if (running) return;
      stopper = new AbortController();
      running = loop(stopper.signal);
    },
    async stop() {
      stopper?.abort();
      await running;
      running = null;
      await settles.flush(); // settlements still queued (e.g. from runOnce calls) are written before stop returns
    },
  };
}

/** Runs `work` over `items` with at most `limit` in flight; rejects with the first error after all settle. */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw (failure as { error: unknown }).error;
}

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    const a = items[i] as T;
    items[i] = items[j] as T;
    items[j] = a;
  }
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
