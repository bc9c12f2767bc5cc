/**
 * Bulk seeding for the push and scale benchmarks: devices (as the session committer records a first contact, with their
 * ended first session) and one active ChannelURI each, written with INSERT … SELECT per table (generate_series on PostgreSQL, a recursive CTE on
 * SQLite) — seeding 100,000 or 1,000,000 devices through one commit each would take longer than the benchmark. Large
 * PostgreSQL loads rebuild the indexes afterwards (see pgLoadWithIndexesRebuilt) and check the schema is unchanged. The
 * rows follow src/store/migrations/initial-schema.ts; `verifySeed` reads a few back through the real store so a schema
 * change breaks the benchmark loudly instead of measuring something else.
 */
import type { DataSource } from 'typeorm';
import type { Store } from '../../src/store/index.js';

export interface SeedSpec {
  /** Device ids are `${prefix}-${i padded to 9 digits}`, i in [from, from + count) (or GUID-shaped, see guidIds). */
  prefix: string;
  /** Device ids shaped like a Windows DeviceID GUID, `guidDeviceId(prefix, i)` (the sessions benchmarks' devices). */
  guidIds?: boolean;
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

export function seededDeviceId(prefix: string, i: number, guid = false): string {
  return guid ? guidDeviceId(prefix, i) : `${prefix}-${String(i).padStart(9, '0')}`;
}

/** GUID-shaped device id: the first 8 characters of the prefix, a fixed middle, i in hex (12 digits, upper case). */
export function guidDeviceId(prefix: string, i: number): string {
  return `${guidHead(prefix)}-${i.toString(16).padStart(12, '0').toUpperCase()}`;
}

function guidHead(prefix: string): string {
  return `${prefix.padEnd(8, '0').slice(0, 8)}-BE0C-4000-8000`;
}

const DAY_MS = 86_400_000;

/** Where the time of one bulk load went (ms). `indexMs`/`vacuumMs` are 0 on the plain path. */
export interface SeedTimings {
  mode: 'plain' | 'indexes-rebuilt';
  insertMs: number;
  indexMs: number;
  vacuumMs: number;
  totalMs: number;
  /** Rebuild statements slower than 0.5 s: [statement start, ms]. */
  slowest?: Array<[string, number]>;
}

/** From this many devices up, PostgreSQL loads with the tables' indexes and keys dropped and rebuilt afterwards. */
export const REBUILD_FROM = 50_000;

/** Tables the seed writes; their indexes, keys and the foreign keys touching them are rebuilt on the fast path. */
const SEEDED_TABLES = ['devices', 'sessions', 'channels', 'commands'] as const;

export async function bulkSeed(ds: DataSource, spec: SeedSpec): Promise<SeedTimings> {
  const pg = ds.options.type === 'postgres';
  const t0 = performance.now();
  if (pg && spec.count >= REBUILD_FROM) return pgLoadWithIndexesRebuilt(ds, spec, t0);
  const batch = spec.batch ?? 50_000;
  for (let start = spec.from; start < spec.from + spec.count; start += batch) {
    const end = Math.min(spec.from + spec.count, start + batch) - 1;
    for (const sql of insertStatements(spec, pg, start, end)) await ds.query(sql);
  }
  const insertMs = performance.now() - t0;
  if (pg) await ds.query(`ANALYZE ${SEEDED_TABLES.join(', ')}`);
  return { mode: 'plain', insertMs, indexMs: 0, vacuumMs: 0, totalMs: performance.now() - t0 };
}

/** One INSERT … SELECT per table for devices [start, end]. */
function insertStatements(spec: SeedSpec, pg: boolean, start: number, end: number): string[] {
  // i → zero-padded text; uuid-shaped ids from i (unique per prefix hash and i).
  const series = pg
    ? `FROM generate_series(${start}, ${end}) AS s(i)`
    : `FROM (WITH RECURSIVE s(i) AS (SELECT ${start} UNION ALL SELECT i + 1 FROM s WHERE i < ${end}) SELECT i FROM s)`;
  const pad = pg ? `lpad(i::text, 9, '0')` : `printf('%09d', i)`;
  const uuidTail = pg ? `lpad(i::text, 12, '0')` : `printf('%012d', i)`;
  const idPrefix = uuidPrefix(spec.prefix);
  const deviceId = spec.guidIds
    ? `'${guidHead(spec.prefix)}-' || ${pg ? `upper(lpad(to_hex(i), 12, '0'))` : `printf('%012X', i)`}`
    : `'${spec.prefix}-' || ${pad}`;
  const out = [
    `INSERT INTO devices (device_id, provider_id, dev_info, enrollment_state, provisioned_pfn, push_status, push_status_at,
                          first_seen_at, last_seen_at, last_session_id)
     SELECT ${deviceId}, '${spec.providerId}', '{}', 'enrolled', NULL, 0, ${spec.at}, ${spec.at}, ${spec.at}, '1' ${series}`,
  ];
  if (spec.sessions ?? true) {
    out.push(
      `INSERT INTO sessions (device_id, session_id, "trigger", state, version, ended, started_at, updated_at)
       SELECT ${deviceId}, '1', '1201', '{}', 0, true, ${spec.at}, ${spec.at} ${series}`,
    );
  }
  if (spec.channelBase !== null) {
    out.push(
      `INSERT INTO channels (id, device_id, channel_uri, first_reported_at, last_reported_at, expires_at, state, state_reason, state_at)
       SELECT '${idPrefix}-0000-4000-8000-' || ${uuidTail}, ${deviceId}, '${spec.channelBase}' || ${deviceId},
              ${spec.at}, ${spec.at}, ${spec.at + 30 * DAY_MS}, 'active', NULL, NULL ${series}`,
    );
  }
  if (spec.commandEvery) {
    out.push(
      `INSERT INTO commands (id, device_id, seq, spec, state, attempts, msg_id, cmd_id, session_id, status, outcome,
                             add_fallback_to_replace, created_at, sent_at, completed_at, expires_at)
       SELECT '${idPrefix}-0000-4000-9000-' || ${uuidTail}, ${deviceId}, 1, '{"verb":"Get","target":"./DevDetail/SwV"}', 'queued', 0,
              NULL, NULL, NULL, NULL, NULL, false, ${spec.at}, NULL, NULL, NULL ${series} WHERE i % ${spec.commandEvery} = 0`,
    );
  }
  return out;
}

type Query = (sql: string, params?: unknown[]) => Promise<any>;

/**
 * The fast PostgreSQL path, in one transaction on one connection: read the definitions of the seeded tables' primary
 * keys, unique constraints and indexes and of every foreign key that touches them; drop them; insert every table with
 * one INSERT … SELECT over generate_series; recreate them from the definitions read (keys, then indexes, then foreign
 * keys, which validate in one pass each); commit; VACUUM (ANALYZE) the tables (visibility map and hint bits set, as on
 * a database that has been running, and fresh statistics). Building a btree once from sorted input is far cheaper than
 * a million random insertions into five indexes and a million row-by-row foreign-key checks (PostgreSQL manual, 14.4
 * "Populating a Database": "Remove Indexes", "Remove Foreign Key Constraints", "Increase maintenance_work_mem").
 * A failure rolls the whole load back. Afterwards the schema's shape (pg_indexes, pg_index flags, pg_constraint,
 * columns) is compared with the shape before and must be identical: the database the gateway then reads is the one its
 * migrations made.
 */
async function pgLoadWithIndexesRebuilt(ds: DataSource, spec: SeedSpec, t0: number): Promise<SeedTimings> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  const slowest: Array<[string, number]> = [];
  const q: Query = async (sql, params) => {
    const t = performance.now();
    const out: unknown = await runner.query(sql, params);
    const ms = performance.now() - t;
    if (ms > 500) slowest.push([sql.replace(/\s+/g, ' ').slice(0, 70), Math.round(ms)]);
    return out;
  };
  let insertMs = 0;
  let indexMs = 0;
  let vacuumMs = 0;
  try {
    const before = await schemaShape(q);
    await q('BEGIN');
    try {
      await q('SET LOCAL synchronous_commit = off');
      await q("SET LOCAL maintenance_work_mem = '256MB'");
      const tables = SEEDED_TABLES.map((t) => `"${t}"`);
      const foreignKeys: Array<{ tbl: string; name: string; def: string }> = await q(
        `SELECT conrelid::regclass::text AS tbl, conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
          WHERE connamespace = current_schema()::regnamespace AND contype = 'f'
            AND (conrelid = ANY($1::regclass[]) OR confrelid = ANY($1::regclass[])) ORDER BY 1, 2`,
        [tables],
      );
      const keys: Array<{ tbl: string; name: string; def: string }> = await q(
        `SELECT conrelid::regclass::text AS tbl, conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
          WHERE connamespace = current_schema()::regnamespace AND contype IN ('p', 'u', 'x')
            AND conrelid = ANY($1::regclass[]) ORDER BY contype, 1, 2`,
        [tables],
      );
      const indexes: Array<{ name: string; def: string }> = await q(
        `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS def FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
          WHERE x.indrelid = ANY($1::regclass[])
            AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.contype IN ('p', 'u', 'x'))
          ORDER BY 1`,
        [tables],
      );
      const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
      for (const fk of foreignKeys) await q(`ALTER TABLE ${fk.tbl} DROP CONSTRAINT ${ident(fk.name)}`);
      for (const k of keys) await q(`ALTER TABLE ${k.tbl} DROP CONSTRAINT ${ident(k.name)}`);
      for (const ix of indexes) await q(`DROP INDEX ${ident(ix.name)}`);

      const t1 = performance.now();
      for (const sql of insertStatements(spec, true, spec.from, spec.from + spec.count - 1)) await q(sql);
      const t2 = performance.now();
      insertMs = t2 - t1;
      for (const k of keys) await q(`ALTER TABLE ${k.tbl} ADD CONSTRAINT ${ident(k.name)} ${k.def}`);
      for (const ix of indexes) await q(ix.def);
      for (const fk of foreignKeys) await q(`ALTER TABLE ${fk.tbl} ADD CONSTRAINT ${ident(fk.name)} ${fk.def}`);
      await q('COMMIT');
      indexMs = performance.now() - t2;
    } catch (error) {
      await q('ROLLBACK').catch(() => undefined);
      throw error;
    }
    const t3 = performance.now();
    await q(`VACUUM (ANALYZE) ${SEEDED_TABLES.join(', ')}`);
    vacuumMs = performance.now() - t3;
    const after = await schemaShape(q);
    const difference = shapeDifference(before, after);
    if (difference) throw new Error(`bulk seed: the schema after the load differs from the migrated one: ${difference}`);
  } finally {
    await runner.release();
  }
  return { mode: 'indexes-rebuilt', insertMs, indexMs, vacuumMs, totalMs: performance.now() - t0, slowest };
}

/** Every index (pg_indexes + validity flags), constraint and column of the current schema, one line each, sorted. */
export async function schemaShape(q: Query): Promise<string[]> {
  const rows: Array<{ line: string }> = await q(
    `SELECT 'index ' || ix.tablename || ' ' || ix.indexname || ': ' || ix.indexdef
            || ' valid=' || x.indisvalid || ' ready=' || x.indisready || ' primary=' || x.indisprimary
            || ' unique=' || x.indisunique AS line
       FROM pg_indexes ix
       JOIN pg_class i ON i.relname = ix.indexname AND i.relnamespace = current_schema()::regnamespace
       JOIN pg_index x ON x.indexrelid = i.oid
      WHERE ix.schemaname = current_schema()
     UNION ALL
     SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ': ' || contype::text || ' ' || pg_get_constraintdef(oid)
            || ' validated=' || convalidated || ' deferrable=' || condeferrable
       FROM pg_constraint WHERE connamespace = current_schema()::regnamespace
     UNION ALL
     SELECT 'column ' || table_name || '.' || column_name || ': ' || data_type || ' nullable=' || is_nullable
            || ' default=' || coalesce(column_default, '')
       FROM information_schema.columns WHERE table_schema = current_schema()
     ORDER BY 1`,
  );
  return rows.map((r) => r.line);
}

/** null when equal, else the first lines only one side has. */
export function shapeDifference(before: readonly string[], after: readonly string[]): string | null {
  const a = new Set(before);
  const b = new Set(after);
  const gone = before.filter((l) => !b.has(l));
  const added = after.filter((l) => !a.has(l));
  if (gone.length === 0 && added.length === 0 && before.length === after.length) return null;
  return [...gone.slice(0, 3).map((l) => `missing ${l}`), ...added.slice(0, 3).map((l) => `new ${l}`)].join('; ') || 'line counts differ';
}

/** Reads a few seeded devices back through the store: known, with the expected active channel. */
export async function verifySeed(store: Store, spec: SeedSpec, at: Date): Promise<void> {
  for (const i of [spec.from, spec.from + Math.floor(spec.count / 2), spec.from + spec.count - 1]) {
    const id = seededDeviceId(spec.prefix, i, spec.guidIds);
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
