/**
 * GET /devices/{deviceId} and GET /devices carry the last session summary (sessionId, trigger, startedAt, updatedAt,
 * ended) read with the device in one store call. Answers are checked against the OpenAPI document by the harness.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnBackends, type TestDatabase } from '../support/databases.js';
import { startTestGateway, type TestGateway } from './gateway-harness.js';
import { storeCallsOf } from './store-calls.js';

describeOnBackends('device reads', (backend) => {
  let db: TestDatabase;
  let t: TestGateway;

  beforeAll(async () => {
    db = await backend.create();
    t = await startTestGateway(db);
    await t.putProvider();
    await t.checkIn({ deviceId: 'dev-read-1', sessionId: '11' });
    await t.checkIn({ deviceId: 'dev-read-1', sessionId: '12', trigger: '1200' });
    await t.checkIn({ deviceId: 'dev-read-2', sessionId: '5' });
  });
  afterAll(async () => {
    await t?.close();
    await db?.dispose();
  });

  it('GET /devices/{deviceId} shows the last session summary from one store call', async () => {
    const { result: r, calls } = await storeCallsOf(t, () => t.api('GET', '/api/v1/devices/dev-read-1'));
    expect(r.status).toBe(200);
    expect(calls).toEqual({ getDevice: 1 });
    expect(r.body.lastSession).toEqual({ sessionId: '12', trigger: '1200', startedAt: expect.any(String), updatedAt: expect.any(String), ended: true });
    expect(Date.parse(r.body.lastSession.updatedAt)).toBeGreaterThanOrEqual(Date.parse(r.body.lastSession.startedAt));
    const sessions = await t.api('GET', '/api/v1/devices/dev-read-1/sessions?limit=1');
    expect(r.body.lastSession).toEqual(sessions.body.items[0]);
  });

  it('GET /devices lists every device with the same summary, from one store call', async () => {
    const { result: r, calls } = await storeCallsOf(t, () => t.api('GET', '/api/v1/devices'));
    expect(calls).toEqual({ listDevices: 1 });
    expect(r.body.items.map((d: { deviceId: string; lastSession: { sessionId: string; trigger: string } }) => [d.deviceId, d.lastSession.sessionId, d.lastSession.trigger])).toEqual([
      ['dev-read-1', '12', '1200'],
      ['dev-read-2', '5', '1201'],
    ]);
    const one = await t.api('GET', '/api/v1/devices/dev-read-2');
    expect(r.body.items[1]).toEqual(one.body);
  });
});
