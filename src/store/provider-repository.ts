import { dateOrNull, toDate } from './epoch-ms.js';
import { CorruptRowError } from './errors.js';
import { fromJsonText, toJsonText } from './json-text.js';
import type { ProviderRow } from './schema.js';
import type { SecretBox } from './secret-box.js';
import type { Sql } from './sql-client.js';
import type { ProviderView } from '../session/ports.js';
import type { ProviderCredentials, ProviderDetails, ProviderInput, WnsAuthFlow } from './views.js';

/**
 * Sets a provider (PUT semantics: the given settings replace the stored ones). The WNS client secret is sealed with the
 * provider id as associated data; omitting `wns.clientSecret` keeps the stored one. New settings clear a recorded
 * problem and any pause.
 */
export async function putProvider(sql: Sql, box: SecretBox, providerId: string, input: ProviderInput, now: number): Promise<void> {
  const wns = input.wns ?? null;
  const sealed = wns?.clientSecret !== undefined ? box.seal(wns.clientSecret, providerId) : null;
  const secretUpdate = wns === null ? 'NULL' : sealed !== null ? 'excluded.wns_client_secret_enc' : 'providers.wns_client_secret_enc';
  await sql.run(
    `INSERT INTO providers (provider_id, pfn, wns_auth, wns_client_id, wns_client_secret_enc, wns_tenant, wns_token_url, poll_schedule,
                            problem, problem_at, paused_until, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, CAST(? AS bigint), CAST(? AS bigint))
     ON CONFLICT (provider_id) DO UPDATE SET
       pfn = excluded.pfn, wns_auth = excluded.wns_auth, wns_client_id = excluded.wns_client_id,
       wns_client_secret_enc = ${secretUpdate}, wns_tenant = excluded.wns_tenant, wns_token_url = excluded.wns_token_url,
       poll_schedule = excluded.poll_schedule, problem = NULL, problem_at = NULL, paused_until = NULL, updated_at = excluded.updated_at`,
    [
      providerId,
      input.pfn,
      wns?.auth ?? 'classic',
      wns?.clientId ?? null,
      sealed,
      wns?.tenant ?? null,
      wns?.tokenUrl ?? null,
      input.pollSchedule === undefined || input.pollSchedule === null ? null : toJsonText(input.pollSchedule),
      now,
      now,
    ],
  );
}

export async function getProviderRow(sql: Sql, providerId: string): Promise<ProviderRow | undefined> {
  return sql.one<ProviderRow>(`SELECT * FROM providers WHERE provider_id = ?`, [providerId]);
}

export async function listProviderRows(sql: Sql): Promise<ProviderRow[]> {
  return sql.all<ProviderRow>(`SELECT * FROM providers ORDER BY provider_id`);
}

/** Push flags a provider whose credentials WNS refused; `pausedUntil` stops sends for it until then. */
export async function recordProviderProblem(sql: Sql, providerId: string, problem: string, at: number, pausedUntil: number | null): Promise<boolean> {
  const n = await sql.run(
    `UPDATE providers SET problem = ?, problem_at = CAST(? AS bigint), paused_until = CAST(? AS bigint) WHERE provider_id = ?`,
    [problem, at, pausedUntil, providerId],
  );
  return n === 1;
}

export async function clearProviderProblem(sql: Sql, providerId: string): Promise<boolean> {
  const n = await sql.run(`UPDATE providers SET problem = NULL, problem_at = NULL, paused_until = NULL WHERE provider_id = ?`, [providerId]);
  return n === 1;
}

export function toProviderDetails(row: ProviderRow): ProviderDetails {
  return {
    providerId: row.provider_id,
    pfn: row.pfn,
    wns:
      row.wns_client_id === null
        ? null
        : {
            auth: authFlow(row.wns_auth),
            clientId: row.wns_client_id,
            clientSecretSet: row.wns_client_secret_enc !== null,
            tenant: row.wns_tenant,
            tokenUrl: row.wns_token_url,
          },
    pollSchedule: fromJsonText<unknown>(row.poll_schedule, 'poll schedule'),
    problem: row.problem,
    problemAt: dateOrNull(row.problem_at),
    pausedUntil: dateOrNull(row.paused_until),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

export function toProviderView(row: ProviderRow): ProviderView {
  return { providerId: row.provider_id, pfn: row.pfn, pollSchedule: fromJsonText<ProviderView['pollSchedule']>(row.poll_schedule, 'poll schedule') };
}

/** Decrypted credentials, or null when the provider has no complete WNS configuration. */
export function toProviderCredentials(row: ProviderRow, box: SecretBox): ProviderCredentials | null {
  if (row.wns_client_id === null || row.wns_client_secret_enc === null) return null;
  return {
    providerId: row.provider_id,
    pfn: row.pfn,
    auth: authFlow(row.wns_auth),
    clientId: row.wns_client_id,
    clientSecret: box.open(row.wns_client_secret_enc, row.provider_id),
    tenant: row.wns_tenant,
    tokenUrl: row.wns_token_url,
  };
}

function authFlow(value: string): WnsAuthFlow {
  if (value === 'classic' || value === 'entra') return value;
  throw new CorruptRowError(`unknown WNS auth flow ${value}`);
}
