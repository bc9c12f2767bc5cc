import { EntitySchema } from 'typeorm';
import { integer, json, text, time, varchar } from './column-types.js';

export interface DeviceRow {
  device_id: string;
  provider_id: string;
  dev_info: string;
  enrollment_state: string;
  provisioned_pfn: string | null;
  /** Added by DevicePollHash1764300000000. */
  provisioned_poll_hash: string | null;
  push_status: number | null;
  push_status_at: number | null;
  first_seen_at: number;
  last_seen_at: number;
  last_session_id: string | null;
}

export const deviceEntity = () =>
  new EntitySchema<DeviceRow>({
    name: 'Device',
    tableName: 'devices',
    columns: {
      device_id: { ...text(), primary: true },
      provider_id: text(),
      dev_info: json(),
      enrollment_state: varchar(16),
      provisioned_pfn: text(true),
      provisioned_poll_hash: text(true),
      push_status: integer(true),
      push_status_at: time(true),
      first_seen_at: time(),
      last_seen_at: time(),
      last_session_id: text(true),
    },
    indices: [
      { name: 'idx_devices_provider', columns: ['provider_id', 'device_id'] },
      { name: 'idx_devices_last_seen', columns: ['last_seen_at'] },
    ],
  });
