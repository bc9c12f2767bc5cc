import { EntitySchema } from 'typeorm';
import type { Dialect } from '../dialect.js';
import { binary, serialKey, text, time } from './column-types.js';
import { deviceForeignKey } from './device-fk.js';

/** The raw bytes of one exchange (device message and our reply), newest N kept per device. */
export interface MessageRow {
  id: number;
  device_id: string;
  session_id: string;
  msg_id: string;
  content_type: string;
  request: Buffer;
  reply: Buffer;
  at: number;
}

export const messageEntity = (dialect: Dialect) =>
  new EntitySchema<MessageRow>({
    name: 'Message',
    tableName: 'messages',
    columns: {
      id: serialKey(dialect),
      device_id: text(),
      session_id: text(),
      msg_id: text(),
      content_type: text(),
      request: binary(dialect),
      reply: binary(dialect),
      at: time(),
    },
    indices: [
      { name: 'idx_messages_device_id', columns: ['device_id', 'id'] },
      { name: 'idx_messages_device_session', columns: ['device_id', 'session_id', 'id'] },
    ],
    foreignKeys: [deviceForeignKey('messages')],
  });
