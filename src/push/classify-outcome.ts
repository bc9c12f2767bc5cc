/**
 * The one table that says what every WNS answer means for a wake (PROTOCOL.md e.6, e.5, e.7).
 * Pure: an observation + context in, a decision as data out. The dispatcher applies it.
 *
 * Rows are tried in order; the first whose `when` matches decides. Each row is tested through the real sender
 * against the fake WNS (test/push/classify-outcome.test.ts).
 */
import { backoffDelay, parseRetryAfter } from './retry-after.js';
import type { SendObservation } from './send-observation.js';

export type WakeOutcome =
  | 'received'
  | 'dropped'
  | 'channel-throttled'
  | 'bad-request'
  | 'unauthorized'
  | 'forbidden'
  | 'channel-invalid'
  | 'method-not-allowed'
  | 'throttled'
  | 'channel-gone'
  | 'domain-blocked'
  | 'too-large'
  | 'server-error'
  | 'unavailable'
  | 'unexpected-status'
  | 'network-error';

/** A channel that must not be used again until the device reports a new one. */
export interface ChannelAction {
  state: 'gone' | 'invalid';
  reason: string;
  /** 410: set the PFN again in the next session so the device registers a new channel (PROTOCOL.md f, PUSH-2017). */
  reprovisionPfn: boolean;
}

/** A provider-wide consequence; `problem` is what the operator sees on the provider (null: clear nothing, add nothing). */
export interface ProviderAction {
  kind: 'throttled' | 'misconfigured' | 'token-rejected' | 'blocked';
  problem: string | null;
  pausedUntil: Date;
}

export interface Classification {
  row: OutcomeRowId;
  outcome: WakeOutcome;
  /** WNS accepted the notification (200 received): the wake is 'sent' and waits for its session. */
  accepted: boolean;
  /** No further attempt for this wake. */
  final: boolean;
  /** When not final: the earliest time of the next attempt. */
  retryAt?: Date;
  /** 401: invalidate the token and resend at once, this one time. */
  resendWithFreshToken?: boolean;
  channelAction?: ChannelAction;
  providerAction?: ProviderAction;
  reason: string;
}

export interface ClassifyContext {
  now: Date;
  /** 1-based number of the attempt that produced the observation (the 401 resend counts as the same attempt). */
  attempt: number;
  /** The observation is the answer to the single resend after a 401. */
  resentAfter401: boolean;
  random: () => number;
}

export interface ClassifyOptions {
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Upper bound on an honoured Retry-After (a broken header must not park a wake for a year). */
  maxRetryAfterMs: number;
  /** 406 without Retry-After: how long the provider pauses. */
  throttleDefaultMs: number;
  /** 403: how long sends for the provider pause (the operator fixing credentials clears it sooner). */
  misconfiguredPauseMs: number;
  /** 401 again with a fresh token. */
  tokenRejectedPauseMs: number;
}

export const DEFAULT_CLASSIFY_OPTIONS: ClassifyOptions = {
  maxAttempts: 5,
  backoffBaseMs: 2_000,
  backoffMaxMs: 5 * 60_000,
  maxRetryAfterMs: 60 * 60_000,
  throttleDefaultMs: 60_000,
  misconfiguredPauseMs: 60 * 60_000,
  tokenRejectedPauseMs: 5 * 60_000,
};

/** "Stop; alert operator" (410 domain blocked): paused until the operator changes the provider. */
export const INDEFINITE_PAUSE = new Date('9999-12-31T23:59:59.000Z');

export type OutcomeRowId =
  | '200-received'
  | '200-dropped'
  | '200-channelthrottled'
  | '400'
  | '401-first'
  | '401-after-refresh'
  | '403'
  | '404'
  | '405'
  | '406'
  | '410-domain-blocked'
  | '410'
  | '413'
  | '500'
  | '503'
  | 'other-5xx'
  | 'other-status'
  | 'network';

interface Row {
  id: OutcomeRowId;
  when(o: SendObservation, ctx: ClassifyContext): boolean;
  decide(o: SendObservation, ctx: ClassifyContext, opt: ClassifyOptions): Omit<Classification, 'row'>;
}

const status = (o: SendObservation): number | null => (o.kind === 'response' ? o.httpStatus : null);
const wnsStatus = (o: SendObservation): string | null => (o.kind === 'response' ? o.headers.status : null);
const description = (o: SendObservation): string => (o.kind === 'response' ? (o.headers.errorDescription ?? '') : '');
const withDescription = (text: string, o: SendObservation): string =>
  description(o) === '' ? text : `${text}: ${description(o)}`;

/** 410 is "channel expired" unless WNS says the sending domain is blocked (PROTOCOL.md e.6, "410 Domain Blocked"). */
const DOMAIN_BLOCKED = /\bblock/i;

export const OUTCOME_TABLE: readonly Row[] = [
  {
    id: '200-dropped',
    when: (o) => status(o) === 200 && wnsStatus(o) === 'dropped',
    decide: (o) => final('dropped', withDescription('200 dropped: WNS or the client rejected the notification', o)),
  },
  {
    id: '200-channelthrottled',
    when: (o) => status(o) === 200 && wnsStatus(o) === 'channelthrottled',
    decide: (o, ctx, opt) => retry('channel-throttled', '200 channelthrottled: rate limit for this channel', o, ctx, opt),
  },
  {
    // 200 without X-WNS-Status, with `received`, or an unknown value: accepted ("does not guarantee that the device
    // received the notification" — proof of wake comes from the session).
    id: '200-received',
    when: (o) => status(o) === 200,
    decide: () => ({ outcome: 'received', accepted: true, final: true, reason: '200 received' }),
  },
  {
    id: '400',
    when: (o) => status(o) === 400,
    decide: (o) => final('bad-request', withDescription('400 bad request (headers wrong or conflicting)', o)),
  },
  {
    id: '401-first',
    when: (o, ctx) => status(o) === 401 && !ctx.resentAfter401,
    decide: (_o, ctx) => ({
      outcome: 'unauthorized',
      accepted: false,
      final: false,
      retryAt: ctx.now,
      resendWithFreshToken: true,
      reason: '401: token refreshed, resending once',
    }),
  },
  {
    // WNS-OV: "do not try to re-send your notification more than once if the access token is rejected".
    id: '401-after-refresh',
    when: (o) => status(o) === 401,
    decide: (o, ctx, opt) => ({
      ...final('unauthorized', withDescription('401 again with a fresh token', o)),
      providerAction: {
        kind: 'token-rejected',
        problem: withDescription('401 WNS rejected a freshly issued token', o),
        pausedUntil: after(ctx.now, opt.tokenRejectedPauseMs),
      },
    }),
  },
  {
    id: '403',
    when: (o) => status(o) === 403,
    decide: (o, ctx, opt) => ({
      ...final('forbidden', withDescription('403 credentials do not match the PFN of this channel', o)),
      providerAction: {
        kind: 'misconfigured',
        problem: withDescription('403 credentials do not match PFN', o),
        pausedUntil: after(ctx.now, opt.misconfiguredPauseMs),
      },
    }),
  },
  {
    id: '404',
    when: (o) => status(o) === 404,
    decide: (o) => ({
      ...final('channel-invalid', withDescription('404 channel URI not valid or not recognised', o)),
      channelAction: { state: 'invalid', reason: withDescription('WNS 404', o), reprovisionPfn: false },
    }),
  },
  {
    id: '405',
    when: (o) => status(o) === 405,
    decide: (o) => final('method-not-allowed', withDescription('405 method not allowed', o)),
  },
  {
    id: '406',
    when: (o) => status(o) === 406,
    decide: (o, ctx, opt) => {
      const waitMs = retryAfterMs(o, ctx, opt) ?? opt.throttleDefaultMs;
      const until = after(ctx.now, waitMs);
      const base = retry('throttled', '406 throttle limit exceeded', o, ctx, opt, until);
      return { ...base, providerAction: { kind: 'throttled', problem: null, pausedUntil: until } };
    },
  },
  {
    id: '410-domain-blocked',
    when: (o) => status(o) === 410 && DOMAIN_BLOCKED.test(description(o)),
    decide: (o) => ({
      ...final('domain-blocked', withDescription('410 sending domain blocked by WNS', o)),
      providerAction: {
        kind: 'blocked',
        problem: withDescription('410 sending domain blocked by WNS; sends stopped until the provider is updated', o),
        pausedUntil: INDEFINITE_PAUSE,
      },
    }),
  },
  {
    id: '410',
    when: (o) => status(o) === 410,
    decide: (o) => ({
      ...final('channel-gone', withDescription('410 channel expired', o)),
      channelAction: { state: 'gone', reason: withDescription('WNS 410', o), reprovisionPfn: true },
    }),
  },
  {
    id: '413',
    when: (o) => status(o) === 413,
    decide: (o) => final('too-large', withDescription('413 payload exceeds 5000 bytes', o)),
  },
  {
    id: '500',
    when: (o) => status(o) === 500,
    decide: (o, ctx, opt) => retry('server-error', '500 internal WNS failure', o, ctx, opt),
  },
  {
    id: '503',
    when: (o) => status(o) === 503,
    decide: (o, ctx, opt) => retry('unavailable', '503 WNS unavailable', o, ctx, opt),
  },
  {
    id: 'other-5xx',
    when: (o) => (status(o) ?? 0) >= 500,
    decide: (o, ctx, opt) => retry('server-error', `${status(o)} from WNS`, o, ctx, opt),
  },
  {
    // Anything undocumented (3xx is never followed: a redirect would carry the bearer token elsewhere).
    id: 'other-status',
    when: (o) => o.kind === 'response',
    decide: (o) => final('unexpected-status', withDescription(`unexpected HTTP ${status(o)} from WNS`, o)),
  },
  {
    id: 'network',
    when: (o) => o.kind === 'network',
    decide: (o, ctx, opt) =>
      retry('network-error', o.kind === 'network' ? `${o.error}: ${o.message}` : 'network error', o, ctx, opt),
  },
];

export function classifyOutcome(
  observation: SendObservation,
  ctx: ClassifyContext,
  options: ClassifyOptions = DEFAULT_CLASSIFY_OPTIONS,
): Classification {
  const row = OUTCOME_TABLE.find((r) => r.when(observation, ctx));
  if (!row) throw new Error('outcome table has no row for the observation'); // unreachable: last rows are total
  return { row: row.id, ...row.decide(observation, ctx, options) };
}

function final(outcome: WakeOutcome, reason: string): Omit<Classification, 'row'> {
  return { outcome, accepted: false, final: true, reason };
}

/** Retry after Retry-After when given, else exponential backoff with jitter; final once attempts are used up. */
function retry(
  outcome: WakeOutcome,
  reason: string,
  o: SendObservation,
  ctx: ClassifyContext,
  opt: ClassifyOptions,
  at?: Date,
): Omit<Classification, 'row'> {
  if (ctx.attempt >= opt.maxAttempts) {
    return { outcome, accepted: false, final: true, reason: `${reason}; gave up after ${ctx.attempt} attempts` };
  }
  const waitMs = retryAfterMs(o, ctx, opt) ?? backoffDelay(ctx.attempt, { baseMs: opt.backoffBaseMs, maxMs: opt.backoffMaxMs }, ctx.random);
  return { outcome, accepted: false, final: false, retryAt: at ?? after(ctx.now, waitMs), reason };
}

function retryAfterMs(o: SendObservation, ctx: ClassifyContext, opt: ClassifyOptions): number | null {
  if (o.kind !== 'response') return null;
  const ms = parseRetryAfter(o.headers.retryAfter, ctx.now);
  return ms === null ? null : Math.min(ms, opt.maxRetryAfterMs);
}

function after(now: Date, ms: number): Date {
  return new Date(now.getTime() + ms);
}
