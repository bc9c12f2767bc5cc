import { Table, type MigrationInterface, type QueryRunner, type TableColumnOptions, type TableForeignKeyOptions, type TableIndexOptions } from 'typeorm';

/**
 * The initial schema, written with the QueryRunner Table API so the same migration runs on SQLite and PostgreSQL.
 * Device-supplied strings (DeviceID, SessionID, Alert codes, Status codes, ChannelURI, …) are TEXT: a length limit here
 * would turn an oversized value from a device into a database error instead of a protocol answer.
 * Frozen: change the schema with a new migration, and keep src/store/entities/ in step (the conformance suite checks that
 * TypeORM sees no difference between the entities and the migrated database).
 */
export class InitialSchema1764100000000 implements MigrationInterface {
  readonly name = 'InitialSchema1764100000000';

  async up(runner: QueryRunner): Promise<void> {
    const pg = runner.connection.options.type === 'postgres';
    const c = columns(pg);
    const table = (name: string, cols: TableColumnOptions[], indices: TableIndexOptions[] = [], fks: TableForeignKeyOptions[] = []) =>
      runner.createTable(new Table({ name, columns: cols, indices, foreignKeys: fks }), false, true, true);

    await table('providers', [
      c.text('provider_id', { primary: true }),
      c.text('pfn', { nullable: true }),
      c.varchar('wns_auth', 16),
      c.text('wns_client_id', { nullable: true }),
      c.text('wns_client_secret_enc', { nullable: true }),
      c.text('wns_tenant', { nullable: true }),
      c.text('wns_token_url', { nullable: true }),
      c.text('poll_schedule', { nullable: true }),
      c.text('problem', { nullable: true }),
      c.time('problem_at', true),
      c.time('paused_until', true),
      c.time('created_at'),
      c.time('updated_at'),
    ]);

    await table('device_bindings', [c.text('device_id', { primary: true }), c.text('provider_id'), c.time('created_at'), c.time('updated_at')]);

    await table(
      'devices',
      [
        c.text('device_id', { primary: true }),
        c.text('provider_id'),
        c.text('dev_info'),
        c.varchar('enrollment_state', 16),
        c.text('provisioned_pfn', { nullable: true }),
        c.integer('push_status', { nullable: true }),
        c.time('push_status_at', true),
        c.time('first_seen_at'),
        c.time('last_seen_at'),
        c.text('last_session_id', { nullable: true }),
      ],
      [
        { name: 'idx_devices_provider', columnNames: ['provider_id', 'device_id'] },
        { name: 'idx_devices_last_seen', columnNames: ['last_seen_at'] },
      ],
    );

    await table(
      'sessions',
      [
        c.text('device_id', { primary: true }),
        c.text('session_id', { primary: true }),
        c.text('trigger', { nullable: true }),
        c.text('state'),
        c.integer('version'),
        c.boolean('ended'),
        c.time('started_at'),
        c.time('updated_at'),
      ],
      [{ name: 'idx_sessions_device_started', columnNames: ['device_id', 'started_at'] }],
      [deviceFk('sessions')],
    );

    await table(
      'commands',
      [
        c.varchar('id', 36, false, true),
        c.text('device_id'),
        c.integer('seq'),
        c.text('spec'),
        c.varchar('state', 16),
        c.integer('attempts', { default: 0 }),
        c.text('msg_id', { nullable: true }),
        c.text('cmd_id', { nullable: true }),
        c.text('session_id', { nullable: true }),
        c.text('status', { nullable: true }),
        c.text('outcome', { nullable: true }),
        c.boolean('add_fallback_to_replace'),
        c.time('created_at'),
        c.time('sent_at', true),
        c.time('completed_at', true),
        c.time('expires_at', true),
      ],
      [
        { name: 'uq_commands_device_seq', columnNames: ['device_id', 'seq'], isUnique: true },
        { name: 'idx_commands_device_state_seq', columnNames: ['device_id', 'state', 'seq'] },
        { name: 'idx_commands_state_expires', columnNames: ['state', 'expires_at'] },
        { name: 'idx_commands_state_sent', columnNames: ['state', 'sent_at'] },
      ],
      [deviceFk('commands')],
    );

    await table(
      'channels',
      [
        c.varchar('id', 36, false, true),
        c.text('device_id'),
        c.text('channel_uri'),
        c.time('first_reported_at'),
        c.time('last_reported_at'),
        c.time('expires_at'),
        c.varchar('state', 16),
        c.text('state_reason', { nullable: true }),
        c.time('state_at', true),
      ],
      [
        { name: 'uq_channels_active_device', columnNames: ['device_id'], isUnique: true, where: "state = 'active'" },
        { name: 'idx_channels_device_reported', columnNames: ['device_id', 'last_reported_at'] },
      ],
      [deviceFk('channels')],
    );

    await table(
      'alerts',
      [
        c.serial('id'),
        c.text('device_id'),
        c.text('session_id'),
        c.text('alert'),
        c.text('alert_type', { nullable: true }),
        c.text('format', { nullable: true }),
        c.text('mark', { nullable: true }),
        c.text('source', { nullable: true }),
        c.text('data', { nullable: true }),
        c.time('received_at'),
      ],
      [{ name: 'idx_alerts_device_id', columnNames: ['device_id', 'id'] }],
      [deviceFk('alerts')],
    );

    await table(
      'messages',
      [
        c.serial('id'),
        c.text('device_id'),
        c.text('session_id'),
        c.text('msg_id'),
        c.text('content_type'),
        c.binary('request'),
        c.binary('reply'),
        c.time('at'),
      ],
      [
        { name: 'idx_messages_device_id', columnNames: ['device_id', 'id'] },
        { name: 'idx_messages_device_session', columnNames: ['device_id', 'session_id', 'id'] },
      ],
      [deviceFk('messages')],
    );

    await table(
      'wakes',
      [
        c.varchar('id', 36, false, true),
        c.text('device_id'),
        c.text('provider_id'),
        c.text('channel_uri'),
        c.varchar('state', 16),
        c.time('requested_at'),
        c.integer('ttl_seconds', { nullable: true }),
        c.boolean('cache'),
        c.integer('attempts', { default: 0 }),
        c.time('next_attempt_at'),
        c.text('claimed_by', { nullable: true }),
        c.time('claimed_until', true),
        c.time('sent_at', true),
        c.time('woke_at', true),
        c.integer('latency_ms', { nullable: true }),
        c.text('outcome', { nullable: true }),
        c.text('reason', { nullable: true }),
        c.integer('coalesced', { default: 0 }),
      ],
      [
        { name: 'idx_wakes_state_next', columnNames: ['state', 'next_attempt_at'] },
        { name: 'idx_wakes_device_state', columnNames: ['device_id', 'state'] },
        { name: 'idx_wakes_device_requested', columnNames: ['device_id', 'requested_at'] },
      ],
      [deviceFk('wakes')],
    );

    await table(
      'push_attempts',
      [
        c.serial('id'),
        c.varchar('wake_id', 36, true),
        c.text('device_id'),
        c.time('at'),
        c.integer('http_status', { nullable: true }),
        c.text('outcome'),
        c.text('wns_status', { nullable: true }),
        c.text('device_connection_status', { nullable: true }),
        c.text('msg_id', { nullable: true }),
        c.text('debug_trace', { nullable: true }),
        c.text('error_description', { nullable: true }),
        c.integer('duration_ms'),
      ],
      [
        { name: 'idx_push_attempts_device_id', columnNames: ['device_id', 'id'] },
        { name: 'idx_push_attempts_wake', columnNames: ['wake_id'] },
      ],
      [
        deviceFk('push_attempts'),
        { name: 'fk_push_attempts_wake', columnNames: ['wake_id'], referencedTableName: 'wakes', referencedColumnNames: ['id'], onDelete: 'CASCADE' },
      ],
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const name of ['push_attempts', 'wakes', 'messages', 'alerts', 'channels', 'commands', 'sessions', 'devices', 'device_bindings', 'providers']) {
      await runner.dropTable(name, true);
    }
  }
}

function deviceFk(table: string): TableForeignKeyOptions {
  return { name: `fk_${table}_device`, columnNames: ['device_id'], referencedTableName: 'devices', referencedColumnNames: ['device_id'], onDelete: 'CASCADE' };
}

/** Column builders; the only dialect differences are the binary type and the auto-increment key type. */
function columns(pg: boolean) {
  return {
    text: (name: string, o: { primary?: boolean; nullable?: boolean } = {}): TableColumnOptions => ({
      name,
      type: 'text',
      isPrimary: o.primary ?? false,
      isNullable: o.nullable ?? false,
    }),
    varchar: (name: string, length: number, nullable = false, primary = false): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable: nullable,
      isPrimary: primary,
    }),
    integer: (name: string, o: { nullable?: boolean; default?: number } = {}): TableColumnOptions => ({
      name,
      type: 'integer',
      isNullable: o.nullable ?? false,
      ...(o.default === undefined ? {} : { default: o.default }),
    }),
    boolean: (name: string): TableColumnOptions => ({ name, type: 'boolean', isNullable: false }),
    /** Epoch milliseconds (see ../epoch-ms.ts). */
    time: (name: string, nullable = false): TableColumnOptions => ({ name, type: 'bigint', isNullable: nullable }),
    binary: (name: string): TableColumnOptions => ({ name, type: pg ? 'bytea' : 'blob', isNullable: false }),
    serial: (name: string): TableColumnOptions => ({
      name,
      type: pg ? 'bigint' : 'integer',
      isPrimary: true,
      isGenerated: true,
      generationStrategy: 'increment',
    }),
  };
}
