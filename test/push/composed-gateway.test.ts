/**
 * Push as the composition root wires it: configuration from the environment reaches the store and the WNS agent.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeOnBackends, type TestDatabase } from '../support/databases.js';
import { startTestGateway, type TestGateway } from '../http/gateway-harness.js';
import { manualClock } from './wns-rig.js';

describeOnBackends('push in the composed gateway', (backend) => {
  let db: TestDatabase;
  let t: TestGateway | undefined;
  beforeAll(async () => {
    db = await backend.create();
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await db.reset();
  });
  afterAll(async () => {
    await db?.dispose();
  });

  it('WAKE_MAX_AGE_SECONDS: an unsent wake expires after it, with the reason in the API', async () => {
    const clock = manualClock();
    t = await startTestGateway(db, { env: { WAKE_MAX_AGE_SECONDS: '60' }, compose: { clock: clock.now } });
    await t.checkIn({ deviceId: 'dev-old', sessionId: '1' });
    const wake = await t.api('POST', '/api/v1/devices/dev-old/push', { body: {} });
    expect(wake.status).toBe(202);
    clock.advance(59_999);
    expect(await t.gateway.dispatcher.sweep()).toBe(0);
    clock.advance(1);
    expect(await t.gateway.dispatcher.sweep()).toBe(1);
    const pushes = await t.api('GET', '/api/v1/devices/dev-old/pushes');
    expect(pushes.body.items[0]).toMatchObject({
      wakeId: wake.body.wakeId,
      state: 'expired',
      attemptCount: 0,
      reason: expect.stringMatching(/^not sent within the maximum wake age of 1 min \(WAKE_MAX_AGE_SECONDS\)/),
    });
  });
});
