import { EntitySchema } from 'typeorm';
import { text, time } from './column-types.js';

/** Operator's choice of provider for a device, possibly before the device has ever checked in. */
export interface DeviceBindingRow {
  device_id: string;
  provider_id: string;
  created_at: number;
  updated_at: number;
}

export const deviceBindingEntity = () =>
  new EntitySchema<DeviceBindingRow>({
    name: 'DeviceBinding',
    tableName: 'device_bindings',
    columns: {
      device_id: { ...text(), primary: true },
      provider_id: text(),
      created_at: time(),
      updated_at: time(),
    },
  });
