/**
 * "The database is busy" vs "the database is unreachable" (src/store/store-unavailable.ts): the classification of the
 * errors the drivers raise, and on a real PostgreSQL what the SQL client raises when its pool has no connection to give
 * (pool of 1 held by an open transaction) and when the connections it waits for are failing (through a TCP proxy that
 * is cut, then holds every packet).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/store/data-source.js';
import { createSqlClient, type SqlClient } from '../../src/store/sql-client.js';
import { isStoreUnavailable, storeUnavailableReason, StoreUnavailableError } from '../../src/store/store-unavailable.js';
import { startTcpProxy, type TcpProxy } from '../faults/tcp-proxy.js';
import { postgresBackend, type TestDatabase } from '../support/databases.js';

const coded = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('storeUnavailableReason', () => {
  it.each([
    ['connection refused', coded('connect ECONNREFUSED 127.0.0.1:5', 'ECONNREFUSED')],
    ['connection reset', coded('read ECONNRESET', 'ECONNRESET')],
    ['DNS failure', coded('getaddrinfo ENOTFOUND db.example', 'ENOTFOUND')],
    ['DNS failure, temporary', coded('getaddrinfo EAI_AGAIN db.example', 'EAI_AGAIN')],
    ['password authentication failed (28P01)', coded('password authentication failed for user "gw"', '28P01')],
    ['no pg_hba.conf entry (28000)', coded('no pg_hba.conf entry for host', '28000')],
    ['administrator shutdown (57P01)', new Error('wrapped', { cause: { code: '57P01' } })],
    ['connection failure (08006)', { code: '08006' }],
    ['a connection lost mid-query, through TypeORM', { message: 'query failed', driverError: new Error('Connection terminated unexpectedly') }],
    ['a new connection that timed out (pg-pool)', new Error('Connection terminated due to connection timeout')],
    ['our pool already ended', new Error('Cannot use a pool after calling end on the pool')],
    ['one of several failures', new AggregateError([coded('x', 'ECONNREFUSED')])],
  ])('unreachable: %s', (_name, error) => {
    expect(storeUnavailableReason(error)).toBe('unreachable');
    expect(isStoreUnavailable(error)).toBe(true);
  });

  it.each([
    ['pg-pool found no free connection in time', new Error('timeout exceeded when trying to connect')],
    ['the same, through TypeORM', { message: 'x', driverError: new Error('timeout exceeded when trying to connect') }],
    ['the server at its connection limit (53300)', coded('sorry, too many clients already', '53300')],
    ['a SQLite file locked by another process', coded('database is locked', 'SQLITE_BUSY')],
  ])('busy: %s', (_name, error) => {
    expect(storeUnavailableReason(error)).toBe('busy');
    expect(isStoreUnavailable(error)).toBe(true);
  });

  it('lets the SQL client decide with a StoreUnavailableError, and lets unreachable win over busy', () => {
    const poolTimeout = new Error('timeout exceeded when trying to connect');
    expect(storeUnavailableReason(new StoreUnavailableError('unreachable', { cause: poolTimeout }))).toBe('unreachable');
    expect(storeUnavailableReason({ message: 'x', driverError: new StoreUnavailableError('busy') })).toBe('busy');
    expect(storeUnavailableReason(new AggregateError([poolTimeout, coded('x', 'ECONNRESET')]))).toBe('unreachable');
  });

  it.each([
    ['a unique violation', coded('duplicate key value', '23505')],
    ['a plain error', new Error('duplicate key')],
    ['a syntax error', coded('syntax error at or near', '42601')],
    ['null', null],
  ])('neither: %s', (_name, error) => {
    expect(storeUnavailableReason(error)).toBeNull();
  });
});

describe('SQL client on PostgreSQL: busy pool vs failing connections', async () => {
  const backend = await postgresBackend();
  if (!backend.available) {
    it.skip(`skipped: ${backend.reason}`, () => undefined);
    return;
  }
  let db: TestDatabase;
  beforeAll(async () => {
    db = await backend.create();
  });
  afterAll(() => db.dispose());

  /** A DataSource with one pooled connection and a short wait for it (the default is 10 s). */
  const onePooled = (databaseUrl: string): Promise<DataSource> =>
    createDataSource({ databaseUrl, dataDir: db.config.dataDir, poolSize: 1, connectTimeoutMs: 300, migrate: false });

  it('raises "busy" when the only pooled connection stays in use for the whole wait, and serves again once it is free', async () => {
    const ds = await onePooled(db.config.databaseUrl!);
    try {
      const client = createSqlClient(ds);
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      let begun: () => void = () => undefined;
      const holding = new Promise<void>((resolve) => (begun = resolve));
      const holder = client.transaction(async (q) => {
        await q.one('SELECT pg_backend_pid() AS pid');
        begun();
        await held; // a long transaction: the connection stays checked out
        return q.one<{ one: number }>('SELECT 1 AS one');
      });
      await holding;
      const waiting = await client.read((q) => q.one('SELECT 1 AS one')).catch((error: unknown) => error);
      expect(waiting).toBeInstanceOf(StoreUnavailableError);
      expect(storeUnavailableReason(waiting)).toBe('busy');
      expect((waiting as Error).message).toBe('the database is busy');
      release();
      expect(await holder).toEqual({ one: 1 });
      expect(await client.read((q) => q.one('SELECT 2 AS two'))).toEqual({ two: 2 });
    } finally {
      await ds.destroy();
    }
  });

  it('raises "unreachable" when the connections it waits for are failing (TCP proxy cut, then holding every packet)', async () => {
    const target = new URL(db.config.databaseUrl!);
    const proxy: TcpProxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const ds = await onePooled(proxy.url(db.config.databaseUrl!));
    try {
      const client = createSqlClient(ds);
      expect(await client.read((q) => q.one('SELECT 1 AS one'))).toEqual({ one: 1 });
      proxy.cut();
      // The pooled connection is gone, and a new one is turned away: unreachable.
      for (let i = 0; i < 2; i++) {
        const lost = await client.read((q) => q.one('SELECT 1 AS one')).catch((error: unknown) => error);
        expect(storeUnavailableReason(lost)).toBe('unreachable');
      }
      // Connections now open but never get an answer: one request holds the only slot while it connects, the next
      // waits for it. pg-pool says "timeout exceeded when trying to connect" as it would for a busy pool; after the
      // failures above, with no success since, the client reports the database unreachable.
      proxy.restore();
      proxy.delayMs = 2_000;
      const [connecting, waiting] = await Promise.all([
        client.read((q) => q.one('SELECT 1 AS one')).catch((error: unknown) => error),
        client.read((q) => q.one('SELECT 1 AS one')).catch((error: unknown) => error),
      ]);
      expect(storeUnavailableReason(connecting)).toBe('unreachable');
      expect(waiting).toBeInstanceOf(StoreUnavailableError);
      expect(storeUnavailableReason(waiting)).toBe('unreachable');
      expect(String((waiting as Error).cause)).toMatch(/timeout exceeded when trying to connect/);
      proxy.delayMs = 0;
    } finally {
      await ds.destroy().catch(() => undefined);
      await proxy.close();
    }
  });
});
