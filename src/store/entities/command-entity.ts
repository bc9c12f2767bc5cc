import { EntitySchema } from 'typeorm';
import { boolean, integer, json, text, time, uuidKey, varchar } from './column-types.js';
import { deviceForeignKey } from './device-fk.js';

export interface CommandRow {
  id: string;
  device_id: string;
  /** Position in the device's queue (1, 2, … per device; unique with device_id). */
  seq: number;
  spec: string;
  state: string;
  attempts: number;
  msg_id: string | null;
  cmd_id: string | null;
  session_id: string | null;
  status: string | null;
  outcome: string | null;
  add_fallback_to_replace: boolean | number;
  created_at: number;
  sent_at: number | null;
  completed_at: number | null;
  expires_at: number | null;
}

export const commandEntity = () =>
  new EntitySchema<CommandRow>({
    name: 'Command',
    tableName: 'commands',
    columns: {
      id: uuidKey(),
      device_id: text(),
      seq: integer(),
      spec: json(),
      state: varchar(16),
      attempts: integer(false, 0),
      msg_id: text(true),
      cmd_id: text(true),
      session_id: text(true),
      status: text(true),
      outcome: json(true),
      add_fallback_to_replace: boolean(),
      created_at: time(),
      sent_at: time(true),
      completed_at: time(true),
      expires_at: time(true),
    },
    indices: [
      { name: 'uq_commands_device_seq', columns: ['device_id', 'seq'], unique: true },
      { name: 'idx_commands_device_state_seq', columns: ['device_id', 'state', 'seq'] },
      { name: 'idx_commands_state_expires', columns: ['state', 'expires_at'] },
      { name: 'idx_commands_state_sent', columns: ['state', 'sent_at'] },
    ],
    foreignKeys: [deviceForeignKey('commands')],
  });
