/**
 * DevicePollHash1764300000000 on a database that already holds devices. On SQLite, TypeORM adds a column by rebuilding
 * the table; this checks that the rows of devices and of the tables that reference it (ON DELETE CASCADE) survive, and
 * that the foreign keys still work afterwards.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { afterEach, expect, it } from 'vitest';
import { createDataSource, dataSourceOptions } from '../../src/store/data-source.js';
import { migrations } from '../../src/store/schema.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

it('SQLite: existing devices, sessions and commands survive the new column; the cascade still holds', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'omadm-poll-mig-'));
  cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
  const before = migrations.filter((m) => m.name !== 'DevicePollHash1764300000000');
  expect(before).toHaveLength(migrations.length - 1);

  const old = new DataSource({ ...dataSourceOptions({ dataDir }), migrations: before } as ConstructorParameters<typeof DataSource>[0]);
  await old.initialize();
  await old.runMigrations({ transaction: 'all' });
  await old.query(
    `INSERT INTO devices (device_id, provider_id, dev_info, enrollment_state, provisioned_pfn, first_seen_at, last_seen_at)
     VALUES ('dev-1', 'p', '{}', 'enrolled', 'Contoso.PFN', 1, 2)`,
  );
  await old.query(`INSERT INTO sessions (device_id, session_id, state, version, ended, started_at, updated_at) VALUES ('dev-1', '1', '{}', 1, 0, 1, 2)`);
  await old.query(
    `INSERT INTO commands (id, device_id, seq, spec, state, attempts, add_fallback_to_replace, created_at)
     VALUES ('00000000-0000-4000-8000-000000000001', 'dev-1', 1, '{}', 'queued', 0, 0, 1)`,
  );
  await old.destroy();

  const ds = await createDataSource({ dataDir });
  cleanup.push(() => ds.destroy());
  expect(await ds.showMigrations()).toBe(false);
  expect(await ds.query(`SELECT device_id, provisioned_pfn, provisioned_poll_hash FROM devices`)).toEqual([
    { device_id: 'dev-1', provisioned_pfn: 'Contoso.PFN', provisioned_poll_hash: null },
  ]);
  expect(await ds.query(`SELECT COUNT(*) AS n FROM sessions`)).toEqual([{ n: 1 }]);
  expect(await ds.query(`SELECT COUNT(*) AS n FROM commands`)).toEqual([{ n: 1 }]);
  expect(await ds.query(`PRAGMA foreign_key_check`)).toEqual([]);
  await ds.query(`DELETE FROM devices WHERE device_id = 'dev-1'`);
  expect(await ds.query(`SELECT COUNT(*) AS n FROM sessions`)).toEqual([{ n: 0 }]);
  expect(await ds.query(`SELECT COUNT(*) AS n FROM commands`)).toEqual([{ n: 0 }]);
});
