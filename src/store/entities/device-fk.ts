import type { EntitySchemaOptions } from 'typeorm';

type EntitySchemaForeignKeyOptions = NonNullable<EntitySchemaOptions<unknown>['foreignKeys']>[number];

/** Every per-device table references devices(device_id); rows go when the device goes. */
export function deviceForeignKey(table: string): EntitySchemaForeignKeyOptions {
  return {
    name: `fk_${table}_device`,
    target: 'Device',
    columnNames: ['device_id'],
    referencedColumnNames: ['device_id'],
    onDelete: 'CASCADE',
  };
}
