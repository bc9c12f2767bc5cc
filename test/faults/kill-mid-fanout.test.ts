/**
 * kill -9 of the gateway in the middle of a wake fan-out (issue 7 §5), on SQLite and PostgreSQL: 150 devices with
 * channels on the fake WNS, one bulk wake, SIGKILL once the fake has seen a first share of the wakes, restart, the
 * operator repeats the bulk request (as a client that lost the answer would). Every device ends with exactly one wake
 * (the repeat coalesces), and every wake is either sent (the fake WNS received it) or reported in flight: 'sending'
 * under the dead process's lease. Nothing stays pending, nothing fails, no channel is sent more than twice. Finally a
 * dispatcher whose clock runs 61 s ahead (the lease is 60 s) takes the in-flight wakes over: then every wake is sent.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { composeGateway } from '../../src/app/compose.js';
import { loadConfig } from '../../src/config/index.js';
import { describeOnBackends, type TestDatabase } from '../support/databases.js';
import { startFakeWns, type FakeWns } from '../support/fake-wns.js';
import { FaultDevice } from './fault-device.js';
import { gatewayEnv, inParallel, operator, putProvider } from './fault-env.js';
import { startGatewayProcess, type GatewayProcess } from './gateway-process.js';

const DEVICES = 150;
const KILL_AT_RECEIVED = 30;

describeOnBackends('kill -9 in the middle of a wake fan-out', (backend) => {
  let db: TestDatabase;
  let fake: FakeWns;
  let gateway: GatewayProcess;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await backend.create();
    fake = await startFakeWns({ tls: false });
    env = gatewayEnv(db, fake);
    gateway = await startGatewayProcess(env);
    await putProvider(gateway.url, fake);
  }, 120_000);
  afterAll(async () => {
    await gateway?.stop();
    await fake?.close();
    await db?.dispose();
  });

  const query = (sql: string) => db.dataSource.query(sql) as Promise<Array<Record<string, unknown>>>;

  it('sends or reports every wake, exactly one per device, after a kill and an operator retry', async () => {
    const ids = Array.from({ length: DEVICES }, (_, i) => `FAN-${backend.dialect}-${i}`);
    const channelOf = (i: number) => `fan-${backend.dialect}-${i}`;
    await inParallel(ids.map((id, i) => [id, i] as const), 8, async ([deviceId, i]) => {
      await new FaultDevice({ deviceId, url: () => gateway.url, onError: 'retransmit', channelUri: fake.channelUri(channelOf(i)) }).checkIn();
    });
    const before = fake.channelRequests.length;

    // The bulk request; the answer may or may not arrive before the kill.
    const bulk = operator(gateway.url, 'POST', '/api/v1/push', { deviceIds: ids }).catch((e: Error) => ({ status: 0, body: e.message }));
    const deadline = Date.now() + 60_000;
    while (fake.channelRequests.length - before < KILL_AT_RECEIVED && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await gateway.kill();
    const receivedAtKill = fake.channelRequests.length - before;
    const firstAnswer = await bulk;
    await gateway.restart();

    const retry = await operator(gateway.url, 'POST', '/api/v1/push', { deviceIds: ids });
    expect(retry.status).toBe(202);
    expect(retry.body.created + retry.body.coalesced + retry.body.refusedCount).toBe(DEVICES);
    expect(retry.body.refusedCount).toBe(0);

    // Settle: nothing pending any more (the new process sends what the dead one never claimed).
    const settleBy = Date.now() + 60_000;
    let states: Record<string, number> = {};
    for (;;) {
      const rows = await query('SELECT state, COUNT(*) AS n FROM wakes GROUP BY state');
      states = Object.fromEntries(rows.map((r) => [String(r.state), Number(r.n)]));
      if ((states.pending ?? 0) === 0 || Date.now() > settleBy) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const wakes = await query('SELECT device_id, channel_uri, state, claimed_until FROM wakes');
    const perDevice = new Map<string, number>();
    for (const w of wakes) perDevice.set(String(w.device_id), (perDevice.get(String(w.device_id)) ?? 0) + 1);
    expect(perDevice.size).toBe(DEVICES);
    expect([...perDevice.values()].every((n) => n === 1)).toBe(true);
    expect(states.pending ?? 0).toBe(0);
    expect(states.failed ?? 0).toBe(0);

    const now = Date.now();
    let inFlight = 0;
    let duplicates = 0;
    for (const w of wakes) {
      const channelId = new URL(String(w.channel_uri)).pathname.slice(1);
      const got = fake.requestsTo(channelId).length;
      expect(got, `${String(w.device_id)}: ${got} sends`).toBeLessThanOrEqual(2);
      if (got === 2) duplicates += 1;
      if (w.state === 'sent') expect(got, `${String(w.device_id)} marked sent but never received`).toBeGreaterThanOrEqual(1);
      else {
        // In flight when the process died: reported as 'sending' until its lease lapses, then taken over.
        expect(w.state, String(w.device_id)).toBe('sending');
        expect(Number(w.claimed_until)).toBeGreaterThan(now - 1_000);
        expect(Number(w.claimed_until)).toBeLessThan(now + 61_000);
        inFlight += 1;
      }
    }
    // The operator sees each in-flight wake as such.
    const sample = wakes.find((w) => w.state === 'sending');
    if (sample) {
      const pushes = (await operator(gateway.url, 'GET', `/api/v1/devices/${String(sample.device_id)}/pushes`)).body;
      expect(pushes.items[0].state).toBe('sending');
    }
    expect(gateway.alive()).toBe(true);

    // The lease runs out (a clock 61 s ahead): the in-flight wakes are taken over and sent; then every wake is sent.
    const later = await composeGateway(loadConfig({ env: { ...env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent' } }), {
      clock: () => new Date(Date.now() + 61_000),
      dispatcherOptions: { pollIntervalMs: 100 },
    });
    try {
      await later.listen();
      const by = Date.now() + 30_000;
      let left = inFlight;
      while (left > 0 && Date.now() < by) {
        await new Promise((r) => setTimeout(r, 200));
        left = Number((await query(`SELECT COUNT(*) AS n FROM wakes WHERE state <> 'sent'`))[0]!.n);
      }
      expect(left).toBe(0);
    } finally {
      await later.close();
    }
    for (const w of await query('SELECT channel_uri FROM wakes')) {
      const got = fake.requestsTo(new URL(String(w.channel_uri)).pathname.slice(1)).length;
      expect(got).toBeGreaterThanOrEqual(1);
      expect(got).toBeLessThanOrEqual(2);
    }
    console.info(
      `kill-mid-fanout [${backend.dialect}]: first bulk answer ${firstAnswer.status}, received at kill ${receivedAtKill}, ` +
        `retry ${JSON.stringify({ created: retry.body.created, coalesced: retry.body.coalesced })}, states ${JSON.stringify(states)}, ` +
        `in flight under the dead lease ${inFlight}, channels sent twice ${duplicates}`,
    );
  }, 240_000);
});
