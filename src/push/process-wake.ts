/**
 * Sends one claimed wake and writes down what happened: the push attempts, the wake's new state, and the channel and
 * provider consequences the outcome table asked for. Every decision about WNS answers comes from classify-outcome;
 * this module only applies them.
 */
import type { Logger } from 'pino';
import type { Classification } from './classify-outcome.js';
import type { ChannelPolicy } from './channel-policy.js';
import type { PushMetrics } from './push-metrics.js';
import type { SendObservation } from './send-observation.js';
import type { WakeSender } from './send-wake.js';
import type { TokenBuckets } from './token-bucket.js';
import type { WakeStore, WakeView } from './wake-store.js';
import type { WnsCredentials } from './wns-credentials.js';

/** A provider as push needs it: credentials (null when incomplete), whether sends are paused, the operator-visible problem. */
export interface PushProvider {
  providerId: string;
  credentials: WnsCredentials | null;
  pausedUntil: Date | null;
  problem: string | null;
}

export interface ProcessWakeDeps {
  store: WakeStore;
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
  const { store, workerId, metrics } = deps;
  const now = deps.clock();
  const settle = (result: 'sent' | 'failed' | 'expired' | 'retry', outcome: string) => metrics.wakeSettled(result, outcome);
  // A deferral before anything was sent (paused provider, local rate limit) uses none of the wake's bounded attempts.
  const release = async (next: Date, outcome: string, reason: string | null, attempted = false) => {
    await store.rescheduleWake(wake.id, { nextAttemptAt: next, outcome, reason, attempted, workerId });
    settle('retry', outcome);
  };

  const expiresAt = wake.ttlSeconds === null ? null : wake.requestedAt.getTime() + wake.ttlSeconds * 1000;
  if (expiresAt !== null && expiresAt <= now.getTime()) {
    // Back to pending and let the sweeper's rule ("pending past its TTL") end it right away.
    await store.rescheduleWake(wake.id, { nextAttemptAt: now, outcome: 'expired', reason: 'TTL passed before the wake could be sent', attempted: false, workerId });
    await store.expireWakes(now);
    settle('expired', 'expired');
    return;
  }

  const provider = await deps.provider(wake.providerId);
  if (!provider?.credentials) {
    const reason = provider ? `provider ${wake.providerId} has no WNS credentials` : `provider ${wake.providerId} does not exist`;
    await store.failWake(wake.id, { outcome: 'not-configured', reason, attempted: false, workerId });
    settle('failed', 'not-configured');
    return;
  }
  // Claims skip paused providers; this catches a pause written (and the cached provider dropped) after the claim.
  if (provider.pausedUntil && provider.pausedUntil > now) {
    await release(provider.pausedUntil, 'provider-paused', provider.problem ?? 'sends for this provider are paused');
    return;
  }

  const check = deps.policy.check(wake.channelUri);
  if (!check.allowed) {
    await refuseChannel(deps, wake, check.reason, now);
    return;
  }

  const waitMs = deps.buckets.reserve(wake.providerId, now.getTime(), deps.maxRateWaitMs);
  if (waitMs === null) {
    await release(new Date(now.getTime() + deps.maxRateWaitMs), 'rate-limited', 'provider rate limit');
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
  await recordObservations(deps, wake, result.observations, final, at);

  if (result.kind === 'token-problem') {
    const { problem } = result;
    await store.recordPushAttempt({
      wakeId: wake.id,
      deviceId: wake.deviceId,
      at,
      httpStatus: null,
      outcome: 'token-error',
      errorDescription: problem.message,
      durationMs: 0,
    });
    metrics.pushAttempt('token-error', null, 0);
    await pauseProvider(deps, provider, `WNS token: ${problem.message}`, at, problem.retryAt);
    // No token, nothing sent, unless a first request got its 401 before the refresh failed (that one reached WNS).
    await release(problem.retryAt, 'token-error', problem.message, result.observations.length > 0);
    return;
  }

  const c = result.classification;
  await applyConsequences(deps, wake, provider, c, at);
  if (c.accepted) {
    await store.markWakeSent(wake.id, { sentAt: at, outcome: c.outcome, workerId });
    settle('sent', c.outcome);
  } else if (c.final) {
    await store.failWake(wake.id, { outcome: c.outcome, reason: c.reason, attempted: true, workerId });
    settle('failed', c.outcome);
  } else {
    await store.rescheduleWake(wake.id, { nextAttemptAt: c.retryAt ?? at, outcome: c.outcome, reason: c.reason, attempted: true, workerId });
    settle('retry', c.outcome);
  }
}

async function refuseChannel(deps: ProcessWakeDeps, wake: WakeView, reason: string, at: Date): Promise<void> {
  const text = `refused by the channel policy: ${reason}`;
  await deps.store.markChannel({ deviceId: wake.deviceId, channelUri: wake.channelUri }, 'invalid', text, at);
  await deps.store.recordPushAttempt({
    wakeId: wake.id,
    deviceId: wake.deviceId,
    at,
    httpStatus: null,
    outcome: 'channel-rejected',
    errorDescription: text,
    durationMs: 0,
  });
  deps.metrics.pushAttempt('channel-rejected', null, 0);
  await deps.store.failWake(wake.id, { outcome: 'channel-rejected', reason: text, attempted: false, workerId: deps.workerId });
  deps.metrics.wakeSettled('failed', 'channel-rejected');
  deps.logger.warn({ deviceId: wake.deviceId, wakeId: wake.id, reason }, 'ChannelURI refused by the channel policy; never contacted');
}

async function recordObservations(
  deps: ProcessWakeDeps,
  wake: WakeView,
  observations: SendObservation[],
  finalOutcome: string,
  at: Date,
): Promise<void> {
  for (const [i, o] of observations.entries()) {
    // Only a 401 is ever followed by another request within one attempt (the single resend).
    const outcome = i < observations.length - 1 || (finalOutcome === 'token-error' && o.kind === 'response') ? 'unauthorized' : finalOutcome;
    const httpStatus = o.kind === 'response' ? o.httpStatus : null;
    await deps.store.recordPushAttempt({
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
    });
    deps.metrics.pushAttempt(outcome, httpStatus, o.durationMs);
    deps.logger.debug(
      { wakeId: wake.id, deviceId: wake.deviceId, outcome, httpStatus, msCv: o.kind === 'response' ? (o.headers.msCv ?? o.msCvSent) : o.msCvSent },
      'WNS push attempt',
    );
  }
}

async function applyConsequences(deps: ProcessWakeDeps, wake: WakeView, provider: PushProvider, c: Classification, at: Date): Promise<void> {
  if (c.channelAction) {
    await deps.store.markChannel({ deviceId: wake.deviceId, channelUri: wake.channelUri }, c.channelAction.state, c.channelAction.reason, at);
  }
  const action = c.providerAction;
  if (action) {
    const problem = action.problem ?? `${c.reason}; sends paused until ${action.pausedUntil.toISOString()}`;
    await pauseProvider(deps, provider, problem, at, action.pausedUntil);
    const log = action.kind === 'throttled' ? deps.logger.info.bind(deps.logger) : deps.logger.error.bind(deps.logger);
    log({ providerId: wake.providerId, kind: action.kind, pausedUntil: action.pausedUntil }, problem);
    return;
  }
  // A send WNS accepted proves the credentials again: clear an old problem whose pause is over.
  const pause = laterOf(provider.pausedUntil, deps.localPauses.get(wake.providerId) ?? null);
  if (c.accepted && provider.problem !== null && (pause === null || pause <= at)) {
    await deps.store.clearProviderProblem(wake.providerId);
    deps.providerChanged(wake.providerId);
  }
}

async function pauseProvider(deps: ProcessWakeDeps, provider: PushProvider, problem: string, at: Date, until: Date): Promise<void> {
  const { providerId } = provider;
  const local = deps.localPauses.get(providerId);
  if (!local || local < until) deps.localPauses.set(providerId, until);
  // Never shorten a longer pause already in force, nor hide its reason (a 406 must not lift or relabel a 403 pause).
  if (provider.pausedUntil && provider.pausedUntil >= until) return;
  await deps.store.recordProviderProblem(providerId, problem, { at, pausedUntil: until });
  deps.providerChanged(providerId);
}

function laterOf(a: Date | null, b: Date | null): Date | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}
