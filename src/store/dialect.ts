import type { DataSource } from 'typeorm';

/** The two backends the store supports. Everything dialect-specific is decided from this value. */
export type Dialect = 'sqlite' | 'postgres';

export function dialectOf(ds: DataSource): Dialect {
  return ds.options.type === 'postgres' ? 'postgres' : 'sqlite';
}

/** True for a `postgres://` or `postgresql://` URL; anything else selects embedded SQLite. */
export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//i.test(url);
}
