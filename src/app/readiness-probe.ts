import type { DataSource } from 'typeorm';
import type { ReadinessProbe } from '../http/operator-ports.js';
import { hasPendingMigrations } from '../store/index.js';

/** Ready = the database answers a query and no migration is pending. Never throws; failures become `detail`. */
export function createReadinessProbe(ping: () => Promise<void>, dataSource: DataSource): ReadinessProbe {
  return {
    async check() {
      const started = performance.now();
      let database;
      try {
        await ping();
        database = { ok: true, durationMs: Math.round((performance.now() - started) * 10) / 10 };
      } catch (error) {
        database = { ok: false, detail: `database unreachable: ${(error as Error).message}`.slice(0, 300) };
      }
      let migrations;
      try {
        const pending = database.ok ? await hasPendingMigrations(dataSource) : true;
        migrations = pending ? { ok: false, detail: database.ok ? 'migrations pending (run omadm-gateway migrate)' : 'unknown: database unreachable' } : { ok: true };
      } catch (error) {
        migrations = { ok: false, detail: `cannot read migrations: ${(error as Error).message}`.slice(0, 300) };
      }
      return { database, migrations };
    },
  };
}
