/**
 * The SyncML endpoint's HTTP behaviour: content types, the three tiers (unreadable → 4xx text/plain, failed command →
 * Status in a 200, internal fault → 500 with details only in the log), body limit, method, reply content type.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSyncML, serializeSyncML } from '../../src/syncml/index.js';
import { describeOnBackends, type TestDatabase } from '../support/databases.js';
import { deviceMessage, package1, statusesOf } from '../support/syncml-builders.js';
import { startTestGateway, SYNCML_TYPE, type TestGateway } from './gateway-harness.js';

/** Signs of a leaked stack trace or internal detail in a reply body. */
const LEAK = /\bat .+\(|\.ts:\d|node_modules|\/work\/|Error:/;

describeOnBackends('SyncML endpoint', (backend) => {
  let db: TestDatabase;
  let t: TestGateway;

  beforeAll(async () => {
    db = await backend.create();
    t = await startTestGateway(db, { env: { SYNCML_BODY_LIMIT: '16kb' } });
  });
  afterAll(async () => {
    await t?.close();
    await db?.dispose();
  });

  const xml = (deviceId: string, sessionID = '5') => serializeSyncML(package1({ deviceId, sessionID }));

  it('answers a check-in with SyncML of the same content type, SyncHdr swapped, SyncHdr Status first', async () => {
    const r = await t.syncml(xml('dev-sx-1'));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe(SYNCML_TYPE);
    const reply = parseSyncML(r.text);
    expect(reply.header).toMatchObject({ sessionID: '5', msgID: '1', target: { locURI: 'dev-sx-1' } });
    // a.2: server → device swaps Target and Source; the device's Target is the server URI it used.
    expect(reply.header.source.locURI).toBe(package1({ deviceId: 'dev-sx-1' }).header.target.locURI);
    expect(statusesOf(reply)[0]).toMatchObject({ cmdRef: '0', cmd: 'SyncHdr', data: '200' });
  });

  it('accepts a charset parameter and the legacy application/vnd.syncml+xml, answering with the type it got', async () => {
    const withCharset = await t.syncml(xml('dev-sx-2'), `${SYNCML_TYPE}; charset=UTF-8`);
    expect(withCharset.status).toBe(200);
    expect(withCharset.headers.get('content-type')).toBe(SYNCML_TYPE);
    const legacy = await t.syncml(xml('dev-sx-3'), 'application/vnd.syncml+xml');
    expect(legacy.status).toBe(200);
    expect(legacy.headers.get('content-type')).toBe('application/vnd.syncml+xml');
  });

  it.each(['text/xml', 'application/xml', 'application/json', 'application/vnd.syncml+wbxml', 'application/vnd.syncml.dm+xmlx'])(
    'refuses %s with 415 and a short plain reason',
    async (type) => {
      const r = await t.syncml(xml('dev-sx-4'), type);
      expect(r.status).toBe(415);
      expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(r.text).toMatch(/^unsupported content type: expected application\/vnd\.syncml\.dm\+xml or application\/vnd\.syncml\+xml or application\/vnd\.syncml\.dm\+wbxml\n$/);
    },
  );

  it('refuses a request without a content type with 415', async () => {
    const response = await fetch(`${t.url}/ManagementServer/MDM.svc`, { method: 'POST', body: new Uint8Array(Buffer.from(xml('dev-sx-5'))) });
    expect(response.status).toBe(415);
  });

  it.each([
    ['empty body', '', /empty body/],
    ['not XML', 'hello', /malformed/],
    ['truncated XML', xml('dev-sx-6').slice(0, 200), /malformed/],
    ['not SyncML', '<?xml version="1.0"?><Envelope xmlns="urn:x"/>', /not-syncml/],
    ['a DOCTYPE', `<?xml version="1.0"?><!DOCTYPE SyncML [<!ENTITY a "b">]>${xml('dev-sx-7').replace(/^<\?xml[^>]*\?>/, '')}`, /doctype|entity/],
    ['an entity bomb', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><x>&b;</x>', /doctype|entity/],
    ['invalid UTF-8', Buffer.concat([Buffer.from('<?xml version="1.0" encoding="UTF-8"?><SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr>'), Buffer.from([0xc3, 0x28])]), /invalid-utf8|malformed/],
    ['a SyncHdr Source that is no DeviceID', xml('devQQQx').replace('devQQQx', 'dev&#10;x'), /DeviceID|malformed|invalid/],
  ])('answers %s with 400 and a short plain reason, never a stack trace', async (_name, body, reason) => {
    const r = await t.syncml(typeof body === 'string' ? body : new Uint8Array(body));
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(r.text).toMatch(reason);
    expect(r.text.length).toBeLessThan(300);
    expect(r.text).not.toMatch(LEAK);
  });

  it('answers a body over SYNCML_BODY_LIMIT with 413', async () => {
    const big = xml('dev-sx-8').replace('</SyncML>', `<!--${'x'.repeat(20 * 1024)}--></SyncML>`);
    const r = await t.syncml(big);
    expect(r.status).toBe(413);
    expect(r.text).toMatch(/^SyncML message too large/);
  });

  it('answers other methods with 405 and Allow: POST', async () => {
    const r = await fetch(`${t.url}/ManagementServer/MDM.svc`);
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('POST');
    expect(await r.text()).toMatch(/^Method not allowed/);
  });

  it('answers a well-formed message with a bad command with a SyncML Status in a 200, not an HTTP error', async () => {
    const m = package1({ deviceId: 'dev-sx-9', sessionID: '9', extra: [{ kind: 'Unknown', name: 'Frobnicate', cmdID: '4' }] });
    const r = await t.syncml(serializeSyncML(m));
    expect(r.status).toBe(200);
    const status = statusesOf(parseSyncML(r.text)).find((s) => s.cmdRef === '4');
    expect(status?.data).toMatch(/^[45]\d\d$/);
    const orphan = deviceMessage({ msgID: 2, sessionID: '9', deviceId: 'dev-sx-9' }, [
      { kind: 'Status', cmdID: '1', msgRef: '1', cmdRef: '0', cmd: 'SyncHdr', data: '200', items: [] },
      { kind: 'Status', cmdID: '2', msgRef: '1', cmdRef: '77', cmd: 'Get', data: '200', items: [] },
    ]);
    const second = await t.syncml(serializeSyncML(orphan));
    expect(second.status).toBe(200);
  });
});

describe('SyncML endpoint internal faults', () => {
  it('answers 500 with only "Internal error" when the database is gone, logs the details, and readiness says not ready', async () => {
    const { sqliteBackend } = await import('../support/databases.js');
    const db = await sqliteBackend.create();
    const t = await startTestGateway(db);
    try {
      await t.gateway.store.close();
      const r = await t.syncml(serializeSyncML(package1({ deviceId: 'dev-fault-1' })));
      expect(r.status).toBe(500);
      expect(r.text).toBe('Internal error\n');
      const failure = t.logs.lines().find((l) => l.msg === 'syncml exchange failed');
      expect(failure).toMatchObject({ level: 'error', deviceId: 'dev-fault-1', sessionId: '1', msgId: '1', err: { message: expect.any(String) } });
      const ready = await t.api('GET', '/readyz', { authorization: null });
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ status: 'not-ready', checks: { database: { ok: false, detail: expect.stringMatching(/^database unreachable/) } } });
      const api = await t.api('GET', '/api/v1/devices');
      expect(api.status).toBe(500);
      expect(api.body).toMatchObject({ type: 'urn:omadm-gateway:problem:internal', title: 'Internal error' });
      expect(api.text).not.toMatch(LEAK);
    } finally {
      await t.close().catch(() => undefined);
      await db.dispose().catch(() => undefined);
    }
  });
});
