import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../../src/store/store.js';
import { describeOnBackends, postgresBackend, type TestDatabase } from '../support/databases.js';
import { SECRET_KEY, sessionState } from './fixtures.js';

describeOnBackends('test databases', (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await backend.create();
  });
  afterAll(() => db.dispose());

  it('gives a migrated database that a second connection (another process) shares, and resets it', async () => {
    await createStore(db.dataSource, { secretKey: SECRET_KEY }).commitExchange({ session: sessionState('d', '1'), expectedVersion: null, effects: [] });
    const other = createStore(await db.connect(), { secretKey: SECRET_KEY });
    expect((await other.getDevice('d'))?.deviceId).toBe('d');
    await db.reset();
    expect(await other.getDevice('d')).toBeNull();
    expect(db.config.dataDir).toBeTruthy();
    if (backend.dialect === 'postgres') expect(db.config.databaseUrl).toMatch(/search_path/);
  });
});

describe('PostgreSQL availability', () => {
  const saved = { url: process.env.DATABASE_URL, require: process.env.REQUIRE_POSTGRES };
  afterEach(() => {
    for (const [name, value] of [['DATABASE_URL', saved.url], ['REQUIRE_POSTGRES', saved.require]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('reports an unreachable server as unavailable with the reason', async () => {
    process.env.DATABASE_URL = 'postgres://postgres@127.0.0.1:1/none';
    delete process.env.REQUIRE_POSTGRES;
    const backend = await postgresBackend();
    expect(backend.available).toBe(false);
    expect(backend.reason).toMatch(/^PostgreSQL unreachable at postgres:\/\/postgres@127\.0\.0\.1:1\/none: /);
  });

  it('fails instead when REQUIRE_POSTGRES=1', async () => {
    process.env.DATABASE_URL = 'postgres://postgres@127.0.0.1:1/none';
    process.env.REQUIRE_POSTGRES = '1';
    await expect(postgresBackend()).rejects.toThrow(/REQUIRE_POSTGRES=1/);
  });
});
