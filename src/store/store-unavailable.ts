/**
 * Whether an error means "the database cannot serve this request right now" (answer 503 with Retry-After and let the
 * client retry) rather than a fault of ours (500), and which of two reasons it is:
 *
 * - `unreachable`: the database cannot be reached or turned us away — connection refused, reset, timed out or
 *   terminated, DNS failure, authentication failure (SQLSTATE class 28), the server shutting down (57P01–57P03),
 *   connection exceptions (class 08), our own pool already closed;
 * - `busy`: the database is up but had no capacity for this request in time — pg-pool's "timeout exceeded when trying
 *   to connect" (every pooled connection stayed checked out for the whole wait: a burst, or queries that take long),
 *   the server's own connection limit (53300 too_many_connections), a SQLite file locked by another process past
 *   busy_timeout (SQLITE_BUSY).
 *
 * Looks through TypeORM's QueryFailedError (driverError), `cause` chains and AggregateError; a StoreUnavailableError
 * anywhere in the chain decides (the SQL client raises one where it knows better than the error text, sql-client.ts).
 * When a chain holds both kinds, unreachable wins.
 */
export type StoreUnavailableReason = 'busy' | 'unreachable';

export class StoreUnavailableError extends Error {
  constructor(
    readonly reason: StoreUnavailableReason,
    options?: { cause?: unknown },
  ) {
    super(reason === 'busy' ? 'the database is busy' : 'the database is unreachable', options);
    this.name = 'StoreUnavailableError';
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTCONN', 'EAI_AGAIN', 'ENOTFOUND']);
const UNREACHABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03']);
const UNREACHABLE_MESSAGES = [/connection terminated/i, /connection (?:is )?(?:closed|ended)/i, /not queryable/i, /Cannot use a pool after calling end/i];
const BUSY_CODES = new Set(['53300', 'SQLITE_BUSY']);
/** pg-pool 3.x, connect(): no pooled client became free within connectionTimeoutMillis (pg-pool/index.js). */
const POOL_WAIT_TIMEOUT = /timeout exceeded when trying to connect/i;

/** The reason an error makes the database unavailable, or null when it does not. */
export function storeUnavailableReason(error: unknown): StoreUnavailableReason | null {
  const found = new Set<StoreUnavailableReason>();
  collect(error, 0, found);
  return found.has('unreachable') ? 'unreachable' : found.has('busy') ? 'busy' : null;
}

export function isStoreUnavailable(error: unknown): boolean {
  return storeUnavailableReason(error) !== null;
}

/** pg-pool's wait for a pooled connection ran out (busy unless the SQL client knows the connections are failing). */
export function isPoolWaitTimeout(error: unknown): boolean {
  return error instanceof Error && POOL_WAIT_TIMEOUT.test(error.message);
}

function collect(error: unknown, depth: number, found: Set<StoreUnavailableReason>): void {
  if (error === null || typeof error !== 'object' || depth > 5) return;
  if (error instanceof StoreUnavailableError) {
    found.add(error.reason);
    return;
  }
  const e = error as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown; errors?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  if (NETWORK_CODES.has(code) || UNREACHABLE_SQLSTATES.has(code) || /^(08|28)/.test(code)) found.add('unreachable');
  else if (BUSY_CODES.has(code)) found.add('busy');
  if (UNREACHABLE_MESSAGES.some((m) => m.test(message))) found.add('unreachable');
  else if (POOL_WAIT_TIMEOUT.test(message)) found.add('busy');
  if (Array.isArray(e.errors)) for (const inner of e.errors) collect(inner, depth + 1, found);
  collect(e.driverError, depth + 1, found);
  collect(e.cause, depth + 1, found);
}
