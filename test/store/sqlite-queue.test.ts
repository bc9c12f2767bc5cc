/**
 * The SQLite unit-of-work queue (src/store/sql-client.ts): one unit at a time per file, in order; units run back to back
 * for at most SQLITE_TURN_BUDGET_MS of one turn of the event loop, then the next one waits for the loop to go round, so
 * I/O that arrives meanwhile is served before a backlog has drained (bench/README.md finding 2); the first unit of a turn
 * starts at once. Orderings only: a unit that must spend the budget busy-waits past it, so no outcome depends on speed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataSource } from '../../src/store/data-source.js';
import { createSqlClient, SQLITE_TURN_BUDGET_MS, type SqlClient } from '../../src/store/sql-client.js';

describe('SQLite unit queue [sqlite]', () => {
  let dataDir: string;
  let ds: DataSource;
  let sql: SqlClient;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'omadm-queue-'));
    ds = await createDataSource({ dataDir, migrate: false });
    sql = createSqlClient(ds);
    await sql.transaction((q) => q.run('CREATE TABLE queue_log (n INTEGER NOT NULL)'));
  });
  afterAll(async () => {
    await ds.destroy();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves a socket read that arrives while a backlog of units is queued before the backlog has drained', async () => {
    const { server, client, serverSide } = await connectedPair();
    try {
      const events: string[] = [];
      const read = new Promise<void>((resolve) => {
        serverSide.once('data', () => {
          events.push('socket read');
          resolve();
        });
      });
      client.write('ping'); // on loopback the bytes are in the server socket's receive queue once write returns
      const units = Array.from({ length: 10 }, (_, i) =>
        sql.transaction(async (q) => {
          events.push(`unit ${i}`);
          await q.run('INSERT INTO queue_log (n) VALUES (?)', [i]);
          spendTurnBudget();
        }),
      );
      await Promise.all([...units, read]);
      // Before the fix the ten units ran as one microtask chain and the read came after all of them; now each unit
      // spends a turn's budget, so the next waits for the loop to go round and the read is served on the way.
      expect(events.indexOf('socket read')).toBeGreaterThan(0);
      expect(events.indexOf('socket read')).toBeLessThan(events.indexOf('unit 9'));
      expect(events.filter((e) => e !== 'socket read')).toEqual(Array.from({ length: 10 }, (_, i) => `unit ${i}`));
    } finally {
      client.destroy();
      serverSide.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  it('starts the first unit of a turn at once, without waiting for the loop to go round', async () => {
    await nextTurn(); // a fresh turn: no unit has run in it yet
    const events: string[] = [];
    setImmediate(() => events.push('next turn'));
    await sql.read(async (q) => {
      events.push('unit');
      return q.all('SELECT 1 AS one');
    });
    expect(events).toEqual(['unit']);
  });

  it('makes a unit that comes up after the turn has spent its budget wait for the next turn, even with the queue idle', async () => {
    // What an exchange run inside a socket callback looks like to the next socket's exchange in the same turn.
    await nextTurn();
    const events: string[] = [];
    await sql.transaction(async (q) => {
      await q.run('INSERT INTO queue_log (n) VALUES (?)', [-1]);
      spendTurnBudget();
    });
    setImmediate(() => events.push('next turn'));
    await sql.read(async (q) => {
      events.push('unit');
      return q.all('SELECT 1 AS one');
    });
    expect(events).toEqual(['next turn', 'unit']);
  });

  it('runs queued units one at a time, in order, and goes on after a unit that fails', async () => {
    const events: string[] = [];
    const unit = (name: string, fail = false) =>
      sql.transaction(async (q) => {
        events.push(`${name} start`);
        await q.run('INSERT INTO queue_log (n) VALUES (?)', [events.length]);
        await new Promise((r) => setImmediate(r)); // a unit that awaits I/O keeps the queue to itself meanwhile
        if (fail) throw new Error(`${name} failed`);
        events.push(`${name} end`);
      });
    const results = await Promise.allSettled([unit('a'), unit('b', true), unit('c')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(events).toEqual(['a start', 'a end', 'b start', 'c start', 'c end']);
  });
});

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Busy-waits past the queue's per-turn budget (a unit that takes longer than the budget). */
function spendTurnBudget(): void {
  const until = performance.now() + SQLITE_TURN_BUDGET_MS + 1;
  while (performance.now() < until) {
    // spin
  }
}

async function connectedPair(): Promise<{ server: Server; client: Socket; serverSide: Socket }> {
  const server = createServer();
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const client = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  const serverSide = await accepted;
  // One round trip first, so the server side is reading before the test's bytes are sent.
  const hello = new Promise<void>((resolve) => serverSide.once('data', () => resolve()));
  client.write('hello');
  await hello;
  return { server, client, serverSide };
}
