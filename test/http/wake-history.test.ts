/**
 * GET /devices/{deviceId}/pushes: every wake of the page with its own WNS attempts, read by wake id in the same store
 * call as the page (no per-wake query, no cut-off at the device's newest 500 attempts). Answers are checked against
 * the OpenAPI document by the harness.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnBackends, type TestDatabase } from '../support/databases.js';
import { startTestGateway, type TestGateway } from './gateway-harness.js';
import { storeCallsOf } from './store-calls.js';

describeOnBackends('wake history', (backend) => {
  let db: TestDatabase;
  let t: TestGateway;
  const dev = 'dev-wakes-1';

  beforeAll(async () => {
    db = await backend.create();
    t = await startTestGateway(db);
    await t.putProvider();
    await t.checkIn({ deviceId: dev, sessionId: '1' });
  });
  afterAll(async () => {
    await t?.close();
    await db?.dispose();
  });

  it('lists each wake with its own attempts, even behind more than 500 newer attempts, in one store call for the page', async () => {
    const first = await t.api('POST', `/api/v1/devices/${dev}/push`, { body: { ttlSeconds: 300 } });
    await t.gateway.dispatcher.drain();
    await t.checkIn({ deviceId: dev, sessionId: '2', trigger: '1200' });
    const second = await t.api('POST', `/api/v1/devices/${dev}/push`, {});
    expect(second.body.wakeId).not.toBe(first.body.wakeId);
    await t.gateway.dispatcher.drain();
    for (let i = 0; i < 501; i++) {
      await t.gateway.store.recordPushAttempt({ wakeId: second.body.wakeId, deviceId: dev, at: new Date(), httpStatus: 503, outcome: 'retry', durationMs: 1 });
    }

    const { result: r, calls } = await storeCallsOf(t, () => t.api('GET', `/api/v1/devices/${dev}/pushes`));
    expect(r.status).toBe(200);
    expect(calls.listWakeHistory).toBe(1);
    expect(calls.listPushAttempts).toBeUndefined();
    expect(r.body.items.map((w: { wakeId: string; attempts: unknown[] }) => [w.wakeId, w.attempts.length])).toEqual([
      [second.body.wakeId, 502],
      [first.body.wakeId, 1],
    ]);
    expect(r.body.items[1]).toMatchObject({ state: 'woke', attemptCount: 1, attempts: [{ httpStatus: 200, outcome: 'received', wnsStatus: 'received' }] });
    expect(r.body.items[0].attempts.at(-1)).toMatchObject({ httpStatus: 200 });

    const page = await t.api('GET', `/api/v1/devices/${dev}/pushes?limit=1`);
    expect(page.body.items.map((w: { wakeId: string }) => w.wakeId)).toEqual([second.body.wakeId]);
    const rest = await t.api('GET', `/api/v1/devices/${dev}/pushes?limit=1&cursor=${page.body.nextCursor}`);
    expect(rest.body).toMatchObject({ items: [{ wakeId: first.body.wakeId, attempts: [{ httpStatus: 200 }] }], nextCursor: null });
  });
});
