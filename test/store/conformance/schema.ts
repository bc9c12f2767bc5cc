import { expect, it } from 'vitest';
import { hasPendingMigrations, runMigrations } from '../../../src/store/data-source.js';
import type { StoreContext } from '../conformance.js';

export function schemaCases(ctx: StoreContext): void {
  it('has migrations that create exactly what the entities describe', async () => {
    const diff = await ctx.db.dataSource.driver.createSchemaBuilder().log();
    expect(diff.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('reports no pending migration and migrates idempotently', async () => {
    expect(await hasPendingMigrations(ctx.db.dataSource)).toBe(false);
    expect(await ctx.store.hasPendingMigrations()).toBe(false);
    await runMigrations(ctx.db.dataSource);
    const applied = await ctx.db.dataSource.query('SELECT name FROM migrations');
    expect(applied).toEqual([{ name: 'InitialSchema1764100000000' }, { name: 'DeviceCredentials1764200000000' }, { name: 'DevicePollHash1764300000000' }]);
  });

  it('answers ping', async () => {
    await expect(ctx.store.ping()).resolves.toBeUndefined();
  });

  it('runs SQLite in WAL mode with foreign keys and a busy timeout', async () => {
    if (ctx.db.dialect !== 'sqlite') return;
    const q = (sql: string) => ctx.db.dataSource.query(sql) as Promise<Record<string, unknown>[]>;
    expect(await q('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(await q('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
    expect(Number(Object.values((await q('PRAGMA busy_timeout'))[0] ?? {})[0])).toBeGreaterThan(0);
  });
}
