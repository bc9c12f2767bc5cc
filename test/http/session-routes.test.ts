/**
 * GET /devices/{deviceId}/sessions/{sessionId} (the session summary) and …/messages: 404 session-not-found for a
 * session the device never had, device-not-found for an unknown device; one store call when the session exists.
 * Answers are checked against the OpenAPI document by the harness.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnBackends, type TestDatabase } from '../support/databases.js';
import { startTestGateway, type TestGateway } from './gateway-harness.js';
import { storeCallsOf } from './store-calls.js';

const P = 'urn:omadm-gateway:problem:';

describeOnBackends('session routes', (backend) => {
  let db: TestDatabase;
  let t: TestGateway;
  const dev = 'dev-sessions-1';

  beforeAll(async () => {
    db = await backend.create();
    t = await startTestGateway(db);
    await t.putProvider();
    await t.checkIn({ deviceId: dev, sessionId: '21' });
    await t.checkIn({ deviceId: 'dev-sessions-2', sessionId: '22' });
  });
  afterAll(async () => {
    await t?.close();
    await db?.dispose();
  });

  it('GET …/sessions/{sessionId} is the session summary, from one store call', async () => {
    const { result: r, calls } = await storeCallsOf(t, () => t.api('GET', `/api/v1/devices/${dev}/sessions/21`));
    expect(r.status).toBe(200);
    expect(calls).toEqual({ getSession: 1 });
    const listed = await t.api('GET', `/api/v1/devices/${dev}/sessions`);
    expect(r.body).toEqual(listed.body.items[0]);
    expect(r.body).toMatchObject({ sessionId: '21', trigger: '1201', ended: true });
  });

  it('GET …/sessions/{sessionId}/messages lists the exchanges of a known session from one store call', async () => {
    const { result: r, calls } = await storeCallsOf(t, () => t.api('GET', `/api/v1/devices/${dev}/sessions/21/messages`));
    expect(r.status).toBe(200);
    expect(calls).toEqual({ listMessages: 1 });
    expect(r.body.items.length).toBeGreaterThan(1);
  });

  it('an unknown session is 404 session-not-found, on both routes; another device\'s session is unknown too', async () => {
    for (const path of [`/api/v1/devices/${dev}/sessions/99`, `/api/v1/devices/${dev}/sessions/99/messages`, `/api/v1/devices/${dev}/sessions/22`]) {
      const r = await t.api('GET', path);
      expect(r.status, path).toBe(404);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(r.body).toMatchObject({ type: `${P}session-not-found`, status: 404 });
    }
  });

  it('an unknown device is 404 device-not-found, and a bad SessionID 400', async () => {
    for (const suffix of ['/sessions/21', '/sessions/21/messages']) {
      const r = await t.api('GET', `/api/v1/devices/nobody${suffix}`);
      expect(r.body).toMatchObject({ type: `${P}device-not-found`, status: 404 });
    }
    const bad = await t.api('GET', `/api/v1/devices/${dev}/sessions/a%01b`);
    expect(bad.body).toMatchObject({ type: `${P}validation-failed`, status: 400 });
  });
});
