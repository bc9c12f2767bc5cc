/**
 * A burst is not an outage (bench/README.md finding 5): on PostgreSQL, a request that finds every pooled connection in
 * use waits for one (10 s) and is then answered 503 + Retry-After with the reason "the database is busy" — in the
 * SyncML text, the problem body, the log line and the metric label — not "the database is unreachable" (that reason is
 * checked in test/faults/postgres-outage.test.ts). A real gateway with DATABASE_POOL_SIZE=1; its only connection is kept
 * in use by a SyncML request whose first read waits for a table lock the test holds in a transaction of its own.
 */
import type { Counter } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { serializeSyncML } from '../../src/syncml/index.js';
import { postgresBackend } from '../support/databases.js';
import { package1 } from '../support/syncml-builders.js';
import { startTestGateway } from './gateway-harness.js';

describe('database busy [postgres]', async () => {
  const backend = await postgresBackend();
  if (!backend.available) {
    it.skip(`skipped: ${backend.reason}`, () => undefined);
    return;
  }

  it('answers 503 "the database is busy" with Retry-After when no pooled connection comes free in time, and serves once one does', async () => {
    const db = await backend.create();
    const t = await startTestGateway(db, { env: { DATABASE_POOL_SIZE: '1' } });
    const holder = db.dataSource.createQueryRunner();
    try {
      await holder.connect();
      await holder.startTransaction();
      await holder.query('LOCK TABLE devices IN ACCESS EXCLUSIVE MODE');
      const pid = ((await holder.query('SELECT pg_backend_pid() AS pid')) as Array<{ pid: number }>)[0]?.pid;
      // Takes the gateway's only connection and waits on the lock with it.
      const first = t.syncml(serializeSyncML(package1({ deviceId: 'dev-busy-1', sessionID: '1' })));
      let blocked = 0;
      for (let i = 0; i < 200 && blocked === 0; i++) {
        const rows = (await db.dataSource.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [pid])) as Array<{ n: number }>;
        blocked = rows[0]?.n ?? 0;
        if (blocked === 0) await new Promise((r) => setTimeout(r, 25));
      }
      expect(blocked).toBe(1);

      t.logs.clear();
      const [syncml, api] = await Promise.all([
        t.syncml(serializeSyncML(package1({ deviceId: 'dev-busy-2', sessionID: '1' }))),
        t.api('GET', '/api/v1/devices'), // checked against the OpenAPI document by the harness
      ]);
      expect(syncml.status).toBe(503);
      expect(syncml.headers.get('retry-after')).toBe('1');
      expect(syncml.text).toBe('Temporarily unavailable: the database is busy\n');
      expect(api.status).toBe(503);
      expect(api.headers.get('retry-after')).toBe('1');
      expect(api.body).toMatchObject({ type: 'urn:omadm-gateway:problem:unavailable', detail: 'the database is busy', reason: 'database-busy' });

      const lines = t.logs.lines();
      expect(lines.find((l) => l.msg === 'syncml request shed')).toMatchObject({ level: 'warn', reason: 'the database is busy', outcome: 'database-busy' });
      expect(lines.find((l) => l.msg === 'request shed: temporarily unavailable')).toMatchObject({ level: 'warn', reason: 'database-busy' });
      expect(JSON.stringify(lines)).not.toMatch(/unreachable/);
      const messages = (await (t.gateway.metrics.registry.getSingleMetric('omadm_syncml_messages_total') as Counter).get()).values;
      expect(messages.find((v) => v.labels.outcome === 'database-busy')?.value).toBe(1);
      expect(messages.some((v) => v.labels.outcome === 'database-unreachable' || v.labels.outcome === 'unavailable')).toBe(false);
      const operations = (await (t.gateway.metrics.registry.getSingleMetric('omadm_db_operation_duration_seconds') as Counter).get()).values;
      expect(operations.some((v) => v.labels.result === 'database-busy')).toBe(true);

      await holder.commitTransaction();
      expect((await first).status).toBe(200);
      expect((await t.syncml(serializeSyncML(package1({ deviceId: 'dev-busy-2', sessionID: '1' })))).status).toBe(200);
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction().catch(() => undefined);
      await holder.release();
      await t.close();
      await db.dispose();
    }
  }, 60_000);
});
