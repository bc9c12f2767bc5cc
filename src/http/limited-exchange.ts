/**
 * Decorators of the SyncML exchange handler (same interface, DESIGN house style) for the per-device limits:
 * - withDeviceRateLimit: messages per minute per claimed DeviceID (counted before authentication, so md5 guessing
 *   against one device is throttled too) → 429 with Retry-After;
 * - withAnswerTimeout: an answer slower than the limit becomes 503 with Retry-After. The work itself is not cancelled:
 *   if it commits later, the device's retry of the same message gets the stored reply (session-admission replay).
 */
import type { SyncMLExchangeHandler } from './syncml-route.js';
import { createKeyedRateLimiter } from './keyed-rate-limiter.js';
import { OverloadedError, RateLimitedError } from './shed-errors.js';

export function withDeviceRateLimit(inner: SyncMLExchangeHandler, options: { perMinute: number; now?: () => number }): SyncMLExchangeHandler {
  if (options.perMinute <= 0) return inner;
  const limiter = createKeyedRateLimiter({ perMinute: options.perMinute });
  const now = options.now ?? Date.now;
  return {
    handle(request) {
      const decision = limiter.take(request.message.header.source.locURI, now());
      if (!decision.allowed) return Promise.reject(new RateLimitedError('device', decision.retryAfterSeconds));
      return inner.handle(request);
    },
  };
}

export function withAnswerTimeout(inner: SyncMLExchangeHandler, options: { timeoutMs: number }): SyncMLExchangeHandler {
  return {
    handle(request) {
      const work = inner.handle(request);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new OverloadedError('timeout', 5)), options.timeoutMs);
        timer.unref();
      });
      work.catch(() => undefined); // after the timeout answered, a late failure has no one to tell: the device retries
      return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
    },
  };
}
