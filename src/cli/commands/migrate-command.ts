import type { Command } from 'commander';
import { migrateDatabase } from '../../app/migrate.js';
import { loadConfig } from '../../config/index.js';
import type { CliIo } from '../cli-io.js';

/** `migrate`: apply pending database migrations and exit. */
export function registerMigrate(program: Command, io: CliIo): void {
  program
    .command('migrate')
    .description('apply pending database migrations (serve also does this on start)')
    .option('--data-dir <dir>', 'embedded database directory (env DATA_DIR, default ./data)')
    .option('--database-url <url>', 'postgres://… (env DATABASE_URL)')
    .action(async (flags: Record<string, unknown>) => {
      const config = loadConfig({ env: io.env, flags, cwd: io.cwd });
      const applied = await migrateDatabase(config);
      io.stdout.write(applied.length === 0 ? 'database is up to date\n' : `applied ${applied.length} migration(s): ${applied.join(', ')}\n`);
    });
}
