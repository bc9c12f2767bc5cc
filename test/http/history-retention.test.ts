/**
 * ALERT_RETENTION / PUSH_ATTEMPT_RETENTION reach the store through the composition root: GET …/pushes shows only the
 * device's newest attempts. HISTORY_TRIM_EVERY=1 makes the trim exact for the test. Answers are checked against the
 * OpenAPI document by the harness.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnBackends, type TestDatabase } from '../support/databases.js';
import { startTestGateway, type TestGateway } from './gateway-harness.js';

describeOnBackends('history retention', (backend) => {
  let db: TestDatabase;
  let t: TestGateway;
  const dev = 'dev-retention-1';

  beforeAll(async () => {
    db = await backend.create();
    t = await startTestGateway(db, { env: { ALERT_RETENTION: '2', PUSH_ATTEMPT_RETENTION: '3', HISTORY_TRIM_EVERY: '1' } });
    await t.putProvider();
    await t.checkIn({ deviceId: dev, sessionId: '1' });
  });
  afterAll(async () => {
    await t?.close();
    await db?.dispose();
  });

  it('keeps the newest push attempts of the device across its wakes', async () => {
    const first = await t.api('POST', `/api/v1/devices/${dev}/push`, {});
    await t.gateway.dispatcher.drain();
    await t.checkIn({ deviceId: dev, sessionId: '2', trigger: '1200' });
    const second = await t.api('POST', `/api/v1/devices/${dev}/push`, {});
    for (let i = 0; i < 3; i++) {
      await t.gateway.store.recordPushAttempt({ wakeId: second.body.wakeId, deviceId: dev, at: new Date(), httpStatus: 503, outcome: 'retry', durationMs: 1 });
    }
    const before = await t.api('GET', `/api/v1/devices/${dev}/pushes`);
    expect(before.body.items.map((w: { wakeId: string; attempts: unknown[] }) => [w.wakeId, w.attempts.length])).toEqual([
      [second.body.wakeId, 3],
      [first.body.wakeId, 0],
    ]);
    await t.gateway.dispatcher.drain();
    const after = await t.api('GET', `/api/v1/devices/${dev}/pushes`);
    expect(after.body.items[0].attempts.map((a: { httpStatus: number }) => a.httpStatus)).toEqual([200, 503, 503]);
    expect(after.body.items[1]).toMatchObject({ wakeId: first.body.wakeId, state: 'woke', attemptCount: 1, attempts: [] });
  });

  it('keeps the newest alerts of the device', async () => {
    for (let i = 0; i < 3; i++) {
      await t.gateway.store.commitExchange({
        session: { deviceId: dev, sessionId: `a${i}`, trigger: '1201', startedAt: new Date().toISOString(), updatedAt: new Date().toISOString(), ended: true, version: 0, data: {} },
        expectedVersion: null,
        effects: [{ type: 'alert.received', deviceId: dev, sessionId: `a${i}`, alert: '1226', data: String(i), at: new Date() }],
      });
    }
    expect((await t.gateway.store.listAlerts({ deviceId: dev })).items.map((a) => a.data)).toEqual(['2', '1']);
  });
});
