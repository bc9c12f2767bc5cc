/**
 * kill -9 of the gateway (issue 7 §5), on SQLite and PostgreSQL. `serve` runs as a child process (bin/omadm-gateway.js,
 * configuration in the environment) and is SIGKILLed — no shutdown hook runs — then restarted on the same database.
 *
 * 1. In the middle of device sessions: devices run sessions with queued commands concurrently; the process dies while
 *    exchanges are in flight. Retrying devices must get every command exactly once; devices that abandon a broken
 *    session (as Windows does) must get each command at least once with the redelivery reported (attempts > 1); no
 *    command is lost or stuck, and every stored session is still usable.
 * 2. In the middle of a wake fan-out: devices with channels on the fake WNS, one bulk wake, SIGKILL once the fake has
 *    seen a first share of the wakes, restart, the operator repeats the bulk request (as a client that lost the answer
 *    would). Every device ends with exactly one wake (the repeat coalesces); every wake is sent (the fake received it)
 *    or reported in flight ('sending' under the dead process's lease); nothing stays pending, nothing fails, no channel
 *    is sent more than twice. Then a dispatcher whose clock runs 61 s ahead (the lease is 60 s) takes the in-flight
 *    wakes over, and every wake is sent.
 *
 * One process lifetime per backend serves both scenarios (a process start is the expensive part of these tests).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { composeGateway } from '../../src/app/compose.js';
import { loadConfig } from '../../src/config/index.js';
import { describeOnBackends, type TestDatabase } from '../support/databases.js';
import { startFakeWns, type FakeWns } from '../support/fake-wns.js';
import { FaultDevice } from './fault-device.js';
import { gatewayEnv, inParallel, operator, putProvider } from './fault-env.js';
import { startGatewayProcess, type GatewayProcess } from './gateway-process.js';

const DEVICES = 10;
const COMMANDS_PER_DEVICE = 4;
const KILL_AFTER = [10]; // answered exchanges before each kill -9 in the session scenario
const FAN_OUT_DEVICES = 100;
const KILL_AT_RECEIVED = 25;

describeOnBackends('kill -9 of the gateway process', (backend) => {
  let db: TestDatabase;
  let fake: FakeWns;
  let gateway: GatewayProcess;
  let env: Record<string, string>;
  let down = false;
  const url = () => (down ? '' : gateway.url);

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

  it('loses no queued command, delivers each once to retrying devices, reports redeliveries, keeps sessions usable', async () => {
    const ids = Array.from({ length: DEVICES }, (_, i) => `KILL-${backend.dialect}-${i}`);
    let exchanges = 0;
    let kills = 0;
    let killing: Promise<void> | null = null;
    const onExchange = () => {
      exchanges += 1;
      if (kills < KILL_AFTER.length && exchanges >= KILL_AFTER[kills]! && !killing) {
        kills += 1;
        down = true;
        killing = (async () => {
          await gateway.kill();
          await gateway.restart();
          down = false;
          killing = null;
        })();
      }
    };
    const devices = ids.map((deviceId, i) => new FaultDevice({ deviceId, url, onError: i % 3 === 0 ? 'abandon' : 'retransmit', onExchange, channelUri: fake.channelUri(`kill-${i}`) }));

    // First contact (no kill yet), then the queue: Get, Replace, Atomic, Get per device.
    await inParallel(ids, 6, async (deviceId) => void (await new FaultDevice({ deviceId, url, onError: 'retransmit' }).checkIn()));
    const queued = new Map<string, Array<{ id: string; target: string }>>();
    for (const deviceId of ids) {
      const list: Array<{ id: string; target: string }> = [];
      for (let k = 0; k < COMMANDS_PER_DEVICE; k++) {
        const target = `./DevDetail/Ext/K${k}`;
        const spec = k === 1 ? { verb: 'Replace', target: `./Vendor/MSFT/Policy/Config/X/K${k}`, data: '1', format: 'int' } : { verb: 'Get', target };
        const r = await operator(gateway.url, 'POST', `/api/v1/devices/${deviceId}/commands`, spec);
        expect(r.status).toBe(202);
        list.push({ id: r.body.id, target: spec.target });
      }
      queued.set(deviceId, list);
    }

    exchanges = 0;
    await Promise.all(devices.map((d) => d.checkIn()));
    while (killing) await killing;
    expect(kills).toBe(KILL_AFTER.length);
    expect(gateway.alive()).toBe(true);

    // A second round of sessions for everyone: anything left over from a broken session is delivered now.
    await Promise.all(devices.map((d) => d.checkIn()));

    const summary = { exactlyOnce: 0, redeliveredAndReported: 0, abandoned: 0, retransmissions: 0 };
    for (const [i, device] of devices.entries()) {
      summary.abandoned += device.abandoned;
      summary.retransmissions += device.retransmissions;
      for (const { id, target } of queued.get(ids[i]!)!) {
        const c = (await operator(gateway.url, 'GET', `/api/v1/devices/${ids[i]}/commands/${id}`)).body;
        expect(['done', 'failed'], `${ids[i]} ${target}: ${JSON.stringify(c)}`).toContain(c.state);
        const got = device.received.get(target) ?? 0;
        expect(got, `${ids[i]} ${target} never reached the device`).toBeGreaterThanOrEqual(1);
        if (got === 1) summary.exactlyOnce += 1;
        else {
          // Delivered more than once: only after a broken session, and visible to the operator.
          expect(c.attempts ?? 0, `${ids[i]} ${target} delivered ${got}× silently`).toBeGreaterThanOrEqual(got);
          summary.redeliveredAndReported += 1;
        }
        if (device.o.onError === 'retransmit') expect(got, `${ids[i]} ${target}`).toBe(1);
      }
    }
    // Stored sessions are intact: every row's state reads back, and every device can still run a normal session.
    const rows = (await db.dataSource.query('SELECT state FROM sessions')) as Array<{ state: string }>;
    for (const row of rows) expect(() => JSON.parse(row.state)).not.toThrow();
    await Promise.all(devices.map(async (d) => expect((await d.checkIn()).length).toBeGreaterThan(0)));
    console.info(`kill -9 mid-session [${backend.dialect}]: ${kills} kills, ${JSON.stringify(summary)}`);
  }, 240_000);

  it('sends or reports every wake, exactly one per device, after a kill and an operator retry', async () => {
    const ids = Array.from({ length: FAN_OUT_DEVICES }, (_, i) => `FAN-${backend.dialect}-${i}`);
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
    const killedAt = Date.now();
    const receivedAtKill = fake.channelRequests.length - before;
    const firstAnswer = await bulk;
    await gateway.restart();

    const retry = await operator(gateway.url, 'POST', '/api/v1/push', { deviceIds: ids });
    expect(retry.status).toBe(202);
    expect(retry.body.created + retry.body.coalesced + retry.body.refusedCount).toBe(FAN_OUT_DEVICES);
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
    expect(perDevice.size).toBe(FAN_OUT_DEVICES);
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
    // The operator sees each wake that was in flight when the process died as such. Only the dead process's claims
    // (lease taken before the kill, so it ends by killedAt + 60 s) stay 'sending': one the restarted process claimed
    // may be settled between the query above and this read.
    const sample = wakes.find((w) => w.state === 'sending' && Number(w.claimed_until) <= killedAt + 60_000);
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
      `kill -9 mid-fan-out [${backend.dialect}]: first bulk answer ${firstAnswer.status}, received at kill ${receivedAtKill}, ` +
        `retry ${JSON.stringify({ created: retry.body.created, coalesced: retry.body.coalesced })}, states ${JSON.stringify(states)}, ` +
        `in flight under the dead lease ${inFlight}, channels sent twice ${duplicates}`,
    );
  }, 240_000);
});
