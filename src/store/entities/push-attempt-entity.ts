import { EntitySchema } from 'typeorm';
import type { Dialect } from '../dialect.js';
import { integer, serialKey, text, time, varchar } from './column-types.js';
import { deviceForeignKey } from './device-fk.js';

/** One HTTP request to WNS for a wake, with what WNS answered. */
export interface PushAttemptRow {
  id: number;
  wake_id: string | null;
  device_id: string;
  at: number;
  http_status: number | null;
  outcome: string;
  wns_status: string | null;
  device_connection_status: string | null;
  msg_id: string | null;
  debug_trace: string | null;
  error_description: string | null;
  duration_ms: number;
}

export const pushAttemptEntity = (dialect: Dialect) =>
  new EntitySchema<PushAttemptRow>({
    name: 'PushAttempt',
    tableName: 'push_attempts',
    columns: {
      id: serialKey(dialect),
      wake_id: varchar(36, true),
      device_id: text(),
      at: time(),
      http_status: integer(true),
      outcome: text(),
      wns_status: text(true),
      device_connection_status: text(true),
      msg_id: text(true),
      debug_trace: text(true),
      error_description: text(true),
      duration_ms: integer(),
    },
    indices: [
      { name: 'idx_push_attempts_device_id', columns: ['device_id', 'id'] },
      { name: 'idx_push_attempts_wake', columns: ['wake_id'] },
    ],
    foreignKeys: [
      deviceForeignKey('push_attempts'),
      { name: 'fk_push_attempts_wake', target: 'Wake', columnNames: ['wake_id'], referencedColumnNames: ['id'], onDelete: 'CASCADE' },
    ],
  });
