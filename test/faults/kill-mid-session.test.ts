/**
 * kill -9 of the gateway in the middle of device sessions (issue 7 §5), on SQLite and PostgreSQL: `serve` runs as a
 * child process; twelve devices run sessions with queued commands concurrently; the process is SIGKILLed twice at
 * points where exchanges are in flight and restarted on the same database. Retrying devices must get every command
 * exactly once; devices that abandon a broken session (as Windows does) must get each command at least once with the
 * redelivery reported (attempts > 1); no command is lost or stuck, and every stored session is still usable.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOnBackends, type TestDatabase } from '../support/databases.js';
import { startFakeWns, type FakeWns } from '../support/fake-wns.js';
import { FaultDevice } from './fault-device.js';
import { gatewayEnv, inParallel, operator, putProvider } from './fault-env.js';
import { startGatewayProcess, type GatewayProcess } from './gateway-process.js';

const DEVICES = 12;
const COMMANDS_PER_DEVICE = 4;
const KILL_AFTER = [8, 24]; // answered exchanges before each kill -9

describeOnBackends('kill -9 in the middle of sessions', (backend) => {
  let db: TestDatabase;
  let fake: FakeWns;
  let gateway: GatewayProcess;
  let down = false;
  const url = () => (down ? '' : gateway.url);

  beforeAll(async () => {
    db = await backend.create();
    fake = await startFakeWns({ tls: false });
    gateway = await startGatewayProcess(gatewayEnv(db, fake));
    await putProvider(gateway.url, fake);
  }, 120_000);
  afterAll(async () => {
    await gateway?.stop();
    await fake?.close();
    await db?.dispose();
  });

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
    console.info(`kill-mid-session [${backend.dialect}]: ${kills} kills, ${JSON.stringify(summary)}`);
  }, 240_000);
});
