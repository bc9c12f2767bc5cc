import type { GatewayConfig } from '../config/index.js';
import { createDataSource, runMigrations } from '../store/index.js';

/** `omadm-gateway migrate`: opens the configured database, applies pending migrations, returns their names. */
export async function migrateDatabase(config: Pick<GatewayConfig, 'databaseUrl' | 'dataDir'>): Promise<string[]> {
  const ds = await createDataSource({ ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}), dataDir: config.dataDir, migrate: false });
  try {
    const before = new Set((await ds.query('SELECT name FROM migrations').catch(() => [])).map((r: { name: string }) => r.name));
    await runMigrations(ds);
    const after: Array<{ name: string }> = await ds.query('SELECT name FROM migrations');
    return after.map((r) => r.name).filter((name) => !before.has(name));
  } finally {
    await ds.destroy();
  }
}
