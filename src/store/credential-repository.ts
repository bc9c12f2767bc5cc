/**
 * device_credentials: the DeviceCredentialStore of src/auth/credential-ports.ts. Hashes are sealed with the secret box
 * (associated data binds each sealed value to its device and role, so a value cannot be moved to another row).
 * Plain SQL through the shared Sql layer (sql-client.ts), like the other repositories.
 */
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { AuthStateChange, DeviceCredentialInput, DeviceCredentials, DeviceCredentialStore } from '../auth/credential-ports.js';
import { credentialHash } from '../auth/md5-digest.js';
import type { DeviceCredentialRow } from './entities/device-credential-entity.js';
import { StoreError } from './errors.js';
import { createSecretBox, type SecretBox } from './secret-box.js';
import { createSqlClient, type Sql } from './sql-client.js';
import { toNumber } from './sql-values.js';

export class InvalidCredentialInputError extends StoreError {}

const COLUMNS: Record<keyof AuthStateChange, string> = {
  clientNonce: 'client_nonce',
  sessionNonce: 'session_nonce',
  authSessionId: 'auth_session_id',
  serverNonce: 'server_nonce',
  serverAuthSessionId: 'server_auth_session_id',
  failures: 'failures',
};

const B64 = /^[A-Za-z0-9+/]+={0,2}$/;

export function createCredentialStore(ds: DataSource, options: { secretKey: Buffer; clock?: () => Date }): DeviceCredentialStore {
  const client = createSqlClient(ds);
  const box = createSecretBox(options.secretKey);
  const now = () => (options.clock ?? (() => new Date()))().getTime();
  const get = (deviceId: string) => client.read((sql) => readCredentials(sql, box, deviceId));
  return {
    getDeviceCredentials: get,
    updateAuthState: (deviceId, change) => client.transaction((sql) => updateAuthState(sql, deviceId, change, now())),
    putDeviceCredentials: (deviceId, input) => client.transaction((sql) => putCredentials(sql, box, deviceId, input, now())),
    deleteDeviceCredentials: (deviceId) => client.transaction(async (sql) => (await sql.run('DELETE FROM device_credentials WHERE device_id = ?', [deviceId])) > 0),
  };
}

async function readCredentials(sql: Sql, box: SecretBox, deviceId: string): Promise<DeviceCredentials | null> {
  const row = await sql.one<DeviceCredentialRow>('SELECT * FROM device_credentials WHERE device_id = ?', [deviceId]);
  if (!row) return null;
  return {
    deviceId: row.device_id,
    clientName: row.client_name,
    clientHash: box.open(row.client_hash_enc, aad(deviceId, 'client')),
    clientNonce: row.client_nonce,
    sessionNonce: row.session_nonce,
    authSessionId: row.auth_session_id,
    serverName: row.server_name,
    serverHash: row.server_hash_enc === null ? null : box.open(row.server_hash_enc, aad(deviceId, 'server')),
    serverNonce: row.server_nonce,
    serverAuthSessionId: row.server_auth_session_id,
    failures: toNumber(row.failures),
  };
}

async function updateAuthState(sql: Sql, deviceId: string, change: AuthStateChange, at: number): Promise<void> {
  const entries = (Object.keys(COLUMNS) as (keyof AuthStateChange)[]).filter((k) => change[k] !== undefined);
  if (entries.length === 0) return;
  const sets = entries.map((k) => `${COLUMNS[k]} = ?`).join(', ');
  await sql.run(`UPDATE device_credentials SET ${sets}, updated_at = CAST(? AS bigint) WHERE device_id = ?`, [...entries.map((k) => change[k]), at, deviceId]);
}

async function putCredentials(
  sql: Sql,
  box: SecretBox,
  deviceId: string,
  input: DeviceCredentialInput,
  at: number,
): Promise<{ created: boolean; credentials: DeviceCredentials }> {
  const clientHash = hashOf(input.client, 'client');
  const clientNonce = nonceOf(input.client.nonce, 'client') ?? randomBytes(16).toString('base64');
  const server = input.server ?? null;
  const serverHash = server ? hashOf(server, 'server') : null;
  const serverNonce = server ? nonceOf(server.nonce, 'server') : null;
  const existed = (await sql.one('SELECT device_id FROM device_credentials WHERE device_id = ?', [deviceId])) !== undefined;
  const values = [
    input.client.name,
    box.seal(clientHash, aad(deviceId, 'client')),
    clientNonce,
    server?.name ?? null,
    serverHash === null ? null : box.seal(serverHash, aad(deviceId, 'server')),
    serverNonce,
  ];
  if (existed) {
    // New secrets start a new exchange: the session binding and counters are reset.
    await sql.run(
      `UPDATE device_credentials SET client_name = ?, client_hash_enc = ?, client_nonce = ?, server_name = ?, server_hash_enc = ?, server_nonce = ?,
         session_nonce = NULL, auth_session_id = NULL, server_auth_session_id = NULL, failures = 0, updated_at = CAST(? AS bigint) WHERE device_id = ?`,
      [...values, at, deviceId],
    );
  } else {
    await sql.run(
      `INSERT INTO device_credentials (device_id, client_name, client_hash_enc, client_nonce, server_name, server_hash_enc, server_nonce,
         session_nonce, auth_session_id, server_auth_session_id, failures, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, 0, CAST(? AS bigint), CAST(? AS bigint))`,
      [deviceId, ...values, at, at],
    );
  }
  // Read back in the same transaction: the API answers with the stored (masked) credentials without a second round trip.
  const credentials = await readCredentials(sql, box, deviceId);
  if (!credentials) throw new StoreError(`device credentials of ${deviceId} vanished after they were written`);
  return { created: !existed, credentials };
}

function hashOf(part: { name: string; password?: string; hash?: string }, role: string): string {
  if (part.name === '' || /[\u0000-\u001f\u007f]/.test(part.name)) throw new InvalidCredentialInputError(`${role} name must be non-empty printable text`);
  if (part.password !== undefined && part.hash === undefined) return credentialHash(part.name, part.password);
  if (part.hash !== undefined && part.password === undefined && B64.test(part.hash) && Buffer.from(part.hash, 'base64').length === 16) return part.hash;
  throw new InvalidCredentialInputError(`${role} needs either a password or the b64 MD5 hash of name:password`);
}

function nonceOf(nonce: string | undefined, role: string): string | null {
  if (nonce === undefined) return null;
  if (!B64.test(nonce) || Buffer.from(nonce, 'base64').length === 0) throw new InvalidCredentialInputError(`${role} nonce must be base64`);
  return nonce;
}

function aad(deviceId: string, role: 'client' | 'server'): string {
  return `device_credentials:${role}:${deviceId}`;
}
