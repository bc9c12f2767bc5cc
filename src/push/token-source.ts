/**
 * WNS access tokens per provider: the client-credentials grant (classic login.live.com or Entra, PROTOCOL.md e.1/e.2),
 * cached, refreshed `refreshMarginMs` before expiry, one request shared by all concurrent callers (single flight),
 * dropped on a 401 from WNS (`invalidate`). A failing token endpoint becomes a ProviderProblem with a back-off time;
 * until then callers get the same problem without another request (no crash loop, no hammering).
 */
import pino, { type Logger } from 'pino';
import { request, type Dispatcher } from 'undici';
import { ProviderProblem, type ProviderProblemKind } from './provider-problem.js';
import { backoffDelay, parseRetryAfter } from './retry-after.js';
import { parseTokenResponse } from './token-response.js';
import { credentialsFingerprint, resolveTokenUrl, tokenRequestForm, type WnsCredentials } from './wns-credentials.js';

export interface AccessToken {
  providerId: string;
  value: string;
  expiresAt: Date;
}

export interface TokenSource {
  /** A valid token for the provider; throws ProviderProblem. */
  getToken(creds: WnsCredentials): Promise<AccessToken>;
  /** WNS answered 401 to `token`: forget it (a no-op when a newer token is already cached). */
  invalidate(providerId: string, token: string): void;
}

export interface TokenSourceOptions {
  /** The undici dispatcher for the token endpoint (injected; never the global one). */
  dispatcher: Dispatcher;
  clock?: () => Date;
  random?: () => number;
  /** WNS_TOKEN_URL: replaces the real endpoint of both flows (`{tenant}` is substituted). */
  tokenUrlOverride?: string | null;
  refreshMarginMs?: number;
  /** Used when the endpoint omits expires_in (the classic overview sample does). */
  defaultExpiresInSeconds?: number;
  requestTimeoutMs?: number;
  /** Back-off after a failed token request: exponential from base to max, Retry-After honoured. */
  failureBackoff?: { baseMs: number; maxMs: number };
  /** Back-off after the endpoint rejected the credentials (they will not fix themselves quickly). */
  rejectedBackoff?: { baseMs: number; maxMs: number };
  logger?: Logger;
  /** Told about every token request (for metrics and tests). */
  onTokenRequest?: (providerId: string, ok: boolean) => void;
}

interface CachedToken extends AccessToken {
  fingerprint: string;
  refreshAt: number;
}

interface Failure {
  fingerprint: string;
  consecutive: number;
  problem: ProviderProblem;
}

const MAX_TOKEN_BODY = 64 * 1024;

export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const clock = options.clock ?? (() => new Date());
  const random = options.random ?? Math.random;
  const override = options.tokenUrlOverride ?? null;
  const marginMs = options.refreshMarginMs ?? 5 * 60_000;
  const defaultExpiresIn = options.defaultExpiresInSeconds ?? 3600;
  const timeoutMs = options.requestTimeoutMs ?? 15_000;
  const failureBackoff = options.failureBackoff ?? { baseMs: 30_000, maxMs: 15 * 60_000 };
  const rejectedBackoff = options.rejectedBackoff ?? { baseMs: 5 * 60_000, maxMs: 60 * 60_000 };
  const logger = options.logger ?? pino({ level: 'silent' });

  const cache = new Map<string, CachedToken>();
  const failures = new Map<string, Failure>();
  const inflight = new Map<string, { fingerprint: string; promise: Promise<CachedToken> }>();

  async function fetchToken(creds: WnsCredentials, fingerprint: string): Promise<CachedToken> {
    const now = clock();
    const fail = (kind: ProviderProblemKind, message: string, httpStatus: number | null, retryAfter?: string | null, cause?: unknown): never => {
      const previous = failures.get(creds.providerId);
      const consecutive = previous && previous.fingerprint === fingerprint ? previous.consecutive + 1 : 1;
      const backoff = kind === 'token-rejected' || kind === 'not-configured' ? rejectedBackoff : failureBackoff;
      const waitMs = parseRetryAfter(retryAfter, now) ?? backoffDelay(consecutive, backoff, random);
      const problem = new ProviderProblem(creds.providerId, kind, message, new Date(now.getTime() + waitMs), httpStatus, { cause });
      failures.set(creds.providerId, { fingerprint, consecutive, problem });
      options.onTokenRequest?.(creds.providerId, false);
      logger.warn({ providerId: creds.providerId, kind, httpStatus, retryAt: problem.retryAt }, `WNS token: ${message}`);
      throw problem;
    };

    const url = resolveTokenUrl(creds, override);
    if (typeof url === 'string') return fail('not-configured', url, null);
    if (creds.clientId === '' || creds.clientSecret === '') return fail('not-configured', 'WNS client id or secret missing', null);

    const body = Buffer.from(tokenRequestForm(creds).toString(), 'utf8');
    let statusCode: number;
    let text: string;
    let retryAfter: string | null;
    try {
      const res = await request(url, {
        method: 'POST',
        dispatcher: options.dispatcher,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': String(body.length),
          accept: 'application/json',
        },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      statusCode = res.statusCode;
      const header = res.headers['retry-after'];
      retryAfter = Array.isArray(header) ? (header[0] ?? null) : (header ?? null);
      text = await readLimited(res.body, MAX_TOKEN_BODY);
    } catch (err) {
      return fail('token-endpoint-unreachable', `token endpoint ${url.host} unreachable (${errorText(err)})`, null, null, err);
    }

    if (statusCode === 400 || statusCode === 401) {
      return fail('token-rejected', `token endpoint rejected the credentials (${statusCode}${oauthError(text)})`, statusCode, retryAfter);
    }
    if (statusCode !== 200) return fail('token-endpoint-error', `token endpoint answered ${statusCode}${oauthError(text)}`, statusCode, retryAfter);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      return fail('token-response-invalid', 'token response is not JSON', statusCode, null, err);
    }
    const issued = parseTokenResponse(json, defaultExpiresIn);
    if (typeof issued === 'string') return fail('token-response-invalid', issued, statusCode);

    const lifetimeMs = issued.expiresInSeconds * 1000;
    const issuedAt = now.getTime();
    const token: CachedToken = {
      providerId: creds.providerId,
      value: issued.accessToken,
      expiresAt: new Date(issuedAt + lifetimeMs),
      refreshAt: issuedAt + lifetimeMs - Math.min(marginMs, lifetimeMs / 2),
      fingerprint,
    };
    failures.delete(creds.providerId);
    options.onTokenRequest?.(creds.providerId, true);
    return token;
  }

  function refresh(creds: WnsCredentials, fingerprint: string): Promise<CachedToken> {
    const running = inflight.get(creds.providerId);
    if (running && running.fingerprint === fingerprint) return running.promise;
    const promise = fetchToken(creds, fingerprint)
      .then((token) => {
        cache.set(creds.providerId, token);
        return token;
      })
      .finally(() => {
        if (inflight.get(creds.providerId)?.promise === promise) inflight.delete(creds.providerId);
      });
    inflight.set(creds.providerId, { fingerprint, promise });
    return promise;
  }

  return {
    async getToken(creds) {
      const fingerprint = credentialsFingerprint(creds, override);
      const now = clock().getTime();
      const cached = cache.get(creds.providerId);
      const usable = cached && cached.fingerprint === fingerprint && now < cached.expiresAt.getTime() ? cached : null;
      if (usable && now < usable.refreshAt) return publicToken(usable);

      const failure = failures.get(creds.providerId);
      if (failure && failure.fingerprint === fingerprint && now < failure.problem.retryAt.getTime()) {
        if (usable) return publicToken(usable);
        throw failure.problem;
      }
      try {
        return publicToken(await refresh(creds, fingerprint));
      } catch (err) {
        // Refresh inside the margin failed but the old token has not expired yet: keep using it.
        if (usable && clock().getTime() < usable.expiresAt.getTime()) return publicToken(usable);
        throw err;
      }
    },
    invalidate(providerId, token) {
      if (cache.get(providerId)?.value === token) cache.delete(providerId);
    },
  };
}

function publicToken(t: CachedToken): AccessToken {
  return { providerId: t.providerId, value: t.value, expiresAt: t.expiresAt };
}

async function readLimited(body: AsyncIterable<Buffer | Uint8Array | string>, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
    size += buf.length;
    if (size > limit) throw new Error('token response too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The OAuth `error` code only (error_description may echo request details; keep it out of operator text). */
function oauthError(text: string): string {
  try {
    const doc = JSON.parse(text) as { error?: unknown };
    return typeof doc.error === 'string' && /^[\w.-]{1,64}$/.test(doc.error) ? `: ${doc.error}` : '';
  } catch {
    return '';
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? code : err.name;
  }
  return 'unknown error';
}
