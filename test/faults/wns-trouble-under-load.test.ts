/**
 * WNS down, throttling and failing connections while devices keep checking in (issue 7 §5; the outcomes themselves are
 * the push tests' subject — here they are checked again under load). A bulk wake of 60 devices meets 503s, a throttling
 * 406 with Retry-After, and connection resets from the fake WNS, while 20 other devices run SyncML sessions at the same
 * time. Every session completes, every wake ends sent (after its retries), none is lost or duplicated beyond its retries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteBackend, type TestDatabase } from '../support/databases.js';
import { startFakeWns, type FakeWns } from '../support/fake-wns.js';
import { startSecureGateway, type SecureGateway } from '../security/secure-gateway.js';
import { FaultDevice } from './fault-device.js';
import { inParallel } from './fault-env.js';

const WOKEN = 60;
const BUSY = 20;

describe('WNS trouble under load [sqlite]', () => {
  let db: TestDatabase;
  let fake: FakeWns;
  let gw: SecureGateway;

  beforeAll(async () => {
    db = await sqliteBackend.create();
    fake = await startFakeWns();
    gw = await startSecureGateway(db, { fake, env: { RATE_LIMIT_DEVICE: '0' }, compose: { background: true, dispatcherOptions: { pollIntervalMs: 100 } } });
    await gw.putProvider();
  });
  afterAll(async () => {
    await gw.close();
    await fake.close();
    await db.dispose();
  });

  it('keeps serving sessions and eventually sends every wake', async () => {
    const channel = (i: number) => `trouble-${i}`;
    const ids = Array.from({ length: WOKEN }, (_, i) => `WOKEN-${i}`);
    await inParallel(ids.map((id, i) => [id, i] as const), 8, async ([id, i]) => {
      await new FaultDevice({ deviceId: id, url: () => gw.url, onError: 'retransmit', channelUri: fake.channelUri(channel(i)) }).checkIn();
    });
    for (let i = 0; i < WOKEN; i++) {
      if (i < 20) fake.scriptChannel(channel(i), { status: 503 });
      else if (i < 30) fake.scriptChannel(channel(i), { status: 200, reset: true });
      else if (i === 30) fake.scriptChannel(channel(i), { status: 406, headers: { 'Retry-After': '1' } });
    }

    const bulk = await gw.api('POST', '/api/v1/push', { deviceIds: ids });
    expect(bulk.status).toBe(202);
    expect(bulk.body.created).toBe(WOKEN);
    // Meanwhile other devices run their sessions.
    const busy = Array.from({ length: BUSY }, (_, i) => new FaultDevice({ deviceId: `BUSY-${i}`, url: () => gw.url, onError: 'retransmit', channelUri: fake.channelUri(`busy-${i}`) }));
    await inParallel(busy, 10, async (d) => void (await d.checkIn()));
    await inParallel(busy, 10, async (d) => void (await d.checkIn()));

    const end = Date.now() + 90_000;
    let states: Record<string, number> = {};
    while (Date.now() < end) {
      const rows = (await db.dataSource.query('SELECT state, COUNT(*) AS n FROM wakes GROUP BY state')) as Array<{ state: string; n: number }>;
      states = Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
      if ((states.sent ?? 0) === WOKEN) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(states).toEqual({ sent: WOKEN });
    for (let i = 0; i < WOKEN; i++) {
      const sends = fake.requestsTo(channel(i)).length;
      expect(sends, channel(i)).toBe(i < 31 ? 2 : 1);
    }
    const attempts = (await db.dataSource.query(`SELECT outcome, COUNT(*) AS n FROM push_attempts GROUP BY outcome`)) as Array<{ outcome: string; n: number }>;
    console.info(`wns trouble under load: wakes ${JSON.stringify(states)}, attempts ${JSON.stringify(Object.fromEntries(attempts.map((a) => [a.outcome, Number(a.n)])))}`);
  }, 180_000);
});
