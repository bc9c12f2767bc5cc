/**
 * The SyncML endpoint's first line, before a byte of the body is read (SECURITY.md "Limits"):
 * - per-address rate limit (token bucket per client address: the TCP peer, or X-Forwarded-For behind TRUSTED_PROXIES)
 *   → 429 with Retry-After. Loopback addresses are exempt: on loopback the peer is a same-host proxy (or a local test
 *   harness) speaking for every device, and limiting it would throttle the whole fleet as one client; configure
 *   TRUSTED_PROXIES so X-Forwarded-For names the real client (SECURITY.md);
 * - concurrency cap: at most `maxConcurrent` SyncML requests in progress (receiving, handling or answering)
 *   → 503 with Retry-After, so overload sheds load instead of queueing it without bound;
 * - a Content-Length over the body limit → 413 at once, and the connection is closed (the body parser would otherwise
 *   read the announced bytes off before answering: a client announcing 64 MiB could hold the connection for as long as
 *   it trickles them).
 */
import type { RequestHandler } from 'express';
import type { TrustedProxies } from '../auth/trusted-proxies.js';
import { clientAddress } from '../auth/trusted-proxies.js';
import { isLoopbackHost } from '../config/is-loopback-host.js';
import { HttpError } from './error-taxonomy.js';
import { createKeyedRateLimiter } from './keyed-rate-limiter.js';
import { OverloadedError, RateLimitedError } from './shed-errors.js';

export interface SyncMLGuardOptions {
  /** Requests per minute per address; 0: off. */
  ratePerAddress: number;
  maxConcurrent: number;
  /** Largest body accepted (SYNCML_BODY_LIMIT). */
  bodyLimit: number;
  proxies: TrustedProxies;
  now?: () => number;
}

export interface SyncMLGuards {
  handlers: RequestHandler[];
  /** Requests in progress (metrics, tests). */
  inFlight(): number;
}

export function createSyncMLGuards(options: SyncMLGuardOptions): SyncMLGuards {
  const now = options.now ?? Date.now;
  const perAddress = options.ratePerAddress > 0 ? createKeyedRateLimiter({ perMinute: options.ratePerAddress }) : null;
  let inFlight = 0;

  const addressLimit: RequestHandler = (req, _res, next) => {
    if (perAddress) {
      const key = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], options.proxies);
      if (isLoopbackHost(key)) {
        next();
        return;
      }
      const decision = perAddress.take(key, now());
      if (!decision.allowed) {
        next(new RateLimitedError('address', decision.retryAfterSeconds));
        return;
      }
    }
    next();
  };

  const concurrencyCap: RequestHandler = (_req, res, next) => {
    if (inFlight >= options.maxConcurrent) {
      next(new OverloadedError('concurrency', 1));
      return;
    }
    inFlight += 1;
    let released = false;
    const release = () => {
      if (!released) {
        released = true;
        inFlight -= 1;
      }
    };
    res.once('finish', release);
    res.once('close', release);
    next();
  };

  const announcedSize: RequestHandler = (req, res, next) => {
    const length = Number(req.headers['content-length'] ?? 0);
    if (Number.isFinite(length) && length > options.bodyLimit) {
      res.setHeader('Connection', 'close');
      next(new HttpError('syncml-too-large', `the limit is ${options.bodyLimit} bytes`));
      return;
    }
    next();
  };

  return { handlers: [announcedSize, addressLimit, concurrencyCap], inFlight: () => inFlight };
}
