/**
 * One attempt to wake a device: get the provider's token, POST the raw notification, classify the answer; on the
 * first 401 drop the token, fetch a fresh one and resend exactly once (WNS-OV: never more than once, PROTOCOL.md e.6).
 */
import {
  DEFAULT_CLASSIFY_OPTIONS,
  classifyOutcome,
  type Classification,
  type ClassifyOptions,
} from './classify-outcome.js';
import { ProviderProblem } from './provider-problem.js';
import type { RawSender } from './raw-sender.js';
import type { SendObservation } from './send-observation.js';
import type { TokenSource } from './token-source.js';
import type { WnsCredentials } from './wns-credentials.js';

export interface WakeAttempt {
  creds: WnsCredentials;
  /** Already accepted by the channel policy. */
  url: URL;
  cache: boolean;
  ttlSeconds: number | null;
  /** 1-based attempt number of this wake. */
  attempt: number;
}

export type WakeAttemptResult =
  | {
      kind: 'answered';
      classification: Classification;
      /** One per HTTP request: two when a 401 was followed by the single resend. */
      observations: SendObservation[];
    }
  /** No token: nothing was sent. `observations` holds the first request when the refresh after a 401 failed. */
  | { kind: 'token-problem'; problem: ProviderProblem; observations: SendObservation[] };

export interface WakeSender {
  attempt(input: WakeAttempt): Promise<WakeAttemptResult>;
}

export interface WakeSenderDeps {
  tokens: TokenSource;
  sender: RawSender;
  clock: () => Date;
  random?: () => number;
  classifyOptions?: ClassifyOptions;
}

export function createWakeSender(deps: WakeSenderDeps): WakeSender {
  const random = deps.random ?? Math.random;
  const options = deps.classifyOptions ?? DEFAULT_CLASSIFY_OPTIONS;

  async function once(input: WakeAttempt, resentAfter401: boolean, observations: SendObservation[]): Promise<WakeAttemptResult> {
    let token: string;
    try {
      token = (await deps.tokens.getToken(input.creds)).value;
    } catch (err) {
      if (err instanceof ProviderProblem) return { kind: 'token-problem', problem: err, observations };
      throw err;
    }
    const observation = await deps.sender.send({ url: input.url, token, cache: input.cache, ttlSeconds: input.ttlSeconds });
    observations.push(observation);
    const classification = classifyOutcome(
      observation,
      { now: deps.clock(), attempt: input.attempt, resentAfter401, random },
      options,
    );
    if (classification.resendWithFreshToken && !resentAfter401) {
      deps.tokens.invalidate(input.creds.providerId, token);
      return once(input, true, observations);
    }
    return { kind: 'answered', classification, observations };
  }

  return { attempt: (input) => once(input, false, []) };
}
