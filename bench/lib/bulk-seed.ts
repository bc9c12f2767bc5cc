/**
 * Bulk seeding for the push and scale benchmarks: devices (as the session committer records a first contact, with their
 * ended first session) and one active ChannelURI each, written with one INSERT … SELECT per table (generate_series on PostgreSQL, a recursive CTE on
 * SQLite) — seeding 100,000 or 1,000,000 devices through one commit each would take longer than the benchmark. The
 * rows follow src/store/migrations/initial-schema.ts; `verifySeed` reads a few back through the real store so a schema
 * change breaks the benchmark loudly instead of measuring something else.
 */
import type { DataSource } from 'typeorm';
import type { Store } from '../../src/store/index.js';

export interface SeedSpec {
  /** Device ids are `${prefix}-${i padded to 9 digits}`, i in [from, from + count). */
  prefix: string;
  from: number;
  count: number;
  providerId: string;
  /** ChannelURI of device i: `${channelBase}${prefix}-${i}`; null: no channel. */
  channelBase: string | null;
  /** Epoch ms of first contact and of the channel report. */
  at: number;
  /** Also queue one command every `commandEvery` devices (scale benchmark), as 'queued'. */
  commandEvery?: number;
  /** Rows per INSERT statement (default 50,000). */
  batch?: number;
  /** Also write each device's ended first session (SessionID '1'), as a real first contact leaves it (default true). */
  sessions?: boolean;
}

export function seededDeviceId(prefix: string, i: number): string {
  return `${prefix}-${String(i).padStart(9, '0')}`;
}

const DAY_MS = 86_400_000;

export async function bulkSeed(ds: DataSource, spec: SeedSpec): Promise<void> {
  const pg = ds.options.type === 'postgres';
  const batch = spec.batch ?? 50_000;
  for (let start = spec.from; start < spec.from + spec.count; start += batch) {
    const end = Math.min(spec.from + spec.count, start + batch) - 1;
    // i → zero-padded text; uuid-shaped ids from i (unique per prefix hash and i).
    const series = pg
      ? `FROM generate_series(${start}, ${end}) AS s(i)`
      : `FROM (WITH RECURSIVE s(i) AS (SELECT ${start} UNION ALL SELECT i + 1 FROM s WHERE i < ${end}) SELECT i FROM s)`;
    const pad = pg ? `lpad(i::text, 9, '0')` : `printf('%09d', i)`;
    const uuidTail = pg ? `lpad(i::text, 12, '0')` : `printf('%012d', i)`;
    const idPrefix = uuidPrefix(spec.prefix);
    const deviceId = `'${spec.prefix}-' || ${pad}`;
    await ds.query(
      `INSERT INTO devices (device_id, provider_id, dev_info, enrollment_state, provisioned_pfn, push_status, push_status_at,
                            first_seen_at, last_seen_at, last_session_id)
       SELECT ${deviceId}, '${spec.providerId}', '{}', 'enrolled', NULL, 0, ${spec.at}, ${spec.at}, ${spec.at}, '1' ${series}`,
    );
    if (spec.sessions ?? true) {
      await ds.query(
        `INSERT INTO sessions (device_id, session_id, "trigger", state, version, ended, started_at, updated_at)
         SELECT ${deviceId}, '1', '1201', '{}', 0, true, ${spec.at}, ${spec.at} ${series}`,
      );
    }
    if (spec.channelBase !== null) {
      await ds.query(
        `INSERT INTO channels (id, device_id, channel_uri, first_reported_at, last_reported_at, expires_at, state, state_reason, state_at)
         SELECT '${idPrefix}-0000-4000-8000-' || ${uuidTail}, ${deviceId}, '${spec.channelBase}' || ${deviceId},
                ${spec.at}, ${spec.at}, ${spec.at + 30 * DAY_MS}, 'active', NULL, NULL ${series}`,
      );
    }
    if (spec.commandEvery) {
      const where = pg ? `WHERE i % ${spec.commandEvery} = 0` : `WHERE i % ${spec.commandEvery} = 0`;
      await ds.query(
        `INSERT INTO commands (id, device_id, seq, spec, state, attempts, msg_id, cmd_id, session_id, status, outcome,
                               add_fallback_to_replace, created_at, sent_at, completed_at, expires_at)
         SELECT '${idPrefix}-0000-4000-9000-' || ${uuidTail}, ${deviceId}, 1, '{"verb":"Get","target":"./DevDetail/SwV"}', 'queued', 0,
                NULL, NULL, NULL, NULL, NULL, false, ${spec.at}, NULL, NULL, NULL ${series} ${where}`,
      );
    }
  }
  if (pg) await ds.query('ANALYZE');
}

/** Reads a few seeded devices back through the store: known, with the expected active channel. */
export async function verifySeed(store: Store, spec: SeedSpec, at: Date): Promise<void> {
  for (const i of [spec.from, spec.from + Math.floor(spec.count / 2), spec.from + spec.count - 1]) {
    const id = seededDeviceId(spec.prefix, i);
    const device = await store.getDevice(id);
    if (!device) throw new Error(`bulk seed: device ${id} is not visible through the store`);
    if (spec.channelBase !== null) {
      const channel = await store.activeChannel(id, at);
      if (channel?.channelUri !== `${spec.channelBase}${id}`) throw new Error(`bulk seed: device ${id} has no usable channel through the store`);
    }
  }
}

/** 8 hex characters from the prefix, so ids of different seeds do not collide. */
function uuidPrefix(prefix: string): string {
  let h = 0x811c9dc5;
  for (const ch of prefix) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}
