/**
 * Durability and exclusivity: wakes survive a restart and are sent exactly once; two dispatchers (two gateway processes,
 * each with its own database connection) sharing one database never send the same wake twice.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeOnBackends, type TestDatabase } from '../support/databases.js';
import { startPushHarness, type PushHarness } from './push-harness.js';

const WAKES = 1000;
const LEASE_MS = 60_000;
/** 1,000 devices seeded, requested and sent through the real store: minutes on a loaded 2-core machine. */
const SLOW = 300_000;

describeOnBackends('push dispatcher across restarts and processes', (backend) => {
  let db: TestDatabase;
  let h: PushHarness;
  beforeAll(async () => {
    db = await backend.create();
  });
  afterAll(async () => {
    await db.dispose();
  });
  beforeEach(async () => {
    await db.reset();
    h = await startPushHarness(db.dataSource);
  });
  afterEach(async () => {
    await h.close();
  });

  async function seed(): Promise<string[]> {
    const ids = Array.from({ length: WAKES }, (_, i) => `dev-${String(i).padStart(4, '0')}`);
    for (let i = 0; i < ids.length; i += 8) await Promise.all(ids.slice(i, i + 8).map((id) => h.addDevice(id)));
    const requester = h.dispatcher({ leaseMs: LEASE_MS });
    const summary = await requester.requestWakes({ deviceIds: ids });
    expect(summary).toMatchObject({ requested: WAKES, created: WAKES });
    return ids;
  }

  function expectEachSentOnce(ids: string[]): void {
    const perChannel = new Map<string, number>();
    for (const r of h.fake.channelRequests) perChannel.set(r.channelId, (perChannel.get(r.channelId) ?? 0) + 1);
    expect(h.fake.channelRequests).toHaveLength(ids.length);
    expect([...perChannel.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(perChannel.keys())).toEqual(new Set(ids.map((id) => `ch-${id}`)));
  }

  it(`a restart resumes ${WAKES} stored wakes, including ones a crashed process had claimed, and sends each exactly once`, async () => {
    const ids = await seed();
    // The old process claimed a batch and died before sending it.
    const crashed = await h.store.claimWakes({ workerId: 'crashed-process', limit: 50, leaseMs: LEASE_MS, now: h.clock.now() });
    expect(crashed).toHaveLength(50);

    const ds = await db.connect(); // the restarted process: its own connection
    const restarted = h.dispatcher({ ds, concurrency: 32, leaseMs: LEASE_MS });
    expect(await restarted.drain()).toBe(WAKES - 50);
    h.clock.advance(LEASE_MS); // the dead process's lease runs out
    expect(await restarted.drain()).toBe(50);
    expect(await restarted.drain()).toBe(0);

    expectEachSentOnce(ids);
    const page = await h.store.listDevices({ limit: 500 });
    expect(page.items.length).toBeGreaterThan(0);
    const sample = await h.store.listWakes(ids[0] ?? '');
    expect(sample.items).toMatchObject([{ state: 'sent', attempts: 1 }]);
  }, SLOW);

  it('two dispatchers on one database never send the same wake twice', async () => {
    const ids = await seed();
    const [dsA, dsB] = [await db.connect(), await db.connect()];
    const a = h.dispatcher({ ds: dsA, workerId: 'gateway-a', concurrency: 16, leaseMs: LEASE_MS });
    const b = h.dispatcher({ ds: dsB, workerId: 'gateway-b', concurrency: 16, leaseMs: LEASE_MS });
    const [sentA, sentB] = await Promise.all([a.drain(), b.drain()]);
    expect(sentA + sentB).toBe(WAKES);
    expectEachSentOnce(ids);
  }, SLOW);
});
