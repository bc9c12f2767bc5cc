import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { credentialHash } from '../../src/auth/md5-digest.js';
import { createCredentialStore, InvalidCredentialInputError } from '../../src/store/credential-repository.js';
import { describeOnBackends, type TestDatabase } from '../support/databases.js';

describeOnBackends('device credential store', (backend) => {
  let db: TestDatabase;
  const secretKey = randomBytes(32);
  beforeAll(async () => {
    db = await backend.create();
  });
  afterAll(() => db.dispose());
  beforeEach(() => db.reset());
  const store = () => createCredentialStore(db.dataSource, { secretKey, clock: () => new Date('2025-01-01T00:00:00Z') });

  it('stores hashes (never passwords) sealed, and reads them back', async () => {
    const s = store();
    const put = await s.putDeviceCredentials('DEV-1', { client: { name: 'u', password: 'p', nonce: 'AAECAw==' }, server: { name: 'gw', password: 'sp' } });
    const got = await s.getDeviceCredentials('DEV-1');
    expect(put).toEqual({ created: true, credentials: got });
    expect(got).toMatchObject({ clientName: 'u', clientHash: credentialHash('u', 'p'), clientNonce: 'AAECAw==', serverName: 'gw', serverHash: credentialHash('gw', 'sp'), serverNonce: null, failures: 0 });
    const rows = (await db.dataSource.query('SELECT * FROM device_credentials')) as Record<string, unknown>[];
    const text = JSON.stringify(rows);
    expect(text).not.toContain(credentialHash('u', 'p'));
    expect(text).not.toContain('"p"');
    expect(String(rows[0]?.client_hash_enc)).toMatch(/^v1\./);
  });

  it('refuses a sealed hash moved to another device (associated data)', async () => {
    const s = store();
    await s.putDeviceCredentials('DEV-1', { client: { name: 'u', password: 'p' } });
    await s.putDeviceCredentials('DEV-2', { client: { name: 'v', password: 'q' } });
    const [row] = (await db.dataSource.query(`SELECT client_hash_enc FROM device_credentials WHERE device_id = 'DEV-1'`)) as { client_hash_enc: string }[];
    await db.dataSource.query(db.dialect === 'postgres' ? 'UPDATE device_credentials SET client_hash_enc = $1 WHERE device_id = $2' : 'UPDATE device_credentials SET client_hash_enc = ? WHERE device_id = ?', [row!.client_hash_enc, 'DEV-2']);
    await expect(s.getDeviceCredentials('DEV-2')).rejects.toThrow(/does not open/);
  });

  it('moves the auth state and resets it when new secrets are provisioned', async () => {
    const s = store();
    await s.putDeviceCredentials('DEV-1', { client: { name: 'u', hash: credentialHash('u', 'p') } });
    await s.updateAuthState('DEV-1', { clientNonce: 'bmV4dA==', sessionNonce: 'Zmlyc3Q=', authSessionId: '12', serverNonce: 'ZA==', serverAuthSessionId: '12', failures: 2 });
    expect(await s.getDeviceCredentials('DEV-1')).toMatchObject({ clientNonce: 'bmV4dA==', sessionNonce: 'Zmlyc3Q=', authSessionId: '12', serverNonce: 'ZA==', serverAuthSessionId: '12', failures: 2 });
    const replaced = await s.putDeviceCredentials('DEV-1', { client: { name: 'u', password: 'p2' } });
    const after = await s.getDeviceCredentials('DEV-1');
    expect(replaced).toEqual({ created: false, credentials: after });
    expect(after).toMatchObject({ sessionNonce: null, authSessionId: null, serverAuthSessionId: null, failures: 0, clientHash: credentialHash('u', 'p2') });
    expect(Buffer.from(after!.clientNonce, 'base64')).toHaveLength(16);
    expect(await s.deleteDeviceCredentials('DEV-1')).toBe(true);
    expect(await s.getDeviceCredentials('DEV-1')).toBeNull();
    expect(await s.deleteDeviceCredentials('DEV-1')).toBe(false);
  });

  it('validates what it is given', async () => {
    const s = store();
    await expect(s.putDeviceCredentials('DEV-1', { client: { name: '', password: 'p' } })).rejects.toBeInstanceOf(InvalidCredentialInputError);
    await expect(s.putDeviceCredentials('DEV-1', { client: { name: 'u' } })).rejects.toBeInstanceOf(InvalidCredentialInputError);
    await expect(s.putDeviceCredentials('DEV-1', { client: { name: 'u', hash: 'short' } })).rejects.toBeInstanceOf(InvalidCredentialInputError);
    await expect(s.putDeviceCredentials('DEV-1', { client: { name: 'u', password: 'p', nonce: '***' } })).rejects.toBeInstanceOf(InvalidCredentialInputError);
    expect(await s.getDeviceCredentials('DEV-1')).toBeNull();
  });

  it('keeps hostile device ids as plain data', async () => {
    const s = store();
    const id = `x'); DROP TABLE device_credentials; --`;
    await s.putDeviceCredentials(id, { client: { name: 'u', password: 'p' } });
    expect((await s.getDeviceCredentials(id))?.deviceId).toBe(id);
  });
});
