import { EntitySchema } from 'typeorm';
import { json, text, time, varchar } from './column-types.js';

/** A DMClient provider: the PFN devices are given and the WNS credentials used to wake them. */
export interface ProviderRow {
  provider_id: string;
  pfn: string | null;
  wns_auth: string;
  wns_client_id: string | null;
  /** secret-box envelope (AES-256-GCM); never leaves the store except through getProviderCredentials. */
  wns_client_secret_enc: string | null;
  wns_tenant: string | null;
  wns_token_url: string | null;
  poll_schedule: string | null;
  problem: string | null;
  problem_at: number | null;
  paused_until: number | null;
  created_at: number;
  updated_at: number;
}

export const providerEntity = () =>
  new EntitySchema<ProviderRow>({
    name: 'Provider',
    tableName: 'providers',
    columns: {
      provider_id: { ...text(), primary: true },
      pfn: text(true),
      wns_auth: varchar(16),
      wns_client_id: text(true),
      wns_client_secret_enc: text(true),
      wns_tenant: text(true),
      wns_token_url: text(true),
      poll_schedule: json(true),
      problem: text(true),
      problem_at: time(true),
      paused_until: time(true),
      created_at: time(),
      updated_at: time(),
    },
  });
