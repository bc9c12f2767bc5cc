import { EntitySchema } from 'typeorm';
import { integer, text, time } from './column-types.js';

/** Mirrors migrations/device-credentials.ts (see src/auth/credential-ports.ts for the meaning of each column). */
export interface DeviceCredentialRow {
  device_id: string;
  client_name: string;
  client_hash_enc: string;
  client_nonce: string;
  session_nonce: string | null;
  auth_session_id: string | null;
  server_name: string | null;
  server_hash_enc: string | null;
  server_nonce: string | null;
  server_auth_session_id: string | null;
  failures: number;
  created_at: number;
  updated_at: number;
}

export const deviceCredentialEntity = () =>
  new EntitySchema<DeviceCredentialRow>({
    name: 'DeviceCredential',
    tableName: 'device_credentials',
    columns: {
      device_id: { ...text(), primary: true },
      client_name: text(),
      client_hash_enc: text(),
      client_nonce: text(),
      session_nonce: text(true),
      auth_session_id: text(true),
      server_name: text(true),
      server_hash_enc: text(true),
      server_nonce: text(true),
      server_auth_session_id: text(true),
      failures: integer(false, 0),
      created_at: time(),
      updated_at: time(),
    },
  });
