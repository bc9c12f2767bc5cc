import { EntitySchema } from 'typeorm';
import { text, time, uuidKey, varchar } from './column-types.js';
import { deviceForeignKey } from './device-fk.js';

/** ChannelURI history: at most one 'active' row per device (partial unique index). */
export interface ChannelRow {
  id: string;
  device_id: string;
  channel_uri: string;
  first_reported_at: number;
  last_reported_at: number;
  expires_at: number;
  state: string;
  state_reason: string | null;
  state_at: number | null;
}

export const channelEntity = () =>
  new EntitySchema<ChannelRow>({
    name: 'Channel',
    tableName: 'channels',
    columns: {
      id: uuidKey(),
      device_id: text(),
      channel_uri: text(),
      first_reported_at: time(),
      last_reported_at: time(),
      expires_at: time(),
      state: varchar(16),
      state_reason: text(true),
      state_at: time(true),
    },
    indices: [
      { name: 'uq_channels_active_device', columns: ['device_id'], unique: true, where: "state = 'active'" },
      { name: 'idx_channels_device_reported', columns: ['device_id', 'last_reported_at'] },
    ],
    foreignKeys: [deviceForeignKey('channels')],
  });
