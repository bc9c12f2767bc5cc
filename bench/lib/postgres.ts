/**
 * A fresh PostgreSQL schema per benchmark (created here, dropped afterwards), reached by every process through
 * `?options=-c search_path=…` in the URL. `probePostgres` says why PostgreSQL cannot be used (null when it can).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export async function probePostgres(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface BenchSchema {
  name: string;
  /** The base URL with search_path set to the schema. */
  url: string;
  drop(): Promise<void>;
}

export async function createSchema(baseUrl: string, prefix = 'bench'): Promise<BenchSchema> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await admin(baseUrl, `CREATE SCHEMA "${name}"`);
  const u = new URL(baseUrl);
  u.searchParams.set('options', `-c search_path=${name}`);
  return { name, url: u.toString(), drop: () => admin(baseUrl, `DROP SCHEMA IF EXISTS "${name}" CASCADE`) };
}

export async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
