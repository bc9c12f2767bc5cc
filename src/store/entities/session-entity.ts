import { EntitySchema } from 'typeorm';
import { boolean, integer, json, text, time } from './column-types.js';
import { deviceForeignKey } from './device-fk.js';

export interface SessionRow {
  device_id: string;
  session_id: string;
  trigger: string | null;
  /** The engine's SessionState.data, JSON. */
  state: string;
  version: number;
  ended: boolean | number;
  started_at: number;
  updated_at: number;
}

export const sessionEntity = () =>
  new EntitySchema<SessionRow>({
    name: 'Session',
    tableName: 'sessions',
    columns: {
      device_id: { ...text(), primary: true },
      session_id: { ...text(), primary: true },
      trigger: text(true),
      state: json(),
      version: integer(),
      ended: boolean(),
      started_at: time(),
      updated_at: time(),
    },
    indices: [{ name: 'idx_sessions_device_started', columns: ['device_id', 'started_at'] }],
    foreignKeys: [deviceForeignKey('sessions')],
  });
