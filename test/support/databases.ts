/**
 * Fresh databases for tests, on every backend: embedded SQLite (always) and PostgreSQL (when reachable).
 *
 *   import { describeOnBackends } from '../support/databases.js';
 *   describeOnBackends('my feature', (backend) => {
 *     let db: TestDatabase;
 *     beforeAll(async () => { db = await backend.create(); });
 *     afterAll(() => db.dispose());
 *     beforeEach(() => db.reset());
 *     it('…', async () => { const store = createStore(db.dataSource, { secretKey }); … });
 *   });
 *
 * PostgreSQL: DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test. Each create() makes its own schema (dropped by
 * dispose()), reached through `?options=-c search_path=…` in the URL, so a child process given `db.config.databaseUrl`
 * lands in the same schema. Unreachable → those suites are skipped with a message, or fail when REQUIRE_POSTGRES=1.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { describe, it } from 'vitest';
import { createDataSource, type DataSourceConfig } from '../../src/store/data-source.js';
import type { Dialect } from '../../src/store/dialect.js';

export interface TestDatabase {
  readonly dialect: Dialect;
  /** Initialised and migrated. */
  readonly dataSource: DataSource;
  /** What a second DataSource, a second app instance or a child process (DATABASE_URL / DATA_DIR) uses to reach it. */
  readonly config: { databaseUrl?: string; dataDir: string };
  /** Another DataSource on the same database (a second gateway process sharing it); disposed with the database. */
  connect(): Promise<DataSource>;
  /** Deletes every row (keeps the schema): cheap isolation between tests sharing one database. */
  reset(): Promise<void>;
  /** Closes every DataSource and drops the database. */
  dispose(): Promise<void>;
}

export interface TestBackend {
  readonly dialect: Dialect;
  /** False when PostgreSQL is unreachable (and not required); `reason` says why. */
  readonly available: boolean;
  readonly reason?: string;
  create(): Promise<TestDatabase>;
}

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** Tables in an order that respects foreign keys when deleting. */
const TABLES = ['device_credentials', 'push_attempts', 'wakes', 'messages', 'alerts', 'channels', 'commands', 'sessions', 'devices', 'device_bindings', 'providers'];

export const sqliteBackend: TestBackend = {
  dialect: 'sqlite',
  available: true,
  async create() {
    const dataDir = await mkdtemp(join(tmpdir(), 'omadm-store-'));
    const config = { dataDir };
    return track('sqlite', config, await createDataSource(config), async () => {
      await rm(dataDir, { recursive: true, force: true });
    });
  },
};

export async function postgresBackend(): Promise<TestBackend> {
  const baseUrl = process.env.DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL;
  const probe = await probe_(baseUrl);
  if (probe !== null) {
    const reason = `PostgreSQL unreachable at ${redact(baseUrl)}: ${probe}`;
    if (process.env.REQUIRE_POSTGRES === '1') throw new Error(`${reason} (REQUIRE_POSTGRES=1)`);
    return { dialect: 'postgres', available: false, reason, create: () => Promise.reject(new Error(reason)) };
  }
  return {
    dialect: 'postgres',
    available: true,
    async create() {
      const schema = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
      await admin(baseUrl, `CREATE SCHEMA "${schema}"`);
      const config = { databaseUrl: withSearchPath(baseUrl, schema), dataDir: join(tmpdir(), schema) };
      try {
        return track('postgres', config, await createDataSource({ ...config, poolSize: 4 }), () =>
          admin(baseUrl, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`),
        );
      } catch (error) {
        await admin(baseUrl, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
        throw error;
      }
    },
  };
}

/** SQLite and, when reachable, PostgreSQL (probed once per test file). */
export async function testBackends(): Promise<TestBackend[]> {
  return [sqliteBackend, await postgresBackend()];
}

/**
 * One describe block per backend. An unavailable PostgreSQL gives a skipped test whose name says why; with
 * REQUIRE_POSTGRES=1 it gives a failing test instead.
 */
export function describeOnBackends(title: string, body: (backend: TestBackend) => void): void {
  describe(`${title} [sqlite]`, () => body(sqliteBackend));
  describe(`${title} [postgres]`, async () => {
    let backend: TestBackend;
    try {
      backend = await postgresBackend();
    } catch (error) {
      it('PostgreSQL is required (REQUIRE_POSTGRES=1)', () => {
        throw error;
      });
      return;
    }
    if (!backend.available) {
      it.skip(`skipped: ${backend.reason}`, () => undefined);
      return;
    }
    body(backend);
  });
}

function track(dialect: Dialect, config: DataSourceConfig, first: DataSource, drop: () => Promise<void>): TestDatabase {
  const sources: DataSource[] = [first];
  return {
    dialect,
    dataSource: first,
    config: { ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}), dataDir: config.dataDir },
    async connect() {
      const ds = await createDataSource({ ...config, migrate: false });
      sources.push(ds);
      return ds;
    },
    async reset() {
      // DELETE, not TRUNCATE: on small tables it is far cheaper (TRUNCATE rewrites files and takes exclusive locks).
      for (const table of TABLES) await first.query(`DELETE FROM ${table}`);
    },
    async dispose() {
      for (const ds of sources) if (ds.isInitialized) await ds.destroy();
      await drop();
    },
  };
}

async function probe_(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return (error as Error).message || String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function admin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}
