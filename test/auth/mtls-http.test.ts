/**
 * DEVICE_AUTH=mtls end to end: the gateway serves HTTPS itself; devices present client certificates whose subject CN
 * must name the SyncHdr Source LocURI.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, fetch } from 'undici';
import { serializeSyncML } from '../../src/syncml/index.js';
import { sqliteBackend, type TestDatabase } from '../support/databases.js';
import { answerReply, answersFrom, deviceMessage, package1 } from '../support/syncml-builders.js';
import { parseSyncML } from '../../src/syncml/index.js';
import { startSecureGateway, type SecureGateway } from '../security/secure-gateway.js';
import { createTestPki, type TestPki } from './test-pki.js';

describe('DEVICE_AUTH=mtls over HTTPS', () => {
  let db: TestDatabase;
  let pki: TestPki;
  let gw: SecureGateway;
  const agents: Agent[] = [];
  const agentFor = (pem?: { cert: string; key: string }) => {
    const agent = new Agent({ connect: { ca: pki.ca.cert, ...(pem ? { cert: pem.cert, key: pem.key } : {}) } });
    agents.push(agent);
    return agent;
  };
  let devA: Agent;
  let devB: Agent;

  beforeAll(async () => {
    db = await sqliteBackend.create();
    pki = await createTestPki();
    gw = await startSecureGateway(db, {
      env: { DEVICE_AUTH: 'mtls', TLS_CERT: pki.server.certPath, TLS_KEY: pki.server.keyPath, TLS_CLIENT_CA: pki.ca.certPath },
    });
    devA = agentFor(await pki.device('/O=Contoso/CN=DEV-A'));
    devB = agentFor(await pki.device('/CN=DEV-B'));
  });
  afterAll(async () => {
    for (const a of agents) await a.close();
    await gw.close();
    await db.dispose();
    await pki.dispose();
  });

  const pkg1 = (deviceId: string, sessionID = '1') => serializeSyncML(package1({ sessionID, deviceId }));

  it('serves HTTPS and runs a whole session for a device whose certificate CN is its DeviceID', async () => {
    expect(gw.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const replies = await gw.checkIn('DEV-A', { dispatcher: devA });
    expect(replies.length).toBeGreaterThan(1);
    expect((await gw.api('GET', '/api/v1/devices/DEV-A')).status).toBe(200);
  });

  it('accepts a GUID DeviceID whose certificate writes it with braces and another case', async () => {
    const guid = '3F2504E0-4F89-11D3-9A0C-0305E82C3301';
    const agent = agentFor(await pki.device(`/CN={${guid.toLowerCase()}}`));
    expect((await gw.post(pkg1(guid), { dispatcher: agent })).status).toBe(200);
  });

  it('answers 403 (and logs it) when the certificate names another device', async () => {
    const answer = await gw.post(pkg1('DEV-B'), { dispatcher: devA });
    expect(answer.status).toBe(403);
    expect(answer.text).not.toMatch(/at .*\.ts/);
    expect(gw.logs().some((l) => l.msg === 'device refused (mtls)' && l.status === 403 && l.deviceId === 'DEV-B')).toBe(true);
    expect((await gw.api('GET', '/api/v1/devices/DEV-B')).status).toBe(404);
  });

  it('answers 401 without a client certificate, with one from an untrusted CA, and with no CN; the operator API still works', async () => {
    expect((await gw.post(pkg1('DEV-A'), { dispatcher: agentFor() })).status).toBe(401);
    expect((await gw.post(pkg1('DEV-A'), { dispatcher: agentFor(await pki.device('/CN=DEV-A', pki.rogueCa)) })).status).toBe(401);
    const noCn = agentFor(await pki.device('/O=Contoso', pki.ca, { san: 'DNS:DEV-A' }));
    expect((await gw.post(pkg1('DEV-A'), { dispatcher: noCn })).status).toBe(403);
    const health = await fetch(`${gw.url}/healthz`, { dispatcher: agentFor() });
    expect(health.status).toBe(200);
    expect((await gw.api('GET', '/api/v1/devices')).status).toBe(200);
  });

  it('does not take the identity from subjectAltName', async () => {
    const sanOnly = agentFor(await pki.device('/CN=SOMEONE-ELSE', pki.ca, { san: 'DNS:DEV-A,URI:urn:device:DEV-A' }));
    expect((await gw.post(pkg1('DEV-A'), { dispatcher: sanOnly })).status).toBe(403);
  });

  it('binds a SessionID to its device: another device cannot continue it, even with a valid certificate', async () => {
    const first = await gw.post(pkg1('DEV-A', '77'), { dispatcher: devA });
    expect(first.status).toBe(200);
    const reply = parseSyncML(first.text);
    const hijack = serializeSyncML(deviceMessage({ msgID: 2, sessionID: '77', deviceId: 'DEV-A' }, answerReply(reply, answersFrom({}))));
    expect((await gw.post(hijack, { dispatcher: devB })).status).toBe(403);
    // DEV-B using the same SessionID under its own identity gets its own session, not DEV-A's.
    const own = serializeSyncML(deviceMessage({ msgID: 2, sessionID: '77', deviceId: 'DEV-B' }, answerReply(reply, answersFrom({}))));
    const ownAnswer = await gw.post(own, { dispatcher: devB });
    expect(ownAnswer.status).toBe(200);
    const sessionsA = (await gw.api('GET', '/api/v1/devices/DEV-A/sessions')).body;
    const a77 = sessionsA.items.find((s: { sessionId: string }) => s.sessionId === '77');
    expect(a77).toBeDefined();
    // DEV-A's session is untouched: its own next message continues it normally.
    const cont = await gw.post(serializeSyncML(deviceMessage({ msgID: 2, sessionID: '77', deviceId: 'DEV-A' }, answerReply(reply, answersFrom({})))), { dispatcher: devA });
    expect(cont.status).toBe(200);
  });
});
