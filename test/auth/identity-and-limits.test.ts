import { describe, expect, it } from 'vitest';
import { identityFromSubject, namesDevice } from '../../src/auth/certificate-identity.js';
import { clientAddress, createTrustedProxies, unmapped } from '../../src/auth/trusted-proxies.js';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { SYNCML_LIMIT_DEFAULTS, syncmlLimitsOf } from '../../src/config/syncml-limits.js';
import { createKeyedRateLimiter } from '../../src/http/keyed-rate-limiter.js';
import { isStoreUnavailable } from '../../src/store/store-unavailable.js';

describe('certificate identity', () => {
  it('is the single subject CN', () => {
    expect(identityFromSubject({ CN: 'DEV-1', O: 'x' })).toEqual({ ok: true, identity: 'DEV-1' });
    expect(identityFromSubject({ CN: ['DEV-1'] })).toEqual({ ok: true, identity: 'DEV-1' });
    expect(identityFromSubject({ CN: ['A', 'B'] }).ok).toBe(false);
    expect(identityFromSubject({ O: 'x' }).ok).toBe(false);
    expect(identityFromSubject(undefined).ok).toBe(false);
  });

  it('names a device by exact match, or the same GUID in another case or with braces — nothing looser', () => {
    expect(namesDevice('DEV-1', 'DEV-1')).toBe(true);
    expect(namesDevice('dev-1', 'DEV-1')).toBe(false);
    expect(namesDevice('{3F2504E0-4F89-11D3-9A0C-0305E82C3301}', '3f2504e0-4f89-11d3-9a0c-0305e82c3301')).toBe(true);
    expect(namesDevice('3F2504E0-4F89-11D3-9A0C-0305E82C3301', '3F2504E0-4F89-11D3-9A0C-0305E82C3302')).toBe(false);
    expect(namesDevice('DEV-1 ', 'DEV-1')).toBe(false);
    expect(namesDevice('', '')).toBe(true);
  });
});

describe('trusted proxies', () => {
  const proxies = createTrustedProxies(['10.0.0.0/8', '192.168.1.5', '::1', 'fd00::/8']);

  it('trusts listed addresses and networks, IPv4-mapped peers as IPv4', () => {
    expect(proxies.trusts('10.20.30.40')).toBe(true);
    expect(proxies.trusts('::ffff:10.1.2.3')).toBe(true);
    expect(proxies.trusts('192.168.1.5')).toBe(true);
    expect(proxies.trusts('192.168.1.6')).toBe(false);
    expect(proxies.trusts('::1')).toBe(true);
    expect(proxies.trusts('fd12::1')).toBe(true);
    expect(proxies.trusts('127.0.0.1')).toBe(false);
    expect(proxies.trusts(undefined)).toBe(false);
    expect(proxies.trusts('not-an-ip')).toBe(false);
    expect(createTrustedProxies([]).trusts('127.0.0.1')).toBe(false);
    expect(unmapped('::ffff:1.2.3.4')).toBe('1.2.3.4');
  });

  it('reads X-Forwarded-For only from a trusted peer, from the right, skipping trusted hops', () => {
    expect(clientAddress('10.0.0.1', '203.0.113.9, 10.0.0.2', proxies)).toBe('203.0.113.9');
    expect(clientAddress('10.0.0.1', '1.1.1.1, 203.0.113.9', proxies)).toBe('203.0.113.9');
    expect(clientAddress('198.51.100.7', '203.0.113.9', proxies)).toBe('198.51.100.7');
    expect(clientAddress('10.0.0.1', 'garbage', proxies)).toBe('10.0.0.1');
    expect(clientAddress('10.0.0.1', undefined, proxies)).toBe('10.0.0.1');
  });
});

describe('keyed rate limiter', () => {
  it('allows a burst, then refuses with a Retry-After until tokens come back', () => {
    const limiter = createKeyedRateLimiter({ perMinute: 60, burst: 3 });
    const t = 1_000_000;
    expect([1, 2, 3].map(() => limiter.take('a', t).allowed)).toEqual([true, true, true]);
    expect(limiter.take('a', t)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take('b', t).allowed).toBe(true);
    expect(limiter.take('a', t + 1000).allowed).toBe(true);
    expect(limiter.take('a', t + 1000).allowed).toBe(false);
  });

  it('keeps at most maxKeys buckets however many keys arrive', () => {
    const limiter = createKeyedRateLimiter({ perMinute: 10, maxKeys: 100 });
    for (let i = 0; i < 10_000; i++) limiter.take(`k${i}`, 5_000 + i);
    expect(limiter.size).toBeLessThanOrEqual(100);
  });
});

describe('database unavailable classification', () => {
  it('recognises connection loss through driverError and cause chains', () => {
    expect(isStoreUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isStoreUnavailable({ message: 'query failed', driverError: new Error('Connection terminated unexpectedly') })).toBe(true);
    expect(isStoreUnavailable(new Error('wrapped', { cause: { code: '57P01' } }))).toBe(true);
    expect(isStoreUnavailable({ code: '08006' })).toBe(true);
    expect(isStoreUnavailable({ code: 'SQLITE_BUSY' })).toBe(true);
    expect(isStoreUnavailable(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]))).toBe(true);
    expect(isStoreUnavailable(new Error('duplicate key'))).toBe(false);
    expect(isStoreUnavailable({ code: '23505' })).toBe(false);
    expect(isStoreUnavailable(null)).toBe(false);
  });
});

describe('device authentication configuration', () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig({ env, cwd: '/srv' });
      return [];
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).problems;
    }
  };

  it('refuses DEVICE_AUTH=none on a non-loopback HOST unless ALLOW_INSECURE_DEVICE_AUTH=1, loudly', () => {
    expect(problems({ HOST: '0.0.0.0' })[0]).toMatch(/DEVICE_AUTH=none .* anyone act as any device/);
    expect(problems({ HOST: '192.0.2.10', DEVICE_AUTH: 'none' })).toHaveLength(1);
    expect(problems({ HOST: '0.0.0.0', ALLOW_INSECURE_DEVICE_AUTH: '1' })).toEqual([]);
    expect(problems({ HOST: '::1' })).toEqual([]);
    expect(problems({ HOST: '0.0.0.0', DEVICE_AUTH: 'md5' })).toEqual([]);
  });

  it('names what each mode needs', () => {
    expect(problems({ DEVICE_AUTH: 'mtls' }).join('\n')).toMatch(/TLS_CERT and TLS_KEY[\s\S]*TLS_CLIENT_CA/);
    expect(problems({ DEVICE_AUTH: 'mtls', TLS_CERT: '/c', TLS_KEY: '/k', TLS_CLIENT_CA: '/ca' })).toEqual([]);
    expect(problems({ TLS_CERT: '/c' })).toEqual(['TLS_CERT and TLS_KEY go together']);
    expect(problems({ DEVICE_AUTH: 'proxy-header' })[0]).toMatch(/TRUSTED_PROXIES/);
    expect(problems({ DEVICE_AUTH: 'proxy-header', TRUSTED_PROXIES: '10.0.0.0/8, ::1' })).toEqual([]);
    expect(problems({ DEVICE_AUTH: 'proxy-header', TRUSTED_PROXIES: '10.0.0.0/33' }).join()).toMatch(/not an IP address or CIDR/);
    expect(problems({ DEVICE_AUTH_BASIC: '1' })[0]).toMatch(/only applies to DEVICE_AUTH=md5/);
  });

  it('reads the limits, with documented defaults when unset', () => {
    expect(syncmlLimitsOf(loadConfig({ env: {}, cwd: '/srv' }))).toEqual(SYNCML_LIMIT_DEFAULTS);
    const c = loadConfig({ env: { RATE_LIMIT_DEVICE: '0', RATE_LIMIT_ADDRESS: '30', MAX_CONCURRENT_SYNCML: '4', REQUEST_TIMEOUT_MS: '2000' }, cwd: '/srv' });
    expect(syncmlLimitsOf(c)).toEqual({ ratePerDevice: 0, ratePerAddress: 30, maxConcurrent: 4, requestTimeoutMs: 2000 });
    expect(problems({ REQUEST_TIMEOUT_MS: '10' }).join()).toMatch(/REQUEST_TIMEOUT_MS/);
  });
});

describe('DEVICE_AUTH=none on a non-loopback address', () => {
  it('starts only when explicitly allowed, and then warns loudly', async () => {
    const { pino } = await import('pino');
    const { createDeviceAuthenticator } = await import('../../src/auth/device-authenticator.js');
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
    const config = loadConfig({ env: { HOST: '0.0.0.0', ALLOW_INSECURE_DEVICE_AUTH: 'yes' }, cwd: '/srv' });
    expect(createDeviceAuthenticator(config, { logger }).mode).toBe('none');
    expect(lines.map((l) => JSON.parse(l) as { level: number; msg: string })).toEqual([expect.objectContaining({ level: 40, msg: expect.stringMatching(/^INSECURE: DEVICE_AUTH=none/) })]);
    lines.length = 0;
    createDeviceAuthenticator(loadConfig({ env: {}, cwd: '/srv' }), { logger });
    expect(lines).toEqual([]);
  });
});
