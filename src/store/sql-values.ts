/** Builders for the parameter lists of batched statements. */

/** Rows per multi-row statement: far below SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
export const BATCH_ROWS = 500;

export function chunks<T>(items: readonly T[], size = BATCH_ROWS): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `?, ?, ?` for n parameters. */
export function marks(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

/**
 * A VALUES list for rows of equal width: `(?, CAST(? AS bigint)), (…)`. `casts[i]` names an SQL type for column i when
 * PostgreSQL cannot infer it (parameters in VALUES default to text there); SQLite accepts the same CASTs.
 */
export function valuesList(rows: readonly (readonly unknown[])[], casts: readonly (string | null)[] = []): { text: string; params: unknown[] } {
  const params: unknown[] = [];
  const tuples = rows.map((row) => {
    params.push(...row);
    return `(${row.map((_, i) => (casts[i] ? `CAST(? AS ${casts[i]})` : '?')).join(', ')})`;
  });
  return { text: tuples.join(', '), params };
}

/** Normalises SQLite's 0/1 and PostgreSQL's booleans. */
export function toBool(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't' || value === 'true';
}

/** Normalises PostgreSQL's BIGINT strings. */
export function toNumber(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

export function toNumberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : toNumber(value);
}
