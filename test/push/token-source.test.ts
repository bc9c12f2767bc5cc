import { afterEach, describe, expect, it } from 'vitest';
import { ProviderProblem } from '../../src/push/provider-problem.js';
import { createTokenSource } from '../../src/push/token-source.js';
import { resolveTokenUrl, type WnsCredentials } from '../../src/push/wns-credentials.js';
import { startWnsRig, type WnsRig } from './wns-rig.js';

let rig: WnsRig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

async function start(...args: Parameters<typeof startWnsRig>): Promise<WnsRig> {
  rig = await startWnsRig(...args);
  return rig;
}

async function problemOf(p: Promise<unknown>): Promise<ProviderProblem> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ProviderProblem) return err;
    throw err;
  }
  throw new Error('expected a ProviderProblem');
}

describe('classic flow (login.live.com form)', () => {
  it('posts the client-credentials form and caches the token', async () => {
    const r = await start();
    const t1 = await r.tokens.getToken(r.creds);
    const t2 = await r.tokens.getToken(r.creds);
    expect(t2.value).toBe(t1.value);
    expect(r.fake.tokenRequests).toHaveLength(1);
    expect(r.fake.tokenRequests[0]).toMatchObject({
      flow: 'classic',
      status: 200,
      form: {
        grant_type: 'client_credentials',
        client_id: r.fake.defaultClient.clientId,
        client_secret: r.fake.defaultClient.clientSecret,
        scope: 'notify.windows.com',
      },
    });
    expect(t1.expiresAt.getTime()).toBe(r.clock.now().getTime() + 86_400_000);
  });

  it('refreshes inside the margin before expiry, not earlier', async () => {
    const r = await start({ fake: { tokenLifetimeSeconds: 3600 }, tokens: { refreshMarginMs: 300_000 } });
    const t1 = await r.tokens.getToken(r.creds);
    r.clock.advance(3600_000 - 300_000 - 1);
    expect((await r.tokens.getToken(r.creds)).value).toBe(t1.value);
    r.clock.advance(2);
    const t2 = await r.tokens.getToken(r.creds);
    expect(t2.value).not.toBe(t1.value);
    expect(r.fake.tokenRequests).toHaveLength(2);
  });

  it('uses half the lifetime as margin for short-lived tokens, and a default lifetime when expires_in is missing', async () => {
    const r = await start({ fake: { tokenLifetimeSeconds: 60, omitExpiresIn: true }, tokens: { defaultExpiresInSeconds: 120 } });
    const t = await r.tokens.getToken(r.creds);
    expect(t.expiresAt.getTime()).toBe(r.clock.now().getTime() + 120_000);
    r.clock.advance(59_000);
    await r.tokens.getToken(r.creds);
    expect(r.fake.tokenRequests).toHaveLength(1);
    r.clock.advance(2_000);
    await r.tokens.getToken(r.creds);
    expect(r.fake.tokenRequests).toHaveLength(2);
  });

  it('keeps tokens per provider and drops a cached token when credentials change', async () => {
    const r = await start();
    r.fake.addClient({ clientId: 'ms-app://S-1-15-2-other', clientSecret: 'other-secret' });
    const a = await r.tokens.getToken(r.creds);
    const b = await r.tokens.getToken({ ...r.creds, providerId: 'prov-2', clientId: 'ms-app://S-1-15-2-other', clientSecret: 'other-secret' });
    expect(a.value).not.toBe(b.value);
    const c = await r.tokens.getToken({ ...r.creds, clientId: 'ms-app://S-1-15-2-other', clientSecret: 'other-secret' });
    expect(c.value).not.toBe(a.value);
    expect(r.fake.tokenRequests).toHaveLength(3);
  });

  it('invalidate drops only the token that WNS rejected', async () => {
    const r = await start();
    const t1 = await r.tokens.getToken(r.creds);
    r.tokens.invalidate('prov-1', 'some-older-token');
    expect((await r.tokens.getToken(r.creds)).value).toBe(t1.value);
    r.tokens.invalidate('prov-1', t1.value);
    expect((await r.tokens.getToken(r.creds)).value).not.toBe(t1.value);
  });
});

describe('Entra flow', () => {
  it('posts to /{tenant}/oauth2/v2.0/token with the wns.windows.com scope and reads string expires_in', async () => {
    const r = await start({ fake: { tokenLifetimeSeconds: 86_399 } });
    const creds: WnsCredentials = { ...r.creds, auth: 'entra', tenant: 'fake-tenant', tokenUrl: r.fake.entraTokenUrl };
    const t = await r.tokens.getToken(creds);
    expect(r.fake.tokenRequests[0]).toMatchObject({
      flow: 'entra',
      tenant: 'fake-tenant',
      status: 200,
      form: { grant_type: 'client_credentials', scope: 'https://wns.windows.com/.default' },
    });
    expect(t.expiresAt.getTime()).toBe(r.clock.now().getTime() + 86_399_000);
  });

  it('takes the endpoint from WNS_TOKEN_URL when the provider has none', async () => {
    const base = await start();
    const tokens = createTokenSource({ dispatcher: base.fake.dispatcher(), clock: base.clock.now, tokenUrlOverride: base.fake.entraTokenUrl });
    await tokens.getToken({ ...base.creds, auth: 'entra', tenant: 'fake-tenant', tokenUrl: null });
    expect(base.fake.tokenRequests[0]).toMatchObject({ flow: 'entra', tenant: 'fake-tenant', status: 200 });
  });

  it('a wrong tenant is a rejected credential', async () => {
    const r = await start();
    const problem = await problemOf(r.tokens.getToken({ ...r.creds, auth: 'entra', tenant: 'other', tokenUrl: r.fake.entraTokenUrl }));
    expect(problem).toMatchObject({ kind: 'token-rejected', httpStatus: 400, providerId: 'prov-1' });
  });
});

describe('single shared refresh', () => {
  it('100 concurrent sends cause one token request', async () => {
    const r = await start();
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        r.wakes.attempt({ creds: r.creds, url: new URL(r.fake.channelUri(`c${i}`)), cache: true, ttlSeconds: null, attempt: 1 }),
      ),
    );
    expect(results.every((x) => x.kind === 'answered' && x.classification.accepted)).toBe(true);
    expect(r.fake.tokenRequests).toHaveLength(1);
    expect(r.fake.channelRequests).toHaveLength(100);
  });

  it('100 concurrent 401s after revocation cause exactly one refresh and one resend each', async () => {
    const r = await start();
    await r.tokens.getToken(r.creds);
    r.fake.revokeTokens();
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        r.wakes.attempt({ creds: r.creds, url: new URL(r.fake.channelUri(`c${i}`)), cache: true, ttlSeconds: null, attempt: 1 }),
      ),
    );
    expect(results.every((x) => x.kind === 'answered' && x.classification.accepted)).toBe(true);
    expect(r.fake.tokenRequests).toHaveLength(2);
    expect(r.fake.channelRequests).toHaveLength(200);
  });

  it('100 concurrent callers at expiry share one refresh', async () => {
    const r = await start({ fake: { tokenLifetimeSeconds: 3600 } });
    await r.tokens.getToken(r.creds);
    r.clock.advance(3600_000);
    const tokens = await Promise.all(Array.from({ length: 100 }, () => r.tokens.getToken(r.creds)));
    expect(new Set(tokens.map((t) => t.value)).size).toBe(1);
    expect(r.fake.tokenRequests).toHaveLength(2);
  });
});

describe('token endpoint failures become provider problems with back-off', () => {
  it('rejected credentials: typed problem, no new request until retryAt', async () => {
    const r = await start();
    const bad = { ...r.creds, clientSecret: 'wrong' };
    const p1 = await problemOf(r.tokens.getToken(bad));
    expect(p1).toMatchObject({ kind: 'token-rejected', httpStatus: 400 });
    expect(p1.message).toContain('invalid_client');
    expect(p1.message).not.toContain('wrong');
    expect(p1.retryAt.getTime()).toBeGreaterThan(r.clock.now().getTime());
    const p2 = await problemOf(r.tokens.getToken(bad));
    expect(p2).toBe(p1);
    expect(r.fake.tokenRequests).toHaveLength(1);
    r.clock.set(p1.retryAt);
    await problemOf(r.tokens.getToken(bad));
    expect(r.fake.tokenRequests).toHaveLength(2);
    // fixing the credentials does not wait for the back-off
    await r.tokens.getToken(r.creds);
    expect(r.fake.tokenRequests).toHaveLength(3);
  });

  it('5xx with Retry-After: back off exactly that long; then recover', async () => {
    const r = await start();
    r.fake.scriptToken({ status: 503, headers: { 'retry-after': '42' } });
    const p = await problemOf(r.tokens.getToken(r.creds));
    expect(p).toMatchObject({ kind: 'token-endpoint-error', httpStatus: 503 });
    expect(p.retryAt.getTime()).toBe(r.clock.now().getTime() + 42_000);
    r.clock.advance(42_000);
    await r.tokens.getToken(r.creds);
    expect(r.fake.tokenRequests).toHaveLength(2);
  });

  it('back-off grows with consecutive failures', async () => {
    const r = await start({ tokens: { failureBackoff: { baseMs: 1000, maxMs: 60_000 } } });
    r.fake.scriptToken({ status: 500 }, { status: 500 }, { status: 500 });
    const waits: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const p = await problemOf(r.tokens.getToken(r.creds));
      waits.push(p.retryAt.getTime() - r.clock.now().getTime());
      r.clock.set(p.retryAt);
    }
    expect(waits).toEqual([750, 1500, 3000]);
  });

  it('not a token document, or unusable fields: token-response-invalid', async () => {
    const r = await start();
    r.fake.scriptToken(
      { status: 200, body: 'not json' },
      { status: 200, body: JSON.stringify({ token_type: 'bearer', expires_in: 10 }) },
      { status: 200, body: JSON.stringify({ access_token: 'abc', token_type: 'mac' }) },
      { status: 200, body: JSON.stringify({ access_token: 'abc', expires_in: 'soon' }) },
    );
    for (let i = 0; i < 4; i += 1) {
      const p = await problemOf(r.tokens.getToken(r.creds));
      expect(p.kind).toBe('token-response-invalid');
      r.clock.set(p.retryAt);
    }
  });

  it('unreachable endpoint: token-endpoint-unreachable', async () => {
    const r = await start();
    const p = await problemOf(r.tokens.getToken({ ...r.creds, tokenUrl: 'https://127.0.0.1:1/accesstoken.srf' }));
    expect(p.kind).toBe('token-endpoint-unreachable');
  });

  it('a refresh failure inside the margin keeps the still-valid token', async () => {
    const r = await start({ fake: { tokenLifetimeSeconds: 3600 } });
    const t = await r.tokens.getToken(r.creds);
    r.clock.advance(3500_000);
    r.fake.scriptToken({ status: 500 }, { status: 500 });
    expect((await r.tokens.getToken(r.creds)).value).toBe(t.value);
    expect(r.fake.tokenRequests).toHaveLength(2);
    r.clock.advance(100_000); // expired, and past the back-off
    await problemOf(r.tokens.getToken(r.creds));
    expect(r.fake.tokenRequests).toHaveLength(3);
  });

  it('missing configuration is a problem without any request', async () => {
    const r = await start();
    expect(await problemOf(r.tokens.getToken({ ...r.creds, clientSecret: '' }))).toMatchObject({ kind: 'not-configured' });
    expect(await problemOf(r.tokens.getToken({ ...r.creds, auth: 'entra', tokenUrl: null }))).toMatchObject({ kind: 'not-configured' });
    expect(r.fake.tokenRequests).toHaveLength(0);
  });
});

describe('token URL resolution', () => {
  const creds: WnsCredentials = { providerId: 'p', auth: 'classic', clientId: 'id', clientSecret: 's', tenant: null, tokenUrl: null };
  it('defaults to the real endpoints', () => {
    expect(String(resolveTokenUrl(creds, null))).toBe('https://login.live.com/accesstoken.srf');
    expect(String(resolveTokenUrl({ ...creds, auth: 'entra', tenant: 't 1' }, null))).toBe(
      'https://login.microsoftonline.com/t%201/oauth2/v2.0/token',
    );
  });
  it('prefers the provider URL, then the override', () => {
    expect(String(resolveTokenUrl({ ...creds, tokenUrl: 'https://a.test/t' }, 'https://b.test/t'))).toBe('https://a.test/t');
    expect(String(resolveTokenUrl(creds, 'https://b.test/t'))).toBe('https://b.test/t');
  });
  it('refuses plain http except on loopback, and credentials in the URL', () => {
    expect(resolveTokenUrl(creds, 'http://login.example.test/t')).toMatch(/must be https/);
    expect(resolveTokenUrl(creds, 'http://127.0.0.1:9/t')).toBeInstanceOf(URL);
    expect(resolveTokenUrl(creds, 'https://u:p@login.example.test/t')).toMatch(/credentials/);
    expect(resolveTokenUrl({ ...creds, auth: 'entra' }, null)).toMatch(/tenant/);
  });
});
