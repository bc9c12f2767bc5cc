import { Table, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';

/**
 * device_credentials (DEVICE_AUTH=md5, src/auth/): per-device OMA-DM application-layer credentials and the state of the
 * nonce exchange. Additive: a new table, nothing else changes. Secrets are B64(MD5(name:password)) hashes sealed with
 * the secret box (AES-256-GCM), never passwords. No foreign key to devices: credentials are provisioned before the
 * device's first session. Keep src/store/entities/device-credential-entity.ts in step.
 */
export class DeviceCredentials1764200000000 implements MigrationInterface {
  readonly name = 'DeviceCredentials1764200000000';

  async up(runner: QueryRunner): Promise<void> {
    const text = (name: string, nullable = false, primary = false): TableColumnOptions => ({ name, type: 'text', isNullable: nullable, isPrimary: primary });
    const time = (name: string): TableColumnOptions => ({ name, type: 'bigint', isNullable: false });
    await runner.createTable(
      new Table({
        name: 'device_credentials',
        columns: [
          text('device_id', false, true),
          text('client_name'),
          text('client_hash_enc'),
          text('client_nonce'),
          text('session_nonce', true),
          text('auth_session_id', true),
          text('server_name', true),
          text('server_hash_enc', true),
          text('server_nonce', true),
          text('server_auth_session_id', true),
          { name: 'failures', type: 'integer', isNullable: false, default: 0 },
          time('created_at'),
          time('updated_at'),
        ],
      }),
      false,
      true,
      true,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('device_credentials', true);
  }
}
