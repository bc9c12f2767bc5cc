/**
 * DEVICE_AUTH=md5 end to end: real gateway on loopback, real store, device messages built like a Windows DMClient's.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { credentialHash, md5Digest } from '../../src/auth/md5-digest.js';
import { createCredentialStore } from '../../src/store/credential-repository.js';
import { parseSyncML, serializeSyncML, type Cred, type Status, type SyncML } from '../../src/syncml/index.js';
import { describeOnBackends, type TestDatabase } from '../support/databases.js';
import { answerReply, answersFrom, deviceMessage, DEV_INFO, package1, serverCommands, status } from '../support/syncml-builders.js';
import { startSecureGateway, type SecureGateway } from '../security/secure-gateway.js';

const DEVICE = 'MD5-DEVICE-0001';
const NONCE = randomBytes(16).toString('base64');
const SERVER_NONCE = randomBytes(16).toString('base64');
const clientHash = credentialHash('dev-user', 'dev-password-0123456789');
const serverHash = credentialHash('omadm-gateway', 'server-password-abcdef');

const md5 = (nonce: string, hash = clientHash): Cred => ({ meta: { type: 'syncml:auth-md5', format: 'b64' }, data: md5Digest(hash, nonce) });
const withCred = (m: SyncML, cred?: Cred): SyncML => (cred ? { ...m, header: { ...m.header, cred } } : m);
const hdrStatus = (reply: SyncML): Status => reply.body.commands.find((c): c is Status => c.kind === 'Status' && c.cmdRef === '0')!;
const pkg1 = (sessionID: string, cred?: Cred) => withCred(package1({ sessionID, deviceId: DEVICE, devInfo: { ...DEV_INFO, DevId: DEVICE } }), cred);

describeOnBackends('DEVICE_AUTH=md5 over HTTP', (backend) => {
  let db: TestDatabase;
  let gw: SecureGateway;
  const key = randomBytes(32);
  const credentials = () => createCredentialStore(db.dataSource, { secretKey: key });

  beforeAll(async () => {
    db = await backend.create();
    gw = await startSecureGateway(db, { env: { DEVICE_AUTH: 'md5', SECRET_KEY: key.toString('base64'), RATE_LIMIT_DEVICE: '0' } });
  });
  afterAll(async () => {
    await gw.close();
    await db.dispose();
  });
  beforeEach(async () => {
    await db.reset();
    await credentials().putDeviceCredentials(DEVICE, { client: { name: 'dev-user', hash: clientHash, nonce: NONCE } });
  });

  async function send(message: SyncML): Promise<SyncML> {
    const answer = await gw.post(serializeSyncML(message));
    expect(answer.status, answer.text).toBe(200);
    return parseSyncML(answer.text);
  }

  /** Finishes a session the server opened (answers every command with 200 / values), no Cred. */
  async function finish(sessionID: string, first: SyncML, decorate: (m: SyncML) => SyncML = (m) => m): Promise<SyncML[]> {
    const replies = [first];
    let reply = first;
    for (let msgID = 2; serverCommands(reply).length > 0; msgID++) {
      reply = await send(decorate(deviceMessage({ msgID, sessionID, deviceId: DEVICE }, answerReply(reply, answersFrom({})))));
      replies.push(reply);
      if (msgID > 15) throw new Error('session did not end');
    }
    return replies;
  }

  it('accepts the digest over the provisioned nonce with 212 + NextNonce, and requires that next nonce next session', async () => {
    const r1 = await send(pkg1('1', md5(NONCE)));
    const s1 = hdrStatus(r1);
    expect(s1.data).toBe('212');
    expect(s1.chal?.meta).toMatchObject({ type: 'syncml:auth-md5', format: 'b64' });
    const next = s1.chal!.meta.nextNonce!;
    expect(Buffer.from(next, 'base64')).toHaveLength(16);
    expect(next).not.toBe(NONCE);
    expect(serverCommands(r1).length).toBeGreaterThan(0);
    // The rest of the session needs no Cred (212: "no further authentication is needed").
    const rest = await finish('1', r1);
    expect(rest.every((r) => ['212', '200'].includes(hdrStatus(r).data))).toBe(true);

    // Next session: the old nonce is a replay and is refused; the carried-over nonce works.
    const replayed = await send(pkg1('2', md5(NONCE)));
    expect(hdrStatus(replayed).data).toBe('401');
    const retryNonce = hdrStatus(replayed).chal!.meta.nextNonce!;
    const r2 = await send(withCred(deviceMessage({ msgID: 2, sessionID: '2', deviceId: DEVICE }, pkg1('2').body.commands), md5(retryNonce)));
    expect(hdrStatus(r2).data).toBe('212');
  });

  it('carries the NextNonce of one session into the next without a challenge', async () => {
    const r1 = await send(pkg1('3', md5(NONCE)));
    await finish('3', r1);
    const r2 = await send(pkg1('4', md5(hdrStatus(r1).chal!.meta.nextNonce!)));
    expect(hdrStatus(r2).data).toBe('212');
  });

  it('challenges a package without Cred (407, Statuses only, nothing stored); the retry with credentials proceeds', async () => {
    const challenged = await send(pkg1('5'));
    expect(hdrStatus(challenged).data).toBe('407');
    expect(challenged.body.commands.every((c) => c.kind === 'Status')).toBe(true);
    expect(challenged.body.commands.map((c) => (c as Status).data)).toEqual(['407', '407', '407', '407']);
    expect((await gw.api('GET', `/api/v1/devices/${DEVICE}`)).status).toBe(404);
    // OMA-DMPRO §9: revert to package 1 and resend Alert + DevInfo with the credentials.
    const nonce = hdrStatus(challenged).chal!.meta.nextNonce!;
    const accepted = await send(withCred(deviceMessage({ msgID: 2, sessionID: '5', deviceId: DEVICE }, pkg1('5').body.commands), md5(nonce)));
    expect(hdrStatus(accepted).data).toBe('212');
    await finish('5', accepted);
    expect((await gw.api('GET', `/api/v1/devices/${DEVICE}`)).status).toBe(200);
  });

  it('refuses a wrong password with 401 and a fresh nonce, and an unprovisioned device the same way', async () => {
    const wrong = await send(pkg1('6', md5(NONCE, credentialHash('dev-user', 'guess'))));
    expect(hdrStatus(wrong).data).toBe('401');
    expect(hdrStatus(wrong).chal?.meta.nextNonce).toBeTruthy();
    // The fresh nonce replaced the old one: the right password over the OLD nonce now fails too (one more challenge).
    expect(hdrStatus(await send(pkg1('6', md5(NONCE)))).data).toBe('401');

    const stranger = withCred(package1({ sessionID: '1', deviceId: 'NOT-PROVISIONED' }), md5(NONCE));
    const refused = await send(stranger);
    expect(hdrStatus(refused).data).toBe('401');
    expect(serverCommands(refused)).toEqual([]);
    expect((await gw.api('GET', '/api/v1/devices/NOT-PROVISIONED')).status).toBe(404);
    expect(gw.logs().some((l) => l.msg === 'device authentication failed; challenged' && l.deviceId === 'NOT-PROVISIONED')).toBe(true);
  });

  it('refuses a foreign message injected into an authenticated session under another SessionID or as MsgID 1', async () => {
    const r1 = await send(pkg1('7', md5(NONCE)));
    expect(hdrStatus(r1).data).toBe('212');
    const injected = await send(deviceMessage({ msgID: 2, sessionID: '8', deviceId: DEVICE }, answerReply(r1, answersFrom({}))));
    expect(hdrStatus(injected).data).toBe('407');
    const restarted = await send(pkg1('7'));
    expect(hdrStatus(restarted).data).toBe('407');
  });

  it('authenticates the server to the device: Cred in the SyncHdr until the device answers 212, re-sent on its challenge', async () => {
    await credentials().putDeviceCredentials(DEVICE, {
      client: { name: 'dev-user', hash: clientHash, nonce: NONCE },
      server: { name: 'omadm-gateway', hash: serverHash, nonce: SERVER_NONCE },
    });
    const r1 = await send(pkg1('9', md5(NONCE)));
    expect(r1.header.cred).toEqual({ meta: { type: 'syncml:auth-md5', format: 'b64' }, data: md5Digest(serverHash, SERVER_NONCE) });
    // The device challenges the server with a new nonce of its own.
    const deviceNonce = randomBytes(16).toString('base64');
    const answers = answerReply(r1, answersFrom({}));
    answers[0] = { ...status('1', r1.header.msgID, '0', 'SyncHdr', '401'), chal: { meta: { type: 'syncml:auth-md5', format: 'b64', nextNonce: deviceNonce } } };
    const r2 = await send(deviceMessage({ msgID: 2, sessionID: '9', deviceId: DEVICE }, answers));
    expect(r2.header.cred?.data).toBe(md5Digest(serverHash, deviceNonce));
    await finish('9', r2);

    // Next session: our Cred over the device's last nonce; it accepts (212) and gives the nonce for next time.
    const next = await send(pkg1('10', md5(hdrStatus(r1).chal!.meta.nextNonce!)));
    expect(next.header.cred?.data).toBe(md5Digest(serverHash, deviceNonce));
    const later = randomBytes(16).toString('base64');
    const accept = answerReply(next, answersFrom({}));
    accept[0] = { ...status('1', next.header.msgID, '0', 'SyncHdr', '212'), chal: { meta: { type: 'syncml:auth-md5', format: 'b64', nextNonce: later } } };
    const r3 = await send(deviceMessage({ msgID: 2, sessionID: '10', deviceId: DEVICE }, accept));
    expect(hdrStatus(r3).data).toBe('200');
    expect(r3.header.cred).toBeUndefined();
    expect(await credentials().getDeviceCredentials(DEVICE)).toMatchObject({ serverNonce: later, serverAuthSessionId: '10' });
  });

  it('accepts a repeated Cred within the session but refuses a wrong one mid-session', async () => {
    const r1 = await send(pkg1('10', md5(NONCE)));
    const again = await send(withCred(deviceMessage({ msgID: 2, sessionID: '10', deviceId: DEVICE }, answerReply(r1, answersFrom({}))), md5(NONCE)));
    expect(hdrStatus(again).data).toBe('200');
    const bad = await send(withCred(deviceMessage({ msgID: 3, sessionID: '10', deviceId: DEVICE }, answerReply(again, answersFrom({}))), md5(NONCE, credentialHash('x', 'y'))));
    expect(hdrStatus(bad).data).toBe('401');
  });

  it('provisions credentials through the operator API: masked answers, validation, removal', async () => {
    const nonce = randomBytes(16).toString('base64');
    const put = await gw.api('PUT', '/api/v1/devices/API-DEVICE/credentials', {
      client: { name: 'api-user', password: 'api-password-123', nonce },
      server: { name: 'gw', password: 'server-password-123' },
    });
    expect(put.status).toBe(201);
    expect(put.body).toEqual({ deviceId: 'API-DEVICE', client: { name: 'api-user' }, server: { name: 'gw' }, authenticatedSessionId: null, failures: 0 });
    expect(JSON.stringify(put.body)).not.toMatch(/password|hash|nonce/i);
    const cred = md5(nonce, credentialHash('api-user', 'api-password-123'));
    const r = await send(withCred(package1({ sessionID: '3', deviceId: 'API-DEVICE' }), cred));
    expect(hdrStatus(r).data).toBe('212');
    expect((await gw.api('GET', '/api/v1/devices/API-DEVICE/credentials')).body).toMatchObject({ authenticatedSessionId: '3', failures: 0 });
    expect((await gw.api('PUT', '/api/v1/devices/API-DEVICE/credentials', { client: { name: 'x' } })).status).toBe(400);
    expect((await gw.api('PUT', '/api/v1/devices/API-DEVICE/credentials', { client: { name: 'x', password: 'short' } })).status).toBe(400);
    expect((await gw.api('PUT', '/api/v1/devices/API-DEVICE/credentials', { client: { name: 'x', password: 'long-enough-1', hash: 'AAAAAAAAAAAAAAAAAAAAAA==' } })).status).toBe(400);
    expect((await gw.api('DELETE', '/api/v1/devices/API-DEVICE/credentials')).status).toBe(204);
    expect((await gw.api('GET', '/api/v1/devices/API-DEVICE/credentials')).status).toBe(404);
    expect((await gw.api('DELETE', '/api/v1/devices/API-DEVICE/credentials')).status).toBe(404);
    expect(hdrStatus(await send(withCred(package1({ sessionID: '4', deviceId: 'API-DEVICE' }), cred))).data).toBe('401');
    expect(JSON.stringify(gw.logs())).not.toContain('api-password-123');
  });

  it('refuses syncml:auth-basic unless DEVICE_AUTH_BASIC=1', async () => {
    const basic: Cred = { meta: { type: 'syncml:auth-basic', format: 'b64' }, data: Buffer.from('dev-user:dev-password-0123456789').toString('base64') };
    expect(hdrStatus(await send(pkg1('11', basic))).data).toBe('401');
  });
});

describeOnBackends('DEVICE_AUTH=md5 with DEVICE_AUTH_BASIC=1', (backend) => {
  let db: TestDatabase;
  let gw: SecureGateway;
  const key = randomBytes(32);
  beforeAll(async () => {
    db = await backend.create();
    gw = await startSecureGateway(db, { env: { DEVICE_AUTH: 'md5', DEVICE_AUTH_BASIC: '1', SECRET_KEY: key.toString('base64') } });
    await createCredentialStore(db.dataSource, { secretKey: key }).putDeviceCredentials(DEVICE, { client: { name: 'dev-user', password: 'pw-basic' } });
  });
  afterAll(async () => {
    await gw.close();
    await db.dispose();
  });

  it('accepts basic credentials with 212 and refuses wrong ones with a basic challenge', async () => {
    const cred = (pw: string): Cred => ({ meta: { type: 'syncml:auth-basic', format: 'b64' }, data: Buffer.from(`dev-user:${pw}`).toString('base64') });
    const ok = parseSyncML((await gw.post(serializeSyncML(pkg1('1', cred('pw-basic'))))).text);
    expect(hdrStatus(ok).data).toBe('212');
    const no = parseSyncML((await gw.post(serializeSyncML(pkg1('2', cred('pw-wrong'))))).text);
    expect(hdrStatus(no)).toMatchObject({ data: '401', chal: { meta: { type: 'syncml:auth-basic' } } });
    // The password travelled in the Cred: the raw exchange kept for operators has it redacted.
    const messages = await gw.api('GET', `/api/v1/devices/${DEVICE}/sessions/1/messages`);
    expect(messages.status).toBe(200);
    expect(JSON.stringify(messages.body)).toContain('SyncHdr');
    expect(JSON.stringify(messages.body)).not.toContain(Buffer.from('dev-user:pw-basic').toString('base64'));
  });
});
