/**
 * Sends one claimed wake and writes down what happened — the push attempts, the wake's new state, and the channel and
 * provider consequences the outcome table asked for — as one settlement, stored in one transaction. Every decision
 * about WNS answers comes from classify-outcome; this module only applies them.
 */
import type { Logger } from 'pino';
import type { Classification } from './classify-outcome.js';
import type { ChannelPolicy } from './channel-policy.js';
import type { PushMetrics } from './push-metrics.js';
import type { SendObservation } from './send-observation.js';
import type { WakeSender } from './send-wake.js';
import type { TokenBuckets } from './token-bucket.js';
import type { PushAttemptInput, WakeSettled, WakeSettlement, WakeView } from './wake-store.js';
import type { WnsCredentials } from './wns-credentials.js';

/** A provider as push needs it: credentials (null when incomplete), whether sends are paused, the operator-visible problem. */
export interface PushProvider {
  providerId: string;
  credentials: WnsCredentials | null;
  pausedUntil: Date | null;
  problem: string | null;
}

export interface ProcessWakeDeps {
  /**
   * Writes one settlement (the dispatcher's settle batcher: it waits for a group commit with the settlements of other
   * wakes, and resolves with this wake's own result).
   */
  settle(wakeId: string, settlement: WakeSettlement): Promise<WakeSettled>;
  wakeSender: WakeSender;
  policy: ChannelPolicy;
  buckets: TokenBuckets;
  /** Longest in-process wait for a rate-limit slot while holding the claim (beyond it the wake is rescheduled). */
  maxRateWaitMs: number;
  sleep: (ms: number) => Promise<void>;
  clock: () => Date;
  logger: Logger;
  metrics: PushMetrics;
  workerId: string;
  /** Cached provider lookup (the dispatcher keeps it short-lived). */
  provider(providerId: string): Promise<PushProvider | null>;
  /** Pauses this process wrote: a success racing a fresh 406 must not clear it. */
  localPauses: Map<string, Date>;
  /** Forget the cached provider after changing it. */
  providerChanged(providerId: string): void;
}

export async function processWake(deps: ProcessWakeDeps, wake: WakeView): Promise<void> {
  const now = deps.clock();
  const settle = (settlement: Omit<WakeSettlement, 'workerId'>) => record(deps, wake, settlement);
  // A deferral before anything was sent (paused provider, local rate limit) uses none of the wake's bounded attempts.
  const defer = (nextAttemptAt: Date, outcome: string, reason: string | null) =>
    settle({ attempts: [], result: { kind: 'retry', nextAttemptAt, outcome, reason, attempted: false } });

  const expiresAt = wake.ttlSeconds === null ? null : wake.requestedAt.getTime() + wake.ttlSeconds * 1000;
  if (expiresAt !== null && expiresAt <= now.getTime()) {
    await settle({ attempts: [], result: { kind: 'expired', reason: 'TTL passed before the wake could be sent' } });
    return;
  }

  const provider = await deps.provider(wake.providerId);
  if (!provider?.credentials) {
    const reason = provider ? `provider ${wake.providerId} has no WNS credentials` : `provider ${wake.providerId} does not exist`;
    await settle({ attempts: [], result: { kind: 'failed', outcome: 'not-configured', reason, attempted: false } });
    return;
  }
  // Claims skip paused providers; this catches a pause written (and the cached provider dropped) after the claim.
  if (provider.pausedUntil && provider.pausedUntil > now) {
    await defer(provider.pausedUntil, 'provider-paused', provider.problem ?? 'sends for this provider are paused');
    return;
  }

  const check = deps.policy.check(wake.channelUri);
  if (!check.allowed) {
    const text = `refused by the channel policy: ${check.reason}`;
    await settle({
      attempts: [{ wakeId: wake.id, deviceId: wake.deviceId, at: now, httpStatus: null, outcome: 'channel-rejected', errorDescription: text, durationMs: 0 }],
      channel: { ref: { deviceId: wake.deviceId, channelUri: wake.channelUri }, state: 'invalid', reason: text, at: now },
      result: { kind: 'failed', outcome: 'channel-rejected', reason: text, attempted: false },
    });
    deps.metrics.pushAttempt('channel-rejected', null, 0);
    deps.logger.warn({ deviceId: wake.deviceId, wakeId: wake.id, reason: check.reason }, 'ChannelURI refused by the channel policy; never contacted');
    return;
  }

  const waitMs = deps.buckets.reserve(wake.providerId, now.getTime(), deps.maxRateWaitMs);
  if (waitMs === null) {
    await defer(new Date(now.getTime() + deps.maxRateWaitMs), 'rate-limited', 'provider rate limit');
    return;
  }
  if (waitMs > 0) await deps.sleep(waitMs);

  const sendAt = deps.clock().getTime();
  const ttlSeconds = expiresAt === null ? null : Math.max(1, Math.ceil((expiresAt - sendAt) / 1000));
  const result = await deps.wakeSender.attempt({
    creds: provider.credentials,
    url: check.url,
    cache: wake.cache,
    ttlSeconds,
    attempt: wake.attempts + 1,
  });
  const at = deps.clock();
  const final = result.kind === 'answered' ? result.classification.outcome : 'token-error';
  const attempts = observed(deps, wake, result.observations, final, at);

  if (result.kind === 'token-problem') {
    const { problem } = result;
    attempts.push({ wakeId: wake.id, deviceId: wake.deviceId, at, httpStatus: null, outcome: 'token-error', errorDescription: problem.message, durationMs: 0 });
    deps.metrics.pushAttempt('token-error', null, 0);
    await settle({
      attempts,
      provider: pause(deps, provider, `WNS token: ${problem.message}`, at, problem.retryAt),
      // No token, nothing sent, unless a first request got its 401 before the refresh failed (that one reached WNS).
      result: { kind: 'retry', nextAttemptAt: problem.retryAt, outcome: 'token-error', reason: problem.message, attempted: result.observations.length > 0 },
    });
    return;
  }

  const c = result.classification;
  const channel = c.channelAction
    ? { ref: { deviceId: wake.deviceId, channelUri: wake.channelUri }, state: c.channelAction.state, reason: c.channelAction.reason, at }
    : null;
  await settle({
    attempts,
    channel,
    provider: providerConsequence(deps, wake, provider, c, at),
    result: c.accepted
      ? { kind: 'sent', sentAt: at, outcome: c.outcome }
      : c.final
        ? { kind: 'failed', outcome: c.outcome, reason: c.reason, attempted: true }
        : { kind: 'retry', nextAttemptAt: c.retryAt ?? at, outcome: c.outcome, reason: c.reason, attempted: true },
  });
}

/**
 * One write for the whole outcome, then the metrics and the provider cache. The write joins a batch committed with other
 * wakes' settlements; a crash before that commit loses nothing: the wake stays claimed ('sending') until its lease runs
 * out and is then sent again (at-least-once, see dispatcher.ts).
 */
async function record(deps: ProcessWakeDeps, wake: WakeView, settlement: Omit<WakeSettlement, 'workerId'>): Promise<void> {
  const { provenLatencyMs } = await deps.settle(wake.id, { ...settlement, workerId: deps.workerId });
  if (settlement.provider) deps.providerChanged(settlement.provider.providerId);
  const r = settlement.result;
  deps.metrics.wakeSettled(r.kind, r.kind === 'expired' ? 'expired' : r.outcome);
  if (provenLatencyMs !== null) deps.metrics.wakeProvenAtSend(provenLatencyMs);
}

/** The push_attempts rows for the HTTP requests of one attempt (two when a 401 was followed by the single resend). */
function observed(deps: ProcessWakeDeps, wake: WakeView, observations: SendObservation[], finalOutcome: string, at: Date): PushAttemptInput[] {
  return observations.map((o, i) => {
    // Only a 401 is ever followed by another request within one attempt (the single resend).
    const outcome = i < observations.length - 1 || (finalOutcome === 'token-error' && o.kind === 'response') ? 'unauthorized' : finalOutcome;
    const httpStatus = o.kind === 'response' ? o.httpStatus : null;
    deps.metrics.pushAttempt(outcome, httpStatus, o.durationMs);
    if (deps.logger.isLevelEnabled('debug')) {
      deps.logger.debug(
        { wakeId: wake.id, deviceId: wake.deviceId, outcome, httpStatus, msCv: o.kind === 'response' ? (o.headers.msCv ?? o.msCvSent) : o.msCvSent },
        'WNS push attempt',
      );
    }
    return {
      wakeId: wake.id,
      deviceId: wake.deviceId,
      at,
      httpStatus,
      outcome,
      wnsStatus: o.kind === 'response' ? o.headers.status : null,
      deviceConnectionStatus: o.kind === 'response' ? o.headers.deviceConnectionStatus : null,
      msgId: o.kind === 'response' ? o.headers.msgId : null,
      debugTrace: o.kind === 'response' ? o.headers.debugTrace : null,
      errorDescription: o.kind === 'response' ? o.headers.errorDescription : `${o.error}: ${o.message}`,
      durationMs: o.durationMs,
    };
  });
}

function providerConsequence(deps: ProcessWakeDeps, wake: WakeView, provider: PushProvider, c: Classification, at: Date): WakeSettlement['provider'] {
  const action = c.providerAction;
  if (action) {
    const problem = action.problem ?? `${c.reason}; sends paused until ${action.pausedUntil.toISOString()}`;
    const log = action.kind === 'throttled' ? deps.logger.info.bind(deps.logger) : deps.logger.error.bind(deps.logger);
    log({ providerId: wake.providerId, kind: action.kind, pausedUntil: action.pausedUntil }, problem);
    return pause(deps, provider, problem, at, action.pausedUntil);
  }
  // A send WNS accepted proves the credentials again: clear an old problem whose pause is over.
  const paused = laterOf(provider.pausedUntil, deps.localPauses.get(wake.providerId) ?? null);
  if (c.accepted && provider.problem !== null && (paused === null || paused <= at)) return { providerId: wake.providerId, clear: true };
  return null;
}

function pause(deps: ProcessWakeDeps, provider: PushProvider, problem: string, at: Date, until: Date): WakeSettlement['provider'] {
  const { providerId } = provider;
  const local = deps.localPauses.get(providerId);
  if (!local || local < until) deps.localPauses.set(providerId, until);
  // Never shorten a longer pause already in force, nor hide its reason (a 406 must not lift or relabel a 403 pause).
  if (provider.pausedUntil && provider.pausedUntil >= until) return null;
  return { providerId, problem, pausedUntil: until, at };
}

function laterOf(a: Date | null, b: Date | null): Date | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}
