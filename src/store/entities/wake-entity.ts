import { EntitySchema } from 'typeorm';
import { boolean, integer, text, time, uuidKey, varchar } from './column-types.js';
import { deviceForeignKey } from './device-fk.js';

/** A request to wake a device through WNS, stored before it is sent (issue 4). */
export interface WakeRow {
  id: string;
  device_id: string;
  provider_id: string;
  channel_uri: string;
  state: string;
  requested_at: number;
  ttl_seconds: number | null;
  cache: boolean | number;
  attempts: number;
  next_attempt_at: number;
  claimed_by: string | null;
  claimed_until: number | null;
  sent_at: number | null;
  woke_at: number | null;
  latency_ms: number | null;
  outcome: string | null;
  reason: string | null;
  coalesced: number;
}

export const wakeEntity = () =>
  new EntitySchema<WakeRow>({
    name: 'Wake',
    tableName: 'wakes',
    columns: {
      id: uuidKey(),
      device_id: text(),
      provider_id: text(),
      channel_uri: text(),
      state: varchar(16),
      requested_at: time(),
      ttl_seconds: integer(true),
      cache: boolean(),
      attempts: integer(false, 0),
      next_attempt_at: time(),
      claimed_by: text(true),
      claimed_until: time(true),
      sent_at: time(true),
      woke_at: time(true),
      latency_ms: integer(true),
      outcome: text(true),
      reason: text(true),
      coalesced: integer(false, 0),
    },
    indices: [
      { name: 'idx_wakes_state_next', columns: ['state', 'next_attempt_at'] },
      { name: 'idx_wakes_device_state', columns: ['device_id', 'state'] },
      { name: 'idx_wakes_device_requested', columns: ['device_id', 'requested_at'] },
    ],
    foreignKeys: [deviceForeignKey('wakes')],
  });
