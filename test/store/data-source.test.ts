import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDataSource, dataSourceOptions, hasPendingMigrations, runMigrations, SQLITE_FILE } from '../../src/store/data-source.js';
import { dialectOf, isPostgresUrl } from '../../src/store/dialect.js';
import { createSqlClient } from '../../src/store/sql-client.js';
import { postgresBackend } from '../support/databases.js';

describe('createDataSource', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const undo of cleanup.splice(0).reverse()) await undo();
  });

  it('creates the data directory and a migrated SQLite file in it', async () => {
    const root = await mkdtemp(join(tmpdir(), 'omadm-ds-'));
    cleanup.push(() => rm(root, { recursive: true, force: true }));
    const dataDir = join(root, 'nested', 'data');
    const ds = await createDataSource({ dataDir });
    cleanup.push(() => ds.destroy());
    expect(existsSync(join(dataDir, SQLITE_FILE))).toBe(true);
    expect(dialectOf(ds)).toBe('sqlite');
    expect(await ds.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(await ds.showMigrations()).toBe(false);
  });

  // PRAGMA synchronous reads back 1 for NORMAL and 2 for FULL (https://sqlite.org/pragma.html#pragma_synchronous).
  it.each([
    [undefined, 1],
    ['NORMAL', 1],
    ['FULL', 2],
  ] as const)('puts sqliteSynchronous=%s in force on a SQLite file (PRAGMA synchronous = %i), also for a later commit', async (setting, expected) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'omadm-ds-sync-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const ds = await createDataSource({ dataDir, ...(setting === undefined ? {} : { sqliteSynchronous: setting }) });
    cleanup.push(() => ds.destroy());
    expect(await ds.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(await ds.query('PRAGMA synchronous')).toEqual([{ synchronous: expected }]);
    // The store's SQL client runs on the same (single) connection TypeORM opened with the pragma.
    const sql = createSqlClient(ds);
    expect(await sql.transaction((q) => q.all<{ synchronous: number }>('PRAGMA synchronous'))).toEqual([{ synchronous: expected }]);
  });

  it('refuses an sqliteSynchronous value it does not offer (the value would be interpolated into the pragma)', () => {
    const bad = { dataDir: ':memory:', sqliteSynchronous: 'OFF; DROP TABLE devices' } as unknown as Parameters<typeof dataSourceOptions>[0];
    expect(() => dataSourceOptions(bad)).toThrow(/sqliteSynchronous must be one of NORMAL, FULL/);
  });

  it('can leave migrations to a later runMigrations (omadm-gateway migrate) and reports them pending until then', async () => {
    const ds = await createDataSource({ dataDir: ':memory:', migrate: false });
    cleanup.push(() => ds.destroy());
    expect(await hasPendingMigrations(ds)).toBe(true);
    await runMigrations(ds);
    expect(await hasPendingMigrations(ds)).toBe(false);
  });

  it('supports a throw-away in-memory database', async () => {
    const ds = await createDataSource({ dataDir: ':memory:' });
    cleanup.push(() => ds.destroy());
    expect(await ds.query(`SELECT COUNT(*) AS n FROM devices`)).toEqual([{ n: 0 }]);
  });

  it('selects PostgreSQL only for a postgres URL, with a configurable pool and schema', () => {
    expect(isPostgresUrl('postgres://u@h/db')).toBe(true);
    expect(isPostgresUrl('postgresql://u@h/db')).toBe(true);
    expect(isPostgresUrl(undefined)).toBe(false);
    expect(isPostgresUrl('sqlite:///x')).toBe(false);
    const pg = dataSourceOptions({ databaseUrl: 'postgres://u@127.0.0.1/db', dataDir: ':memory:', poolSize: 3, schema: 'tenant_a' });
    expect(pg).toMatchObject({ type: 'postgres', poolSize: 3, schema: 'tenant_a', extra: { options: '-c search_path=tenant_a' }, synchronize: false });
    expect(() => dataSourceOptions({ databaseUrl: 'postgres://u@h/db', dataDir: ':memory:', schema: 'a; DROP' })).toThrow(/plain identifier/);
    expect(dataSourceOptions({ dataDir: ':memory:' })).toMatchObject({ type: 'better-sqlite3', synchronize: false, enableWAL: false });
  });
});

describe('createDataSource on PostgreSQL', async () => {
  const backend = await postgresBackend();
  if (!backend.available) {
    it.skip(`skipped: ${backend.reason}`, () => undefined);
    return;
  }

  it('migrates an empty schema with a pool of one connection (DATABASE_POOL_SIZE=1): the migrations run on the connection holding the lock', async () => {
    const db = await backend.create();
    try {
      const [{ schema }] = (await db.dataSource.query('SELECT current_schema() AS schema')) as [{ schema: string }];
      await db.dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
      await db.dataSource.query(`CREATE SCHEMA "${schema}"`);
      const ds = await createDataSource({ databaseUrl: db.config.databaseUrl!, dataDir: db.config.dataDir, poolSize: 1, connectTimeoutMs: 2_000 });
      try {
        expect(await hasPendingMigrations(ds)).toBe(false);
        expect(await ds.query('SELECT COUNT(*)::int AS n FROM devices')).toEqual([{ n: 0 }]);
      } finally {
        await ds.destroy();
      }
    } finally {
      await db.dispose();
    }
  });
});

