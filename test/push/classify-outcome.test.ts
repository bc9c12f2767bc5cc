/**
 * Every row of the outcome table, through the real token source and raw sender against the fake WNS.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_CLASSIFY_OPTIONS,
  INDEFINITE_PAUSE,
  OUTCOME_TABLE,
  classifyOutcome,
  type OutcomeRowId,
} from '../../src/push/classify-outcome.js';
import { emptyWnsHeaders } from '../../src/push/send-observation.js';
import type { WakeAttemptResult } from '../../src/push/send-wake.js';
import { startWnsRig, type WnsRig } from './wns-rig.js';

let rig: WnsRig;
const covered = new Set<OutcomeRowId>();
let n = 0;

beforeAll(async () => {
  rig = await startWnsRig({ requestTimeoutMs: 1_500 });
});
afterAll(async () => {
  await rig.close();
});
beforeEach(() => {
  rig.clock.set(Date.parse('2025-03-01T12:00:00.000Z'));
});

function channel(): { id: string; url: URL } {
  n += 1;
  const id = `chan-${n}`;
  return { id, url: new URL(rig.fake.channelUri(id)) };
}

async function attempt(url: URL, extra: { attempt?: number; cache?: boolean; ttlSeconds?: number | null } = {}) {
  const result = await rig.wakes.attempt({
    creds: rig.creds,
    url,
    cache: extra.cache ?? true,
    ttlSeconds: extra.ttlSeconds ?? null,
    attempt: extra.attempt ?? 1,
  });
  if (result.kind !== 'answered') throw new Error(`expected an answer, got ${result.kind}`);
  covered.add(result.classification.row);
  return result;
}

const now = () => rig.clock.now().getTime();
const at = (r: Extract<WakeAttemptResult, { kind: 'answered' }>) => r.classification.retryAt?.getTime();

describe('200 rows', () => {
  it('200 received: accepted, final, WNS headers recorded, request headers as documented', async () => {
    const c = channel();
    const r = await attempt(c.url, { ttlSeconds: 600 });
    expect(r.classification).toMatchObject({ row: '200-received', outcome: 'received', accepted: true, final: true });
    const [obs] = r.observations;
    expect(obs).toMatchObject({ kind: 'response', httpStatus: 200 });
    if (obs?.kind !== 'response') throw new Error('no response');
    expect(obs.headers.status).toBe('received');
    expect(obs.headers.deviceConnectionStatus).toBe('connected');
    expect(obs.headers.msgId).toMatch(/^[0-9A-F]{16}$/);
    expect(obs.headers.debugTrace).toMatch(/^FAKE-/);
    expect(obs.headers.msCv).toBe(obs.msCvSent);

    const [seen] = rig.fake.requestsTo(c.id);
    expect(seen?.status).toBe(200);
    expect(seen?.headers).toMatchObject({
      authorization: expect.stringMatching(/^Bearer \S+$/),
      'content-type': 'application/octet-stream',
      'content-length': '1',
      'x-wns-type': 'wns/raw',
      'x-wns-cache-policy': 'cache',
      'x-wns-ttl': '600',
      'x-wns-requestforstatus': 'true',
    });
    expect(seen?.headers['transfer-encoding']).toBeUndefined();
    expect(seen?.headers['expect']).toBeUndefined();
  });

  it('sends no-cache and no TTL when asked, and a fresh MS-CV per request', async () => {
    const c = channel();
    await attempt(c.url, { cache: false });
    await attempt(c.url, { cache: false });
    const [a, b] = rig.fake.requestsTo(c.id);
    expect(a?.headers['x-wns-cache-policy']).toBe('no-cache');
    expect(a?.headers['x-wns-ttl']).toBeUndefined();
    expect(a?.headers['ms-cv']).toMatch(/^[A-Za-z0-9+/]{22}\.0$/);
    expect(a?.headers['ms-cv']).not.toBe(b?.headers['ms-cv']);
  });

  it('200 dropped (device offline, no-cache): final, not accepted', async () => {
    const c = channel();
    rig.fake.setupChannel(c.id, { device: 'disconnected' });
    const r = await attempt(c.url, { cache: false });
    expect(r.classification).toMatchObject({ row: '200-dropped', outcome: 'dropped', accepted: false, final: true });
    const obs = r.observations[0];
    expect(obs?.kind === 'response' && obs.headers.deviceConnectionStatus).toBe('disconnected');
  });

  it('200 received while the device is offline with cache: WNS keeps it; tempdisconnected/tempconnected recorded as sent', async () => {
    const c = channel();
    rig.fake.setupChannel(c.id, { device: 'tempdisconnected' });
    const r = await attempt(c.url);
    expect(r.classification.row).toBe('200-received');
    const obs = r.observations[0];
    expect(obs?.kind === 'response' && obs.headers.deviceConnectionStatus).toBe('tempdisconnected');
    rig.fake.scriptChannel(c.id, { status: 200, headers: { 'x-wns-status': 'received', 'x-wns-deviceconnectionstatus': 'tempconnected' } });
    const r2 = await attempt(c.url);
    const obs2 = r2.observations[0];
    expect(obs2?.kind === 'response' && obs2.headers.deviceConnectionStatus).toBe('tempconnected');
  });

  it('200 channelthrottled: retry later with backoff, or per Retry-After', async () => {
    const c = channel();
    rig.fake.scriptChannel(c.id, { status: 200, headers: { 'x-wns-status': 'channelthrottled' } });
    const r = await attempt(c.url);
    expect(r.classification).toMatchObject({ row: '200-channelthrottled', outcome: 'channel-throttled', final: false });
    // attempt 1, base 2000 ms, random 0.5 → 1000 + 500
    expect(at(r)).toBe(now() + 1500);
    rig.fake.scriptChannel(c.id, { status: 200, headers: { 'x-wns-status': 'channelthrottled', 'retry-after': '90' } });
    expect(at(await attempt(c.url))).toBe(now() + 90_000);
  });

  it('reads the legacy X-WNS-NotificationStatus header as X-WNS-Status', async () => {
    const c = channel();
    rig.fake.scriptChannel(c.id, { status: 200, headers: { 'x-wns-notificationstatus': 'dropped' } });
    const r = await attempt(c.url);
    expect(r.classification.row).toBe('200-dropped');
  });
});

describe('4xx rows', () => {
  it('400: final, error description kept', async () => {
    const c = channel();
    rig.fake.scriptChannel(c.id, { status: 400, headers: { 'x-wns-error-description': 'Invalid X-WNS-Type' } });
    const r = await attempt(c.url);
    expect(r.classification).toMatchObject({ row: '400', outcome: 'bad-request', final: true });
    expect(r.classification.reason).toContain('Invalid X-WNS-Type');
    const obs = r.observations[0];
    expect(obs?.kind === 'response' && obs.headers.errorDescription).toBe('Invalid X-WNS-Type');
  });

  it('401 once: token dropped, a fresh token fetched, resent once, then received', async () => {
    const c = channel();
    await attempt(channel().url); // make sure a token is cached
    const tokenRequestsBefore = rig.fake.tokenRequests.length;
    rig.fake.revokeTokens();
    const r = await attempt(c.url);
    expect(r.observations.map((o) => (o.kind === 'response' ? o.httpStatus : o.kind))).toEqual([401, 200]);
    expect(r.classification).toMatchObject({ row: '200-received', accepted: true });
    covered.add('401-first');
    expect(rig.fake.tokenRequests.length).toBe(tokenRequestsBefore + 1);
    const [first, second] = rig.fake.requestsTo(c.id);
    expect(first?.headers.authorization).not.toBe(second?.headers.authorization);
  });

  it('401 classified alone asks for one resend with a fresh token', () => {
    const ctx = { now: new Date(0), attempt: 1, resentAfter401: false, random: () => 0 };
    const obs = { kind: 'response' as const, httpStatus: 401, headers: emptyWnsHeaders(), durationMs: 1, msCvSent: 'x' };
    expect(classifyOutcome(obs, ctx)).toMatchObject({ row: '401-first', final: false, resendWithFreshToken: true });
  });

  it('401 again after the refresh: never a third request; the provider gets a problem and a short pause', async () => {
    const c = channel();
    rig.fake.scriptChannel(c.id, { status: 401 }, { status: 401 }, { status: 401 });
    const r = await attempt(c.url);
    expect(r.observations).toHaveLength(2);
    expect(rig.fake.requestsTo(c.id)).toHaveLength(2);
    expect(r.classification).toMatchObject({ row: '401-after-refresh', outcome: 'unauthorized', final: true });
    expect(r.classification.providerAction).toMatchObject({ kind: 'token-rejected' });
    expect(r.classification.providerAction?.pausedUntil.getTime()).toBe(now() + DEFAULT_CLASSIFY_OPTIONS.tokenRejectedPauseMs);
  });

  it('403 (token of another app): final, provider misconfigured and paused', async () => {
    const c = channel();
    rig.fake.setupChannel(c.id, { ownerClientId: 'ms-app://S-1-15-2-someone-else' });
    const r = await attempt(c.url);
    expect(r.classification).toMatchObject({ row: '403', outcome: 'forbidden', final: true });
    expect(r.classification.providerAction).toMatchObject({
      kind: 'misconfigured',
      problem: expect.stringMatching(/^403 credentials do not match PFN/),
    });
    expect(r.classification.providerAction?.pausedUntil.getTime()).toBe(now() + DEFAULT_CLASSIFY_OPTIONS.misconfiguredPauseMs);
  });

  it('404: channel invalid', async () => {
    const c = channel();
    rig.fake.setupChannel(c.id, { state: 'invalid' });
    const r = await attempt(c.url);
    expect(r.classification).toMatchObject({
      row: '404',
      outcome: 'channel-invalid',
      final: true,
      channelAction: { state: 'invalid', reprovisionPfn: false },
    });
  });

  it('405: final', async () => {
    const c = channel();
    rig.fake.scriptChannel(c.id, { status: 405 });
    expect((await attempt(c.url)).classification).toMatchObject({ row: '405', outcome: 'method-not-allowed', final: true });
  });

  it('406: throttled; provider pauses until Retry-After and the wake retries then', async () => {
    const c = channel();
    rig.fake.scriptChannel(c.id, { status: 406, headers: { 'retry-after': '120' } });
    const r = await attempt(c.url);
    expect(r.classification).toMatchObject({ row: '406', outcome: 'throttled', final: false });
    expect(at(r)).toBe(now() + 120_000);
    expect(r.classification.providerAction).toMatchObject({ kind: 'throttled', problem: null });
    expect(r.classification.providerAction?.pausedUntil.getTime()).toBe(now() + 120_000);
  });

  it('406 with an HTTP-date Retry-After, and without one', async () => {
    const c = channel();
    const when = new Date(now() + 45_000).toUTCString();
    rig.fake.scriptChannel(c.id, { status: 406, headers: { 'retry-after': when } }, { status: 406 });
    expect(at(await attempt(c.url))).toBe(now() + 45_000);
    expect(at(await attempt(c.url))).toBe(now() + DEFAULT_CLASSIFY_OPTIONS.throttleDefaultMs);
  });

  it('410: channel gone, PFN to be provisioned again', async () => {
    const c = channel();
    rig.fake.setupChannel(c.id, { state: 'expired' });
    const r = await attempt(c.url);
    expect(r.classification).toMatchObject({
      row: '410',
      outcome: 'channel-gone',
      final: true,
      channelAction: { state: 'gone', reprovisionPfn: true },
    });
    expect(r.classification.providerAction).toBeUndefined();
  });

  it('410 domain blocked: stop the provider indefinitely, alert the operator', async () => {
    const c = channel();
    rig.fake.scriptChannel(c.id, {
      status: 410,
      headers: { 'x-wns-error-description': 'The sending domain has been blocked by WNS.' },
    });
    const r = await attempt(c.url);
    expect(r.classification).toMatchObject({ row: '410-domain-blocked', outcome: 'domain-blocked', final: true });
    expect(r.classification.channelAction).toBeUndefined();
    expect(r.classification.providerAction).toMatchObject({ kind: 'blocked', pausedUntil: INDEFINITE_PAUSE });
    expect(r.classification.providerAction?.problem).toContain('blocked');
  });

  it('413: final', async () => {
    const c = channel();
    rig.fake.scriptChannel(c.id, { status: 413 });
    expect((await attempt(c.url)).classification).toMatchObject({ row: '413', outcome: 'too-large', final: true });
  });

  it('other statuses (a redirect is never followed): final', async () => {
    const c = channel();
    rig.fake.scriptChannel(c.id, { status: 307, headers: { location: 'https://127.0.0.1:1/steal' } });
    const r = await attempt(c.url);
    expect(r.classification).toMatchObject({ row: 'other-status', outcome: 'unexpected-status', final: true });
    expect(r.observations).toHaveLength(1);
  });
});

describe('5xx and network rows', () => {
  it('500: exponential backoff with jitter, bounded', async () => {
    const c = channel();
    rig.fake.scriptChannel(c.id, { status: 500 }, { status: 500 }, { status: 500 });
    const r1 = await attempt(c.url, { attempt: 1 });
    expect(r1.classification).toMatchObject({ row: '500', outcome: 'server-error', final: false });
    expect(at(r1)).toBe(now() + 1500); // ceiling 2 s
    const r3 = await attempt(c.url, { attempt: 3 });
    expect(at(r3)).toBe(now() + 6000); // ceiling 8 s
    const last = await attempt(c.url, { attempt: DEFAULT_CLASSIFY_OPTIONS.maxAttempts });
    expect(last.classification).toMatchObject({ row: '500', final: true });
    expect(last.classification.retryAt).toBeUndefined();
    expect(last.classification.reason).toMatch(/gave up after 5 attempts/);
  });

  it('503: Retry-After honoured (capped), bounded', async () => {
    const c = channel();
    rig.fake.scriptChannel(c.id, { status: 503, headers: { 'retry-after': '30' } }, { status: 503, headers: { 'retry-after': '999999' } });
    const r = await attempt(c.url);
    expect(r.classification).toMatchObject({ row: '503', outcome: 'unavailable', final: false });
    expect(at(r)).toBe(now() + 30_000);
    expect(at(await attempt(c.url))).toBe(now() + DEFAULT_CLASSIFY_OPTIONS.maxRetryAfterMs);
  });

  it('other 5xx: retried like 500', async () => {
    const c = channel();
    rig.fake.scriptChannel(c.id, { status: 502 });
    expect((await attempt(c.url)).classification).toMatchObject({ row: 'other-5xx', outcome: 'server-error', final: false });
  });

  it('connection reset: network error, retried with backoff', async () => {
    const c = channel();
    rig.fake.scriptChannel(c.id, { status: 0, reset: true });
    const r = await attempt(c.url);
    expect(r.classification).toMatchObject({ row: 'network', outcome: 'network-error', final: false });
    expect(r.observations[0]).toMatchObject({ kind: 'network' });
    expect(at(r)).toBe(now() + 1500);
  });

  it('request timeout: network error, retried; final at the last attempt', async () => {
    const c = channel();
    rig.fake.scriptChannel(c.id, { status: 0, hang: true });
    const r = await attempt(c.url, { attempt: DEFAULT_CLASSIFY_OPTIONS.maxAttempts });
    expect(r.observations[0]).toMatchObject({ kind: 'network', error: 'timeout' });
    expect(r.classification).toMatchObject({ row: 'network', final: true });
  });

  it('connection refused: network error', async () => {
    const r = await attempt(new URL('https://127.0.0.1:1/chan'));
    expect(r.observations[0]).toMatchObject({ kind: 'network', error: 'connection' });
  });
});

describe('the table', () => {
  it('every row was exercised above', () => {
    const missing = OUTCOME_TABLE.map((r) => r.id).filter((id) => !covered.has(id));
    expect(missing).toEqual([]);
  });
});
