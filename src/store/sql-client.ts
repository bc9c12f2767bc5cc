import { QueryFailedError, type DataSource, type QueryRunner } from 'typeorm';
import { dialectOf, type Dialect } from './dialect.js';
import { isPoolWaitTimeout, storeUnavailableReason, StoreUnavailableError } from './store-unavailable.js';

/**
 * A thin, portable SQL layer over a TypeORM DataSource.
 *
 * Repositories write plain SQL with `?` placeholders (rewritten to `$n` for PostgreSQL): the hot statements are set-based
 * (CTE updates, ON CONFLICT upserts, correlated sub-selects) that TypeORM's query builder expresses poorly, and explicit
 * SQL keeps each repository's cost visible. TypeORM still owns connections, pooling, migrations and entity metadata.
 *
 * SQLite: better-sqlite3 is one synchronous connection that TypeORM shares between all callers, so two interleaved async
 * transactions would silently nest. Every unit of work therefore runs under one async mutex, and write transactions
 * start with BEGIN IMMEDIATE (take the write lock up front; another process waits for busy_timeout instead of failing
 * mid-transaction).
 */
export interface Sql {
  readonly dialect: Dialect;
  all<T>(text: string, params?: readonly unknown[]): Promise<T[]>;
  one<T>(text: string, params?: readonly unknown[]): Promise<T | undefined>;
  /** Runs a statement and returns the number of affected rows. */
  run(text: string, params?: readonly unknown[]): Promise<number>;
}

export interface SqlClient {
  readonly dialect: Dialect;
  /** Runs reads on one connection, outside a transaction. */
  read<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
  /** Runs work in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
}

export function createSqlClient(ds: DataSource): SqlClient {
  const dialect = dialectOf(ds);
  return dialect === 'postgres' ? postgresClient(ds) : sqliteClient(ds);
}

function postgresClient(ds: DataSource): SqlClient {
  // pg-pool gives the same "timeout exceeded when trying to connect" whether the pooled connections were all busy
  // with healthy work or stuck connecting to a server that is gone (they are in the pool while they connect). Told
  // apart by what the pool saw last: a connection failure since the last unit that succeeded makes it unreachable.
  let lastSuccess = -Infinity;
  let lastUnreachable = -Infinity;
  const withRunner = async <T>(work: (runner: QueryRunner) => Promise<T>): Promise<T> => {
    const runner = ds.createQueryRunner();
    try {
      try {
        await runner.connect();
      } catch (error) {
        if (isPoolWaitTimeout(error)) throw new StoreUnavailableError(lastUnreachable > lastSuccess ? 'unreachable' : 'busy', { cause: error });
        throw error;
      }
      const result = await work(runner);
      lastSuccess = performance.now();
      return result;
    } catch (error) {
      if (storeUnavailableReason(error) === 'unreachable') lastUnreachable = performance.now();
      throw error;
    } finally {
      await runner.release();
    }
  };
  return {
    dialect: 'postgres',
    read: (work) => withRunner((runner) => work(sqlOn(runner, 'postgres'))),
    transaction: (work) =>
      withRunner(async (runner) => {
        await runner.startTransaction();
        try {
          const result = await work(sqlOn(runner, 'postgres'));
          await runner.commitTransaction();
          return result;
        } catch (error) {
          if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
          throw error;
        }
      }),
  };
}

/**
 * One queue per SQLite file in this process. better-sqlite3 blocks the event loop while it waits for a lock, so two
 * connections of one process to the same file (two DataSources, e.g. in tests) must never interleave transactions:
 * the waiting one would block the holder from ever committing. Keyed by file path; in-memory databases are private.
 */
const fileQueues = new Map<string, { tail: Promise<unknown> }>();

/**
 * How long the SQLite queues may run units of work back to back within one turn of the event loop; a unit that comes up
 * after that waits for the loop to go round once (setImmediate: timers, I/O polled).
 *
 * better-sqlite3 is synchronous, so a unit never waits for I/O: an exchange whose units find the queue free runs to its
 * reply inside the socket callback that read its request, and a backlog chained with `.then` drains as one microtask
 * chain. Either way the loop does not get round while units keep coming, and Node's HTTP server takes in at most one
 * new connection per turn (libuv accepts one connection per poll of the listening socket since libuv/libuv#3696;
 * seen here with Node 20's libuv 1.46): with 64 devices a turn lasted 0.4–0.8 s and the last connections were accepted
 * only as the wave ended (bench/README.md finding 2). Yielding only when units queue up is not enough: mostly they do
 * not — each exchange runs to its reply within its own socket callback, one callback after another in the same turn.
 * With the budget a turn runs a few milliseconds of units; a unit that finds the budget unspent (the usual case when
 * the gateway is not busy) starts at once and pays no extra turn.
 */
export const SQLITE_TURN_BUDGET_MS = 5;

/** When the current turn's budget runs out; null: no unit has run since the loop last went round. Shared by all files. */
let turnDeadline: number | null = null;

/** Whether a unit may start in this turn; the first unit of a turn opens its budget. */
function withinTurnBudget(): boolean {
  const now = performance.now();
  if (turnDeadline === null) {
    turnDeadline = now + SQLITE_TURN_BUDGET_MS;
    // Runs in this turn's check phase, or the next one's when opened there: before any unit deferred past this budget.
    setImmediate(() => {
      turnDeadline = null;
    });
    return true;
  }
  return now < turnDeadline;
}

/** Resolves on a later turn of the event loop (its check phase, after it has polled for I/O). */
const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

function sqliteClient(ds: DataSource): SqlClient {
  const file = String(ds.options.database);
  let queue = fileQueues.get(file) ?? { tail: Promise.resolve() };
  if (file === ':memory:') queue = { tail: Promise.resolve() };
  else fileQueues.set(file, queue);
  /** One unit at a time per file, in order; a unit that comes up after the turn's budget is spent waits for the next turn. */
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const start = (): Promise<T> =>
      withinTurnBudget()
        ? work()
        : nextTurn().then(() => {
            withinTurnBudget(); // opens the new turn's budget
            return work();
          });
    const result = queue.tail.then(start, start);
    queue.tail = result.catch(() => undefined);
    return result;
  };
  const runner = (): QueryRunner => ds.createQueryRunner();
  return {
    dialect: 'sqlite',
    read: (work) => exclusive(() => work(sqlOn(runner(), 'sqlite'))),
    transaction: (work) =>
      exclusive(async () => {
        const r = runner();
        await r.query('BEGIN IMMEDIATE');
        try {
          const result = await work(sqlOn(r, 'sqlite'));
          await r.query('COMMIT');
          return result;
        } catch (error) {
          await r.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      }),
  };
}

function sqlOn(runner: QueryRunner, dialect: Dialect): Sql {
  const exec = async (text: string, params: readonly unknown[]) => {
    const sqlText = dialect === 'postgres' ? numberPlaceholders(text) : text;
    return runner.query(sqlText, params.map(toDriverValue), true) as Promise<{ records?: unknown[]; affected?: number }>;
  };
  return {
    dialect,
    async all<T>(text: string, params: readonly unknown[] = []) {
      return ((await exec(text, params)).records ?? []) as T[];
    },
    async one<T>(text: string, params: readonly unknown[] = []) {
      return ((await exec(text, params)).records ?? [])[0] as T | undefined;
    },
    async run(text: string, params: readonly unknown[] = []) {
      const result = await exec(text, params);
      return result.affected ?? result.records?.length ?? 0;
    },
  };
}

/** `?` → `$1`, `$2`, … (our SQL never contains a literal question mark). */
export function numberPlaceholders(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

function toDriverValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Date) return value.getTime();
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) {
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }
  return value;
}

/** A unique or primary-key violation on either backend. */
export function isUniqueViolation(error: unknown): boolean {
  const driverError = error instanceof QueryFailedError ? (error.driverError as { code?: unknown }) : undefined;
  const code = driverError?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** PostgreSQL deadlock (40P01) or serialization failure (40001): the transaction lost a race and may simply be retried. */
export function isTransientConflict(error: unknown): boolean {
  const code = error instanceof QueryFailedError ? (error.driverError as { code?: unknown }).code : undefined;
  return code === '40P01' || code === '40001';
}
