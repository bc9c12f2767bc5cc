import type { ValueTransformer } from 'typeorm';

/**
 * Times are stored as BIGINT milliseconds since the epoch (UTC) on both backends.
 * Why not native timestamp types: SQLite has none (TypeORM would store local-time text there), so the same column would
 * compare and sort differently per backend; epoch ms is exact to JavaScript's Date precision, compares as a number in
 * SQL on both (expiry and ordering queries), indexes well and needs no time-zone handling. The price is that node-postgres
 * returns BIGINT as a string, which this transformer (and `toMs`) normalise back to a number (safe below 2^53).
 */
export const epochMs: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: unknown) => toMsOrNull(value),
};

export function toMsOrNull(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) throw new TypeError(`not an epoch-ms value: ${String(value)}`);
  return n;
}

export function toMs(value: unknown): number {
  const n = toMsOrNull(value);
  if (n === null) throw new TypeError('missing epoch-ms value');
  return n;
}

export function dateOrNull(value: unknown): Date | null {
  const n = toMsOrNull(value);
  return n === null ? null : new Date(n);
}

export function toDate(value: unknown): Date {
  return new Date(toMs(value));
}

/** BIGINT → number (node-postgres returns BIGINT as a string). */
export const numberFromBigint: ValueTransformer = epochMs;
