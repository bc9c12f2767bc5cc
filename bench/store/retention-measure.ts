/**
 * What keeping the newest N rows per device costs for alerts / push_attempts, to choose where to apply it:
 *   baseline   the INSERT alone (one transaction per insert, as recordPushAttempt does);
 *   every      INSERT + the trim (DELETE below the id at OFFSET N on the (device_id, id) index) in the same transaction;
 *   sampled    INSERT + the trim on about one insert in K, drawn at random (what history-retention.ts does);
 *   sweep      a housekeeping pass that trims every device that had inserts since the last pass.
 * Devices start with N rows each, so every trim deletes. Prints µs per insert (median of rounds) on SQLite and, when
 * reachable, PostgreSQL.   npx tsx bench/store/retention-measure.ts [--devices 20] [--inserts 400] [--keep 2000]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDataSource } from '../../src/store/data-source.js';
import { createSqlClient, type Sql, type SqlClient } from '../../src/store/sql-client.js';
import { createSchema, probePostgres } from '../lib/postgres.js';

const { values } = parseArgs({
  options: { devices: { type: 'string', default: '20' }, inserts: { type: 'string', default: '400' }, keep: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '3' } },
});
const DEVICES = Number(values.devices);
const INSERTS = Number(values.inserts);
const KEEP = Number(values.keep);
const ROUNDS = Number(values.rounds);
const K = 32;

const insertSql = `INSERT INTO push_attempts (wake_id, device_id, at, http_status, outcome, duration_ms) VALUES (NULL, ?, CAST(? AS bigint), 200, 'received', 3)`;
const trim = (sql: Sql, deviceId: string) =>
  sql.run(`DELETE FROM push_attempts WHERE device_id = ? AND id <= (SELECT p.id FROM push_attempts p WHERE p.device_id = ? ORDER BY p.id DESC LIMIT 1 OFFSET ?)`, [deviceId, deviceId, KEEP]);

async function seed(client: SqlClient): Promise<void> {
  await client.transaction(async (sql) => {
    await sql.run(`DELETE FROM push_attempts`);
    await sql.run(`DELETE FROM devices`);
    for (let d = 0; d < DEVICES; d++) {
      await sql.run(
        `INSERT INTO devices (device_id, provider_id, dev_info, enrollment_state, first_seen_at, last_seen_at) VALUES (?, 'p', '{}', 'enrolled', CAST(? AS bigint), CAST(? AS bigint))`,
        [`d${d}`, 0, 0],
      );
      for (let i = 0; i < KEEP; i += 500) {
        const n = Math.min(500, KEEP - i);
        const rows = Array.from({ length: n }, () => `(NULL, ?, CAST(0 AS bigint), 200, 'received', 3)`).join(', ');
        await sql.run(`INSERT INTO push_attempts (wake_id, device_id, at, http_status, outcome, duration_ms) VALUES ${rows}`, Array(n).fill(`d${d}`));
      }
    }
  });
  // Steady state: autovacuum has run (visibility map set, so the OFFSET walk is an index-only scan).
  if (client.dialect === 'postgres') await client.read((sql) => sql.run('VACUUM ANALYZE push_attempts'));
}

type Variant = 'baseline' | 'every' | 'sampled' | 'sweep';

/** oneTransaction: every insert in one transaction, so commit (fsync) cost drops out and the statements' own cost shows. */
async function run(client: SqlClient, variant: Variant, oneTransaction: boolean): Promise<number> {
  await seed(client);
  const touched = new Set<string>();
  const started = performance.now();
  const outer = oneTransaction ? client.transaction.bind(client) : async <T>(work: (sql: Sql) => Promise<T>) => work(undefined as unknown as Sql);
  await outer(async (outerSql) => {
  for (let i = 0; i < INSERTS; i++) {
    const deviceId = `d${i % DEVICES}`;
    const inTx = oneTransaction ? async <T>(work: (sql: Sql) => Promise<T>) => work(outerSql) : client.transaction.bind(client);
    await inTx(async (sql) => {
      await sql.run(insertSql, [deviceId, i]);
      if (variant === 'every' || (variant === 'sampled' && Math.random() * K < 1)) await trim(sql, deviceId);
    });
    touched.add(deviceId);
    // A housekeeping pass per "minute" of traffic: here every DEVICES inserts (each device got one new row).
    if (variant === 'sweep' && touched.size === DEVICES) {
      await inTx(async (sql) => {
        for (const d of touched) await trim(sql, d);
      });
      touched.clear();
    }
  }
  });
  const perInsertUs = ((performance.now() - started) * 1000) / INSERTS;
  const left = await client.read((sql) => sql.one<{ n: unknown }>(`SELECT MAX(c) AS n FROM (SELECT COUNT(*) AS c FROM push_attempts GROUP BY device_id) x`));
  if (variant !== 'baseline' && Number(left?.n) > KEEP + (variant === 'sampled' ? INSERTS : 0)) throw new Error(`${variant}: ${String(left?.n)} rows left for a device`);
  return perInsertUs;
}

async function measure(name: string, config: { databaseUrl?: string; dataDir: string }): Promise<void> {
  const ds = await createDataSource(config);
  const client = createSqlClient(ds);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  for (const oneTransaction of [false, true]) {
    const results: Record<string, number[]> = {};
    for (let r = 0; r < ROUNDS; r++) {
      for (const v of ['baseline', 'every', 'sampled', 'sweep'] as const) (results[v] ??= []).push(await run(client, v, oneTransaction));
    }
    const base = median(results.baseline!);
    const how = oneTransaction ? 'all in one transaction (statement cost)' : 'one transaction per insert';
    console.log(`${name}: ${DEVICES} devices × ${KEEP} rows kept, ${INSERTS} inserts, ${how}; median of ${ROUNDS} rounds, µs per insert`);
    for (const [v, xs] of Object.entries(results)) {
      console.log(`  ${v.padEnd(9)} ${median(xs).toFixed(0).padStart(6)} µs  +${(median(xs) - base).toFixed(0).padStart(5)} µs  ×${(median(xs) / base).toFixed(2)}`);
    }
  }
  await ds.destroy();
}

const dir = await mkdtemp(join(tmpdir(), 'retention-'));
try {
  await measure('sqlite', { dataDir: dir });
} finally {
  await rm(dir, { recursive: true, force: true });
}
const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const problem = await probePostgres(url);
if (problem) console.log(`postgres: skipped (${problem})`);
else {
  const schema = await createSchema(url, 'retention');
  try {
    await measure('postgres', { databaseUrl: schema.url, dataDir: dir });
  } finally {
    await schema.drop();
  }
}
