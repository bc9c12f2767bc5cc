import { EntitySchema } from 'typeorm';
import type { Dialect } from '../dialect.js';
import { serialKey, text, time } from './column-types.js';
import { deviceForeignKey } from './device-fk.js';

export interface AlertRow {
  id: number;
  device_id: string;
  session_id: string;
  alert: string;
  alert_type: string | null;
  format: string | null;
  mark: string | null;
  source: string | null;
  data: string | null;
  received_at: number;
}

export const alertEntity = (dialect: Dialect) =>
  new EntitySchema<AlertRow>({
    name: 'Alert',
    tableName: 'alerts',
    columns: {
      id: serialKey(dialect),
      device_id: text(),
      session_id: text(),
      alert: text(),
      alert_type: text(true),
      format: text(true),
      mark: text(true),
      source: text(true),
      data: text(true),
      received_at: time(),
    },
    indices: [{ name: 'idx_alerts_device_id', columns: ['device_id', 'id'] }],
    foreignKeys: [deviceForeignKey('alerts')],
  });
