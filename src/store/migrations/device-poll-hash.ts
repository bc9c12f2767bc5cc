import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * devices.provisioned_poll_hash: the DMClient Poll schedule a device confirmed (csp/poll-schedule-hash.ts), so a session
 * sends the Poll nodes only when the provider's schedule differs. Additive: one nullable column, existing devices start
 * with NULL (nothing confirmed), so each gets its provider's schedule, if any, at its next session. Keep
 * src/store/entities/device-entity.ts in step.
 */
export class DevicePollHash1764300000000 implements MigrationInterface {
  readonly name = 'DevicePollHash1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.addColumn('devices', new TableColumn({ name: 'provisioned_poll_hash', type: 'text', isNullable: true }));
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropColumn('devices', 'provisioned_poll_hash');
  }
}
