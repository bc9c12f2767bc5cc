/**
 * Logs: every line of a SyncML exchange carries the request id, DeviceID, SessionID and MsgID; secrets (WNS client
 * secrets, the operator token, bearer headers, WNS access tokens) never appear in any line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/create-logger.js';
import { createLogContext } from '../../src/observability/log-context.js';
import { serializeSyncML } from '../../src/syncml/index.js';
import { sqliteBackend, type TestDatabase } from '../support/databases.js';
import { package1 } from '../support/syncml-builders.js';
import { PFN, startTestGateway, type TestGateway } from './gateway-harness.js';

describe('logs', () => {
  let db: TestDatabase;
  let t: TestGateway;
  const secret = 'wns-client-secret-that-must-never-be-logged';

  beforeAll(async () => {
    db = await sqliteBackend.create();
    t = await startTestGateway(db);
    t.fake.addClient({ clientId: 'ms-app://s-1-15-2-logging', clientSecret: secret });
    const r = await t.api('PUT', '/api/v1/providers/omadm-gateway', { body: { pfn: PFN, wns: { clientId: 'ms-app://s-1-15-2-logging', clientSecret: secret } } });
    expect(r.status).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
    await db?.dispose();
  });

  it('puts the request id, DeviceID, SessionID and MsgID on every line of a SyncML exchange', async () => {
    t.logs.clear();
    await t.checkIn({ deviceId: 'dev-log-1', sessionId: '42' });
    const lines = t.logs.lines();
    const exchanges = lines.filter((l) => l.msg === 'request' && l.route === '/ManagementServer/MDM.svc');
    expect(exchanges.length).toBeGreaterThanOrEqual(2);
    const requestIds = new Set(exchanges.map((l) => l.requestId));
    const exchangeLines = lines.filter((l) => requestIds.has(l.requestId));
    expect(exchangeLines.length).toBeGreaterThan(exchanges.length);
    expect(exchangeLines.some((l) => l.component === 'session')).toBe(true);
    for (const line of exchangeLines) {
      expect(line, JSON.stringify(line)).toMatchObject({ requestId: expect.any(String), deviceId: 'dev-log-1', sessionId: '42', msgId: expect.stringMatching(/^\d+$/) });
    }
    // Lines logged outside any request (e.g. start-up) carry no stale exchange ids.
    const msgIds = exchanges.map((l) => l.msgId);
    expect(msgIds).toEqual(msgIds.map((_, i) => String(i + 1)));
  });

  it('uses a sane incoming X-Request-Id and replaces an unsafe one', async () => {
    const good = await t.syncml(serializeSyncML(package1({ deviceId: 'dev-log-2' })), undefined, { 'x-request-id': 'trace-abc.123' });
    expect(good.headers.get('x-request-id')).toBe('trace-abc.123');
    expect(t.logs.lines().filter((l) => l.requestId === 'trace-abc.123').length).toBeGreaterThan(1);
    const bad = await t.api('GET', '/healthz', { authorization: null, headers: { 'x-request-id': '<script>alert(1)</script>' } });
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(t.logs.raw.join('')).not.toContain('<script>');
  });

  it('never logs a secret: WNS client secret, operator token, bearer headers, WNS access tokens', async () => {
    await t.checkIn({ deviceId: 'dev-log-3' });
    await t.api('POST', '/api/v1/devices/dev-log-3/push', { body: {} });
    await t.gateway.dispatcher.drain();
    expect(t.fake.requestsTo('ch-dev-log-3').map((r) => r.status)).toEqual([200]);
    await t.api('GET', '/api/v1/devices', { authorization: 'Bearer a-wrong-token-somebody-tried' });
    await t.api('PUT', '/api/v1/providers/omadm-gateway', { body: { pfn: PFN, wns: { clientId: 'ms-app://s-1-15-2-logging', clientSecret: secret, extra: 1 } } });
    const all = t.logs.raw.join('');
    const accessTokens = t.fake.channelRequests.map((r) => String(r.headers.authorization ?? '').replace(/^Bearer /, '')).filter((v) => v.length > 0);
    expect(accessTokens.length).toBeGreaterThan(0);
    for (const needle of [secret, t.gateway.operatorToken.token, 'a-wrong-token-somebody-tried', 'Bearer ', ...accessTokens]) {
      expect(all.includes(needle), `log contains ${needle.slice(0, 12)}…`).toBe(false);
    }
  });

  it('redacts secret-looking fields wherever a module logs them', () => {
    const out: string[] = [];
    const logger = createLogger({ level: 'info', context: createLogContext(), destination: { write: (l: string) => void out.push(l) } });
    logger.info({ headers: { authorization: 'Bearer abc' }, provider: { wns: { clientSecret: 'x1' } }, clientSecret: 'x2', token: 'x3', form: { client_secret: 'x4' }, accessToken: 'x5' }, 'try');
    const line = JSON.parse(out[0]!) as Record<string, any>;
    expect(line.headers.authorization).toBe('[redacted]');
    expect(line.provider.wns.clientSecret).toBe('[redacted]');
    expect(line.clientSecret).toBe('[redacted]');
    expect(line.token).toBe('[redacted]');
    expect(line.form.client_secret).toBe('[redacted]');
    expect(line.accessToken).toBe('[redacted]');
    logger.error({ err: Object.assign(new Error('query failed'), { query: 'UPDATE providers SET x = ?', parameters: ['v1.sealed'] }) }, 'db');
    const failed = JSON.parse(out[1]!) as Record<string, any>;
    expect(failed.err.parameters).toBe('[redacted]');
    expect(failed.err.message).toBe('query failed');
  });
});
