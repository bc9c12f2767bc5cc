/**
 * One raw notification POST to a ChannelURI (PROTOCOL.md e.3, e.4) over the injected undici dispatcher.
 * Never follows redirects (the bearer token must not travel elsewhere); sends Content-Length (no chunking) and no
 * `Expect: 100-continue`. Returns what happened as data (SendObservation); never throws for HTTP or network errors.
 *
 * The URL must come from the channel policy: this module trusts it.
 */
import { randomBytes } from 'node:crypto';
import { request, type Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import { emptyWnsHeaders, type NetworkErrorKind, type SendObservation, type WnsResponseHeaders } from './send-observation.js';

/** WNS: raw payload "smaller than 5 KB … must not be an empty string" (PROTOCOL.md e.4); 413 above 5000 bytes. */
export const MAX_RAW_PAYLOAD_BYTES = 4999;
/** DMClient ignores the payload (PROTOCOL.md e.4, f); one byte keeps it non-empty. */
export const DEFAULT_RAW_PAYLOAD = new Uint8Array([0x31]);

export interface RawNotification {
  url: URL;
  token: string;
  /** X-WNS-Cache-Policy: cache unless false (the MDM page asks for cache). */
  cache: boolean;
  /** X-WNS-TTL in seconds, when set. */
  ttlSeconds?: number | null;
  payload?: Uint8Array;
}

export interface RawSender {
  send(notification: RawNotification): Promise<SendObservation>;
}

export interface RawSenderOptions {
  dispatcher: Dispatcher;
  /** Overall time for one request, connect to last body byte. */
  requestTimeoutMs?: number;
  /** Monotonic milliseconds, for durations. */
  now?: () => number;
  newCorrelationVector?: () => string;
}

export class RawPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RawPayloadError';
  }
}

export function createRawSender(options: RawSenderOptions): RawSender {
  const timeoutMs = options.requestTimeoutMs ?? 20_000;
  const now = options.now ?? (() => performance.now());
  const newCv = options.newCorrelationVector ?? newCorrelationVector;

  return {
    async send(n) {
      const payload = n.payload ?? DEFAULT_RAW_PAYLOAD;
      if (payload.length === 0 || payload.length > MAX_RAW_PAYLOAD_BYTES) {
        throw new RawPayloadError(`raw payload must be 1..${MAX_RAW_PAYLOAD_BYTES} bytes, got ${payload.length}`);
      }
      const ttl = n.ttlSeconds;
      if (ttl !== undefined && ttl !== null && !(Number.isInteger(ttl) && ttl >= 0)) {
        throw new RawPayloadError(`X-WNS-TTL must be a non-negative integer, got ${ttl}`);
      }
      const msCv = newCv();
      const headers: Record<string, string> = {
        authorization: `Bearer ${n.token}`,
        'content-type': 'application/octet-stream',
        'content-length': String(payload.length),
        'x-wns-type': 'wns/raw',
        'x-wns-cache-policy': n.cache ? 'cache' : 'no-cache',
        'x-wns-requestforstatus': 'true',
        'ms-cv': msCv,
      };
      if (ttl !== undefined && ttl !== null) headers['x-wns-ttl'] = String(ttl);
      const started = now();
      try {
        const res = await request(n.url, {
          method: 'POST',
          dispatcher: options.dispatcher,
          headers,
          body: Buffer.from(payload),
          signal: AbortSignal.timeout(timeoutMs),
        });
        await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
        return {
          kind: 'response',
          httpStatus: res.statusCode,
          headers: readWnsHeaders(res.headers),
          durationMs: Math.round(now() - started),
          msCvSent: msCv,
        };
      } catch (err) {
        const { error, message } = describeNetworkError(err);
        return { kind: 'network', error, message, durationMs: Math.round(now() - started), msCvSent: msCv };
      }
    },
  };
}

export function readWnsHeaders(h: IncomingHttpHeaders): WnsResponseHeaders {
  const one = (name: string): string | null => {
    const v = h[name];
    const s = Array.isArray(v) ? v[0] : v;
    return s === undefined ? null : s.trim().slice(0, 1024);
  };
  const lower = (v: string | null): string | null => (v === null ? null : v.toLowerCase());
  return {
    ...emptyWnsHeaders(),
    // X-WNS-NotificationStatus is the legacy name still used by the raw overview (PROTOCOL.md e.5, UNCONFIRMED alias).
    status: lower(one('x-wns-status') ?? one('x-wns-notificationstatus')),
    deviceConnectionStatus: lower(one('x-wns-deviceconnectionstatus')),
    msgId: one('x-wns-msg-id'),
    debugTrace: one('x-wns-debug-trace'),
    errorDescription: one('x-wns-error-description'),
    msCv: one('ms-cv'),
    retryAfter: one('retry-after'),
  };
}

/**
 * A correlation vector base (22 base64 characters) plus `.0`; a fresh one per request (PROTOCOL.md e.3 MS-CV). The 16
 * random bytes of each come from a pool filled 256 vectors at a time: one randomBytes call per request was ~1.6 % of
 * the gateway's samples in the push fan-out profile (bench/README.md, `--profile`). A correlation vector is not a secret.
 */
export function newCorrelationVector(): string {
  if (cvOffset + CV_BYTES > cvPool.length) {
    cvPool = randomBytes(CV_BYTES * 256);
    cvOffset = 0;
  }
  const base = cvPool.toString('base64', cvOffset, cvOffset + CV_BYTES).slice(0, 22);
  cvOffset += CV_BYTES;
  return `${base}.0`;
}

const CV_BYTES = 16;
let cvPool = Buffer.alloc(0);
let cvOffset = 0;

function describeNetworkError(err: unknown): { error: NetworkErrorKind; message: string } {
  const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : '';
  const name = err instanceof Error ? err.name : '';
  const message = code || name || 'unknown error';
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return { error: 'connect-timeout', message };
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || name === 'TimeoutError' || name === 'AbortError') {
    return { error: 'timeout', message };
  }
  if (code.startsWith('ERR_TLS') || code.includes('CERT') || code === 'EPROTO') return { error: 'tls', message };
  if (code.startsWith('E') || code.startsWith('UND_ERR_SOCKET') || code === 'UND_ERR_CLOSED') return { error: 'connection', message };
  return { error: 'other', message };
}
