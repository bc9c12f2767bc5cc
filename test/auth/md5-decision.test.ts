import { describe, expect, it } from 'vitest';
import { authFailureReply, MAX_REFUSAL_STATUSES } from '../../src/auth/auth-failure-reply.js';
import type { DeviceCredentials } from '../../src/auth/credential-ports.js';
import { decideMd5Auth } from '../../src/auth/md5-decision.js';
import { credentialHash, md5Digest } from '../../src/auth/md5-digest.js';
import { readServerAuth, serverAuthChange, serverCred } from '../../src/auth/server-credentials.js';
import { parseSyncML, serializeSyncML, type Cred, type SyncML } from '../../src/syncml/index.js';
import { alert, deviceMessage, package1, status } from '../support/syncml-builders.js';

const NONCE = Buffer.from('first-nonce-0123').toString('base64');
const NEXT = Buffer.from('next-nonce-45678').toString('base64');
const hash = credentialHash('dev-user', 'dev-password');

function stored(over: Partial<DeviceCredentials> = {}): DeviceCredentials {
  return {
    deviceId: 'DEV-1',
    clientName: 'dev-user',
    clientHash: hash,
    clientNonce: NONCE,
    sessionNonce: null,
    authSessionId: null,
    serverName: null,
    serverHash: null,
    serverNonce: null,
    serverAuthSessionId: null,
    failures: 0,
    ...over,
  };
}

const md5Cred = (nonce: string, h = hash): Cred => ({ meta: { type: 'syncml:auth-md5', format: 'b64' }, data: md5Digest(h, nonce) });
const withCred = (m: SyncML, cred?: Cred): SyncML => ({ ...m, header: { ...m.header, ...(cred ? { cred } : {}) } });
const pkg1 = (cred?: Cred, sessionID = '7') => withCred(package1({ sessionID, deviceId: 'DEV-1' }), cred);
const later = (msgID: number, cred?: Cred, sessionID = '7') => withCred(deviceMessage({ msgID, sessionID, deviceId: 'DEV-1' }, [status('1', '1', '0', 'SyncHdr', '200')]), cred);
const opts = { allowBasic: false };
const fresh = () => NEXT;

describe('md5 authentication decision', () => {
  it('accepts the digest over the current nonce with 212 and a next nonce, binding the session', () => {
    const d = decideMd5Auth(pkg1(md5Cred(NONCE)), stored(), opts, fresh);
    expect(d).toMatchObject({ kind: 'proceed', accepted: true, nextNonce: NEXT });
    expect(d.change).toEqual({ clientNonce: NEXT, sessionNonce: NONCE, authSessionId: '7', failures: 0 });
  });

  it('challenges a missing Cred with 407, a wrong one with 401, each with a fresh md5 Chal that is stored', () => {
    const missing = decideMd5Auth(pkg1(), stored(), opts, fresh);
    expect(missing).toMatchObject({ kind: 'challenge', code: '407', chal: { meta: { type: 'syncml:auth-md5', format: 'b64', nextNonce: NEXT } } });
    expect(missing.change).toEqual({ clientNonce: NEXT, failures: 1 });
    const wrong = decideMd5Auth(pkg1(md5Cred(NONCE, credentialHash('dev-user', 'guess'))), stored({ failures: 3 }), opts, fresh);
    expect(wrong).toMatchObject({ kind: 'challenge', code: '401' });
    expect(wrong.change).toEqual({ clientNonce: NEXT, failures: 4 });
  });

  it('refuses a stale nonce (replay of an earlier session\'s Cred)', () => {
    const d = decideMd5Auth(pkg1(md5Cred(NONCE)), stored({ clientNonce: NEXT, sessionNonce: NONCE, authSessionId: '7' }), opts, () => 'x');
    expect(d).toMatchObject({ kind: 'challenge', code: '401' });
  });

  it('lets later messages of the authenticated session through without Cred, or with the session nonce', () => {
    const s = stored({ clientNonce: NEXT, sessionNonce: NONCE, authSessionId: '7' });
    expect(decideMd5Auth(later(2), s, opts, fresh)).toMatchObject({ kind: 'proceed', accepted: false, change: null });
    expect(decideMd5Auth(later(3, md5Cred(NONCE)), s, opts, fresh)).toMatchObject({ kind: 'proceed', accepted: false });
    expect(decideMd5Auth(later(3, md5Cred(Buffer.from('other').toString('base64'))), s, opts, fresh)).toMatchObject({ kind: 'challenge', code: '401' });
  });

  it('needs fresh authentication for MsgID 1 even under a SessionID seen before, and for another session', () => {
    const s = stored({ clientNonce: NEXT, sessionNonce: NONCE, authSessionId: '7' });
    expect(decideMd5Auth(pkg1(undefined, '7'), s, opts, fresh)).toMatchObject({ kind: 'challenge', code: '407' });
    expect(decideMd5Auth(later(2, undefined, '8'), s, opts, fresh)).toMatchObject({ kind: 'challenge', code: '407' });
  });

  it('answers a device without credentials like a wrong credential and stores nothing', () => {
    expect(decideMd5Auth(pkg1(md5Cred(NONCE)), null, opts, fresh)).toMatchObject({ kind: 'challenge', code: '401', change: null });
    expect(decideMd5Auth(pkg1(), null, opts, fresh)).toMatchObject({ kind: 'challenge', code: '407', change: null });
  });

  it('accepts syncml:auth-basic only when enabled', () => {
    const basic: Cred = { meta: { type: 'syncml:auth-basic', format: 'b64' }, data: Buffer.from('dev-user:dev-password').toString('base64') };
    expect(decideMd5Auth(pkg1(basic), stored(), { allowBasic: false }, fresh)).toMatchObject({ kind: 'challenge', code: '401', chal: { meta: { type: 'syncml:auth-md5' } } });
    expect(decideMd5Auth(pkg1(basic), stored(), { allowBasic: true }, fresh)).toMatchObject({ kind: 'proceed', accepted: true, nextNonce: null });
    const wrong: Cred = { data: Buffer.from('dev-user:nope').toString('base64') };
    expect(decideMd5Auth(pkg1(wrong), stored(), { allowBasic: true }, fresh)).toMatchObject({ kind: 'challenge', code: '401', chal: { meta: { type: 'syncml:auth-basic' } } });
  });

  it('refuses unsupported credential types with an md5 challenge', () => {
    const mac: Cred = { meta: { type: 'syncml:auth-MAC', format: 'b64' }, data: 'AAAA' };
    expect(decideMd5Auth(pkg1(mac), stored(), opts, fresh)).toMatchObject({ kind: 'challenge', code: '401' });
  });
});

describe('auth-failure reply (OMA-DMPRO §9)', () => {
  it('holds only Statuses: the SyncHdr one with the Chal, then one per command (container children too)', () => {
    const message = deviceMessage({ msgID: 1, sessionID: '9', deviceId: 'DEV-1' }, [
      alert('1', '1201'),
      { kind: 'Atomic', cmdID: '2', commands: [{ kind: 'Replace', cmdID: '3', items: [] }] },
      status('4', '1', '0', 'SyncHdr', '200'),
      { kind: 'Unknown', name: 'Bogus' },
    ]);
    const reply = authFailureReply(message, '407', { meta: { type: 'syncml:auth-md5', format: 'b64', nextNonce: NEXT } }, 'https://gw.test/dm');
    const again = parseSyncML(serializeSyncML(reply));
    expect(again.body.commands.every((c) => c.kind === 'Status')).toBe(true);
    expect(again.body.commands.map((c) => (c.kind === 'Status' ? [c.cmdRef, c.cmd, c.data] : []))).toEqual([
      ['0', 'SyncHdr', '407'],
      ['1', 'Alert', '407'],
      ['2', 'Atomic', '407'],
      ['3', 'Replace', '407'],
    ]);
    const first = again.body.commands[0];
    expect(first?.kind === 'Status' && first.chal?.meta.nextNonce).toBe(NEXT);
    expect(again.header).toMatchObject({ sessionID: '9', msgID: '1', target: { locURI: 'DEV-1' }, source: { locURI: 'https://gw.test/dm' } });
    expect(again.body.final).toBe(true);
  });

  it('is bounded for a message with very many commands', () => {
    const commands = Array.from({ length: 5000 }, (_, i) => alert(String(i + 1), '1201'));
    const reply = authFailureReply(deviceMessage({ msgID: 1, deviceId: 'DEV-1' }, commands), '401', { meta: { type: 'syncml:auth-md5' } }, 'x:y');
    expect(reply.body.commands.length).toBe(MAX_REFUSAL_STATUSES + 1);
  });
});

describe('server credentials towards the device', () => {
  const serverHash = credentialHash('gateway', 'server-secret');
  const deviceNonce = Buffer.from('device-nonce').toString('base64');
  const s = stored({ serverName: 'gateway', serverHash, serverNonce: deviceNonce });
  const challengeUs = (code: string, nonce?: string) =>
    deviceMessage({ msgID: 2, sessionID: '7', deviceId: 'DEV-1' }, [
      { ...status('1', '1', '0', 'SyncHdr', code), ...(nonce ? { chal: { meta: { type: 'syncml:auth-md5', format: 'b64', nextNonce: nonce } } } : {}) },
    ]);

  it('answers the device\'s challenge with a Cred over the nonce it just gave', () => {
    const fresh = Buffer.from('fresh-device-nonce').toString('base64');
    const view = readServerAuth(challengeUs('401', fresh));
    expect(view).toMatchObject({ challenged: true, nextNonce: fresh });
    expect(serverCred(s, view, '7')).toEqual({ meta: { type: 'syncml:auth-md5', format: 'b64' }, data: md5Digest(serverHash, fresh) });
    expect(serverAuthChange(view, '7')).toEqual({ serverNonce: fresh });
  });

  it('sends the Cred proactively until the device accepts it with 212, then keeps its next nonce', () => {
    expect(serverCred(s, readServerAuth(pkg1()), '7')?.data).toBe(md5Digest(serverHash, deviceNonce));
    const accepted = readServerAuth(challengeUs('212', NEXT));
    expect(serverCred(s, accepted, '7')).toBeNull();
    expect(serverAuthChange(accepted, '7')).toEqual({ serverNonce: NEXT, serverAuthSessionId: '7' });
    expect(serverCred({ ...s, serverAuthSessionId: '7' }, readServerAuth(later(3)), '7')).toBeNull();
  });

  it('has nothing to send without provisioned server credentials or a nonce', () => {
    expect(serverCred(stored(), readServerAuth(challengeUs('407', NEXT)), '7')).toBeNull();
    expect(serverCred({ ...s, serverNonce: null }, readServerAuth(pkg1()), '7')).toBeNull();
  });

  it('notices a challenge of a type it cannot answer', () => {
    const m = deviceMessage({ msgID: 2, deviceId: 'DEV-1' }, [{ ...status('1', '1', '0', 'SyncHdr', '401'), chal: { meta: { type: 'syncml:auth-basic' } } }]);
    expect(readServerAuth(m).unsupportedType).toBe('syncml:auth-basic');
  });
});
