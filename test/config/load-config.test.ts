import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';

const load = (env: Record<string, string>, flags?: Record<string, unknown>) => loadConfig({ env, flags, cwd: '/srv/gw' });

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = load({});
    expect(config).toEqual({
      port: 8080,
      host: '127.0.0.1',
      dataDir: '/srv/gw/data',
      syncmlPath: '/ManagementServer/MDM.svc',
      defaultProviderId: 'omadm-gateway',
      deviceAuth: 'none',
      allowInsecureDeviceAuth: false,
      wnsChannelHosts: ['*.notify.windows.com'],
      logLevel: 'info',
      syncmlBodyLimit: 1048576,
      apiBodyLimit: 1048576,
    });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.sqliteSynchronous).toBeUndefined(); // the store's default: NORMAL
    expect(config.databasePoolSize).toBeUndefined(); // the store's default: 10
    expect(config.operatorToken).toBeUndefined();
    expect(config.wnsTokenUrl).toBeUndefined();
    expect(config.publicUrl).toBeUndefined();
  });

  it('reads every variable', () => {
    const config = load({
      PORT: '9000',
      HOST: '::1',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      DATABASE_POOL_SIZE: '25',
      DATA_DIR: '/var/lib/gw',
      SQLITE_SYNCHRONOUS: 'FULL',
      SYNCML_PATH: '/omadm/Windows.ashx',
      PUBLIC_URL: 'https://mdm.example.com',
      DEFAULT_PROVIDER_ID: 'contoso',
      OPERATOR_TOKEN: 'a-long-operator-token',
      SECRET_KEY: 'sixteen-chars-or-more',
      WNS_TOKEN_URL: 'http://127.0.0.1:1234/token',
      WNS_CHANNEL_HOSTS: '*.notify.windows.com, http://127.0.0.1:*',
      WAKE_MAX_AGE_SECONDS: '3600',
      LOG_LEVEL: 'debug',
      SYNCML_BODY_LIMIT: '512kb',
      API_BODY_LIMIT: '2mb',
    });
    expect(config).toMatchObject({
      port: 9000,
      host: '::1',
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/test',
      databasePoolSize: 25,
      dataDir: '/var/lib/gw',
      sqliteSynchronous: 'FULL',
      syncmlPath: '/omadm/Windows.ashx',
      publicUrl: 'https://mdm.example.com',
      defaultProviderId: 'contoso',
      operatorToken: 'a-long-operator-token',
      secretKey: 'sixteen-chars-or-more',
      wnsTokenUrl: 'http://127.0.0.1:1234/token',
      wnsChannelHosts: ['*.notify.windows.com', 'http://127.0.0.1:*'],
      wakeMaxAgeSeconds: 3600,
      logLevel: 'debug',
      syncmlBodyLimit: 512 * 1024,
      apiBodyLimit: 2 * 1024 * 1024,
    });
  });

  it('lets flags win over the environment and treats empty variables as unset', () => {
    const config = load({ PORT: '9000', HOST: '' }, { port: '0', dataDir: 'rel/dir' });
    expect(config.port).toBe(0);
    expect(config.host).toBe('127.0.0.1');
    expect(config.dataDir).toBe('/srv/gw/rel/dir');
  });

  it('names the variable (and flag) in every problem, all at once', () => {
    const problems = problemsOf(() =>
      load({ PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x', DEVICE_AUTH: 'magic', API_BODY_LIMIT: '1gb' }),
    );
    expect(problems.some((p) => p.startsWith('PORT (--port) '))).toBe(true);
    expect(problems.some((p) => p.startsWith('LOG_LEVEL (--log-level) '))).toBe(true);
    expect(problems.some((p) => p.startsWith('DATABASE_URL (--database-url) '))).toBe(true);
    expect(problems.some((p) => p.startsWith('DEVICE_AUTH (--device-auth) '))).toBe(true);
    expect(problems.some((p) => p.startsWith('API_BODY_LIMIT '))).toBe(true);
  });

  it.each([
    ['PORT', '70000'],
    ['SYNCML_PATH', 'no-leading-slash'],
    ['SYNCML_PATH', '/api/v1/syncml'],
    ['SYNCML_PATH', '/a/../b'],
    ['SYNCML_PATH', '/a b'],
    ['DEFAULT_PROVIDER_ID', 'needs escaping/'],
    ['OPERATOR_TOKEN', 'short'],
    ['WNS_TOKEN_URL', 'not a url'],
    ['WNS_CHANNEL_HOSTS', 'https://x.notify.windows.com/'],
    ['PUBLIC_URL', 'https://mdm.example.com/path'],
    ['ALLOW_INSECURE_DEVICE_AUTH', 'maybe'],
    ['SYNCML_BODY_LIMIT', '10'],
    ['WAKE_MAX_AGE_SECONDS', '10'],
    ['WAKE_MAX_AGE_SECONDS', '1d'],
    ['SQLITE_SYNCHRONOUS', 'OFF'],
    ['SQLITE_SYNCHRONOUS', 'EXTRA'],
    ['SQLITE_SYNCHRONOUS', 'normal'],
    ['SQLITE_SYNCHRONOUS', '1'],
    ['DATABASE_POOL_SIZE', '0'],
    ['DATABASE_POOL_SIZE', '1001'],
    ['DATABASE_POOL_SIZE', 'ten'],
  ])('refuses %s=%s', (name, value) => {
    const problems = problemsOf(() => load({ [name]: value }));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.startsWith(name))).toBe(true);
  });

  it('reads SQLITE_SYNCHRONOUS=NORMAL and names the allowed values when refusing another', () => {
    expect(load({ SQLITE_SYNCHRONOUS: 'NORMAL' }).sqliteSynchronous).toBe('NORMAL');
    expect(problemsOf(() => load({ SQLITE_SYNCHRONOUS: 'OFF' }))).toEqual(['SQLITE_SYNCHRONOUS must be equal to one of the allowed values: NORMAL, FULL']);
  });

  it('refuses DEVICE_AUTH=none on a non-loopback host unless explicitly allowed', () => {
    const problems = problemsOf(() => load({ HOST: '0.0.0.0' }));
    expect(problems[0]).toMatch(/DEVICE_AUTH=none.*0\.0\.0\.0.*ALLOW_INSECURE_DEVICE_AUTH=1/);
    expect(load({ HOST: '0.0.0.0', ALLOW_INSECURE_DEVICE_AUTH: '1' }).host).toBe('0.0.0.0');
    expect(load({ HOST: 'localhost' }).host).toBe('localhost');
    expect(load({ HOST: '127.0.0.2' }).host).toBe('127.0.0.2');
    expect(() => load({ HOST: '::' })).toThrow(ConfigError);
    expect(load({ HOST: '0.0.0.0', DEVICE_AUTH: 'md5' }).deviceAuth).toBe('md5');
  });
});
