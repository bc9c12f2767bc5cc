import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, MigrationExecutor, type DataSourceOptions } from 'typeorm';
import { isPostgresUrl } from './dialect.js';
import { StoreError } from './errors.js';
import { entitiesFor, migrations } from './schema.js';

export interface DataSourceConfig {
  /** `postgres://…` selects PostgreSQL; anything else (or unset) selects embedded SQLite under dataDir. */
  databaseUrl?: string;
  /** Directory of the SQLite file (created if missing); `:memory:` for a throw-away in-memory database. */
  dataDir: string;
  logging?: boolean;
  /** PostgreSQL connection pool size (DATABASE_POOL_SIZE, default 10). */
  poolSize?: number;
  /**
   * PostgreSQL: how long a request waits for a pooled connection, and a new connection may take to open (default 10 s).
   * A wait that runs out is "the database is busy" (src/store/store-unavailable.ts).
   */
  connectTimeoutMs?: number;
  /** PostgreSQL schema to use (must exist); default: the server's search_path (a URL may set it with `?options=-c search_path=…`). */
  schema?: string;
  /** Run pending migrations before returning (default true). */
  migrate?: boolean;
  /** SQLite `PRAGMA synchronous` (SQLITE_SYNCHRONOUS; default NORMAL); ignored for PostgreSQL. See SQLITE_SYNCHRONOUS_VALUES. */
  sqliteSynchronous?: SqliteSynchronous;
}

/**
 * The SQLite durability levels the gateway offers. The database always runs in WAL mode (journal_mode=WAL), where
 * (https://sqlite.org/pragma.html#pragma_synchronous, https://sqlite.org/wal.html#performance_considerations):
 * - NORMAL: "WAL mode is always consistent with synchronous=NORMAL, but WAL mode does lose durability. A transaction
 *   committed in WAL mode with synchronous=NORMAL might roll back following a power loss or system crash.
 *   Transactions are durable across application crashes regardless of the synchronous setting or journal mode."
 *   The WAL is synced only at checkpoints, not at each commit.
 * - FULL: "Writers sync the WAL on every transaction commit if PRAGMA synchronous is set to FULL": the newest commits
 *   survive power loss too, at the price of an fsync per commit, taken with the event loop blocked (better-sqlite3 is
 *   synchronous): 3.6 ms per commit vs 0.04 ms with NORMAL on the bench machine (bench/README.md finding 1).
 */
export const SQLITE_SYNCHRONOUS_VALUES = ['NORMAL', 'FULL'] as const;
export type SqliteSynchronous = (typeof SQLITE_SYNCHRONOUS_VALUES)[number];

export const SQLITE_FILE = 'omadm-gateway.sqlite';

/** Advisory lock key that serialises migrations between processes sharing one PostgreSQL database. */
const MIGRATION_LOCK_KEY = 0x6f6d6164; // 'omad'

/**
 * Builds, initialises and migrates the DataSource. Migrations run here (TypeORM's migrationsRun, done explicitly so that on
 * PostgreSQL they run under an advisory lock: several gateway processes may start at once on one database).
 * Never `synchronize`.
 */
export async function createDataSource(cfg: DataSourceConfig): Promise<DataSource> {
  const ds = new DataSource(dataSourceOptions(cfg));
  await ds.initialize();
  try {
    if (cfg.migrate ?? true) await runMigrations(ds);
  } catch (error) {
    await ds.destroy().catch(() => undefined);
    throw error;
  }
  return ds;
}

export function dataSourceOptions(cfg: DataSourceConfig): DataSourceOptions {
  const common = { migrations, migrationsRun: false, synchronize: false, logging: cfg.logging ?? false } as const;
  if (isPostgresUrl(cfg.databaseUrl)) {
    return {
      ...common,
      type: 'postgres',
      url: cfg.databaseUrl,
      entities: entitiesFor('postgres'),
      poolSize: cfg.poolSize ?? 10,
      connectTimeoutMS: cfg.connectTimeoutMs ?? 10_000,
      applicationName: 'omadm-gateway',
      ...(cfg.schema === undefined ? {} : { schema: cfg.schema, extra: { options: `-c search_path=${plainIdentifier(cfg.schema)}` } }),
    };
  }
  const synchronous = cfg.sqliteSynchronous ?? 'NORMAL';
  // Interpolated into the pragma below: only the known words (a JavaScript caller is not bound by the type).
  if (!SQLITE_SYNCHRONOUS_VALUES.includes(synchronous)) {
    throw new StoreError(`sqliteSynchronous must be one of ${SQLITE_SYNCHRONOUS_VALUES.join(', ')}: ${String(synchronous)}`);
  }
  const memory = cfg.dataDir === ':memory:';
  if (!memory) mkdirSync(cfg.dataDir, { recursive: true, mode: 0o700 });
  return {
    ...common,
    type: 'better-sqlite3',
    database: memory ? ':memory:' : join(cfg.dataDir, SQLITE_FILE),
    entities: entitiesFor('sqlite'),
    enableWAL: !memory,
    timeout: 5_000, // busy_timeout: wait this long for another process's write lock
    prepareDatabase: (db: { pragma(source: string): unknown }) => {
      // NORMAL (default): consistent, survives a crash of the process; the newest commits may roll back after power loss
      // or an OS crash (e.g. a device's acknowledgement of a command). FULL: those survive too. SQLITE_SYNCHRONOUS_VALUES.
      db.pragma(`synchronous = ${synchronous}`);
    },
  };
}

/** Applies pending migrations (also what `omadm-gateway migrate` runs). */
export async function runMigrations(ds: DataSource): Promise<void> {
  if (ds.options.type !== 'postgres') {
    await ds.runMigrations({ transaction: 'all' });
    return;
  }
  const lock = ds.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      // On the connection that holds the lock: a second one would never come with DATABASE_POOL_SIZE=1.
      const executor = new MigrationExecutor(ds, lock);
      executor.transaction = 'all';
      await executor.executePendingMigrations();
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await lock.release();
  }
}

/** True when the database lacks a migration this build knows (readiness check). */
export async function hasPendingMigrations(ds: DataSource): Promise<boolean> {
  return ds.showMigrations();
}

function plainIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new StoreError(`schema name must be a plain identifier: ${name}`);
  return name;
}
