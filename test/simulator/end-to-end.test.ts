/**
 * The simulated devices against a real in-process gateway (the composition root, src/app/compose.ts) on SQLite and
 * PostgreSQL, with WNS pointed at the fake WNS: check-in, push provisioning, queued commands, wakes through the
 * push dispatcher and the fake, 1200 sessions, and every command result read back through the operator API.
 * SIM_E2E_DEVICES raises the device count (default 20; the machine is shared, keep it small in CI).
 */
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Gateway } from '../../src/app/compose.js';
import type { SyncML } from '../../src/syncml/model.js';
import { describeOnBackends, type TestDatabase } from '../support/databases.js';
import { operatorApi, startE2eGateway, stopE2eGateway } from '../support/e2e-gateway.js';
import type { FakeWns } from '../support/fake-wns.js';
import { fakeWnsRegistrar } from '../support/simulator/fake-wns-registrar.js';
import { createHttpTransport } from '../support/simulator/http-transport.js';
import { runSimulation } from '../support/simulator/run-simulation.js';
import { formatSummary } from '../support/simulator/simulation-summary.js';
import { DAY, SimClock } from '../support/simulator/sim-clock.js';
import { LARGE_OBJECT_PATH, largeText } from '../support/simulator/device-tree.js';
import { SimulatedDevice } from '../support/simulator/simulated-device.js';

const PFN = 'Contoso.MDM_8wekyb3d8bbwe';
const DEVICES = Number(process.env['SIM_E2E_DEVICES'] ?? 20);
const CAMERA = './Vendor/MSFT/Policy/Config/Camera/AllowCamera';

describeOnBackends('simulated devices ↔ gateway', (backend) => {
  let db: TestDatabase;
  let fake: FakeWns;
  let gateway: Gateway;
  let base: string;
  let syncmlUrl: string;
  const api = (method: string, path: string, body?: unknown) => operatorApi({ base, gateway }, method, path, body);

  beforeAll(async () => {
    ({ db, fake, gateway, base, syncmlUrl } = await startE2eGateway(backend));
  });

  afterAll(() => stopE2eGateway({ gateway, fake, db }));

  beforeEach(async () => {
    await db.reset();
    const put = await api('PUT', '/providers/omadm-gateway', { pfn: PFN, wns: { clientId: fake.defaultClient.clientId, clientSecret: fake.defaultClient.clientSecret } });
    expect([200, 201]).toContain(put.status);
  });

  it(`${DEVICES} devices: check-in, push provisioning, queued commands, wakes, 1200 sessions, every result accounted for`, async () => {
    const queued = new Map<string, string[]>();
    const { summary, devices } = await runSimulation({
      serverUrl: syncmlUrl,
      devices: DEVICES,
      concurrency: 8,
      wnsFake: fake,
      afterCheckIn: async ({ devices }) => {
        for (const d of devices) {
          const ids: string[] = [];
          for (const spec of [
            { verb: 'Replace', target: CAMERA, data: '0', format: 'int' },
            { verb: 'Get', target: './DevDetail/SwV' },
            { verb: 'Atomic', commands: [{ verb: 'Replace', target: CAMERA, data: '1', format: 'int' }, { verb: 'Replace', target: './DevInfo/Man', data: 'x', format: 'chr' }] },
          ]) {
            const r = await api('POST', `/devices/${d.deviceId}/commands`, spec);
            expect(r.status, JSON.stringify(r.body)).toBe(202);
            ids.push(r.body.id);
          }
          queued.set(d.deviceId, ids);
          const push = await api('POST', `/devices/${d.deviceId}/push`, {});
          expect(push.status, JSON.stringify(push.body)).toBe(202);
        }
        await gateway.dispatcher.drain();
      },
      waitForWakes: { timeoutMs: 30_000 },
    });

    if (process.env['SIM_E2E_PRINT']) console.log(formatSummary(summary));
    expect(summary.checkIns).toEqual({ ok: DEVICES, failed: 0 });
    expect(summary.violations).toEqual({ count: 0, first: [] });
    expect(summary.errors).toEqual({ count: 0, first: [] });
    expect(summary.push).toEqual({ withChannel: DEVICES, byStatus: { '0': DEVICES } });
    expect(summary.wakes).toMatchObject({ delivered: DEVICES, received: DEVICES, ignored: 0, sessionsOpened: DEVICES, timedOut: false });
    expect(summary.sessions.byEnd).toEqual({ completed: 2 * DEVICES });
    expect(summary.commandResults).toMatchObject({ 'Replace 200': 2 * DEVICES, 'Replace 405': DEVICES, 'Replace 216': DEVICES, 'Atomic 507': DEVICES });

    for (const d of devices) {
      const [replaceId, getId, atomicId] = queued.get(d.deviceId)!;
      expect((await api('GET', `/devices/${d.deviceId}/commands/${replaceId}`)).body).toMatchObject({ state: 'done', status: '200' });
      const get = (await api('GET', `/devices/${d.deviceId}/commands/${getId}`)).body;
      expect(get).toMatchObject({ state: 'done', status: '200' });
      expect(get.results[0]).toMatchObject({ source: './DevDetail/SwV', data: '10.0.22631.4317' });
      const atomic = (await api('GET', `/devices/${d.deviceId}/commands/${atomicId}`)).body;
      expect(atomic).toMatchObject({ state: 'failed', status: '507' });
      expect(atomic.children.map((c: { status: string }) => c.status)).toEqual(['216', '405']);
      expect(d.tree.read(CAMERA)).toBe('0');
      const device = (await api('GET', `/devices/${d.deviceId}`)).body;
      expect(device.push).toMatchObject({ pfnProvisioned: true, status: 0, channelUri: d.push.state().channelUri, usable: true });
      expect(device.devInfo).toMatchObject({ DevId: d.deviceId, Man: 'Contoso' });
      const pushes = (await api('GET', `/devices/${d.deviceId}/pushes`)).body;
      expect(JSON.stringify(pushes)).toContain('woke');
    }
  });

  it('an expired channel: WNS answers 410, the gateway sets the PFN again, the device registers a new channel and wakes', async () => {
    const clock = new SimClock(new Date());
    const registrar = fakeWnsRegistrar(fake);
    const transport = createHttpTransport();
    const device = new SimulatedDevice({ serverUrl: syncmlUrl, transport, clock, registrar, deviceId: 'E2E00000-5349-4D00-8000-000000000410', polling: false });
    try {
      await device.checkIn();
      const first = device.push.state().channelUri!;
      expect((await api('GET', `/devices/${device.deviceId}`)).body.push).toMatchObject({ channelUri: first, status: 0 });
      // The device stays offline past the renewal window: no renewal, the channel expires (Status 5, WNS 410).
      device.setOnline(false);
      await clock.advance(31 * DAY);
      device.setOnline(true);
      expect(device.push.state()).toMatchObject({ status: 5, channelUri: first });

      expect((await api('POST', `/devices/${device.deviceId}/push`, {})).status).toBe(202);
      await gateway.dispatcher.drain();
      await device.idle();
      expect(device.sessions).toHaveLength(1); // the wake never arrived
      const attempts = JSON.stringify((await api('GET', `/devices/${device.deviceId}/pushes`)).body);
      expect(attempts).toContain('410');

      await device.checkIn();
      const second = device.push.state().channelUri!;
      expect(second).not.toBe(first);
      const pfnCommands = device.sessions[1]!.executed.filter((e) => e.targets[0]?.endsWith('/Push/PFN'));
      expect(pfnCommands.map((e) => `${e.kind}:${e.status}`)).toEqual(['Replace:200']);
      expect((await api('GET', `/devices/${device.deviceId}`)).body.push).toMatchObject({ channelUri: second, status: 0, usable: true });

      expect((await api('POST', `/devices/${device.deviceId}/push`, {})).status).toBe(202);
      await gateway.dispatcher.drain();
      for (let i = 0; i < 100 && device.sessions.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
      await device.idle();
      expect(device.sessions.map((s) => s.trigger)).toEqual(['1201', '1201', '1200']);
      expect(device.sessions.flatMap((s) => s.violations)).toEqual([]);
    } finally {
      device.stop();
      registrar.detach();
    }
  });

  it('a device in battery saver reports Push/Status 7; the gateway stores it with its meaning', async () => {
    const clock = new SimClock(new Date());
    const registrar = fakeWnsRegistrar(fake);
    const device = new SimulatedDevice({ serverUrl: syncmlUrl, transport: createHttpTransport(), clock, registrar, deviceId: 'E2E00000-5349-4D00-8000-000000000007', polling: false });
    try {
      await device.checkIn();
      device.setBatterySaver(true);
      await device.checkIn();
      const push = (await api('GET', `/devices/${device.deviceId}`)).body.push;
      expect(push.status).toBe(7);
      expect(String(push.statusMeaning)).toMatch(/power|connectivity/i);
    } finally {
      device.stop();
      registrar.detach();
    }
  });

  it('user unenrollment: the 1226 alert marks the device unenrolled', async () => {
    const clock = new SimClock(new Date());
    const device = new SimulatedDevice({ serverUrl: syncmlUrl, transport: createHttpTransport(), clock, deviceId: 'E2E00000-5349-4D00-8000-000000001226', polling: false });
    await device.checkIn();
    await device.unenrollByUser();
    expect(device.sessions.map((s) => s.endedBy)).toEqual(['completed', 'completed']);
    expect((await api('GET', `/devices/${device.deviceId}`)).body.enrollmentState).toBe('unenrolled');
  });

  const single = (id: string, extra: Partial<ConstructorParameters<typeof SimulatedDevice>[0]> = {}) => {
    const clock = new SimClock(new Date());
    const registrar = fakeWnsRegistrar(fake);
    const device = new SimulatedDevice({ serverUrl: syncmlUrl, transport: createHttpTransport(), clock, registrar, deviceId: id, polling: false, ...extra });
    return { device, clock, registrar, done: () => (device.stop(), registrar.detach()) };
  };

  it('protocol corners over HTTP: large object, split packages, Add fallback for the PFN', async () => {
    const fromServer: SyncML[] = [];
    const { device, done } = single('E2E00000-5349-4D00-8000-00000000C0DE', {
      pfnMode: 'add-required',
      maxMsgSize: 4_000,
      largeObjectBytes: 30_000,
      largeObjectChunkBytes: 3_000,
      onExchange: (_sent, received) => fromServer.push(received),
    });
    try {
      await device.checkIn();
      expect(device.sessions[0]!.executed.filter((e) => e.targets[0]?.endsWith('/Push/PFN')).map((e) => `${e.kind}:${e.status}`)).toEqual(['Replace:404', 'Add:200']);
      const ids: string[] = [];
      const large = await api('POST', `/devices/${device.deviceId}/commands`, { verb: 'Get', target: LARGE_OBJECT_PATH });
      ids.push(large.body.id);
      for (let i = 0; i < 30; i++) ids.push((await api('POST', `/devices/${device.deviceId}/commands`, { verb: 'Get', target: './DevInfo/Lang' })).body.id);
      await device.checkIn();
      const s = device.sessions[1]!;
      expect(s.violations).toEqual([]);
      expect(s.largeObjectChunks).toBe(10);
      // Under the device's MaxMsgSize the gateway spreads the 31 Gets over several messages.
      expect(fromServer.filter((m) => m.body.commands.some((c) => c.kind === 'Get')).length).toBeGreaterThan(1);
      const big = (await api('GET', `/devices/${device.deviceId}/commands/${ids[0]}`)).body;
      expect(big).toMatchObject({ state: 'done', status: '200' });
      expect(big.results[0].data).toBe(largeText(device.deviceId, 30_000));
      for (const id of ids.slice(1)) expect((await api('GET', `/devices/${device.deviceId}/commands/${id}`)).body.state).toBe('done');
    } finally {
      done();
    }
  });

  it('channel renewal at 15 days: a session reports the new ChannelURI and the gateway uses it', async () => {
    const { device, clock, done } = single('E2E00000-5349-4D00-8000-000000000015');
    try {
      await device.checkIn();
      const first = device.push.state().channelUri;
      await clock.advance(15 * DAY);
      expect(device.sessions.map((s) => s.reason)).toEqual(['check-in', 'channel-renewal']);
      const second = device.push.state().channelUri;
      expect(second).not.toBe(first);
      expect((await api('GET', `/devices/${device.deviceId}`)).body.push).toMatchObject({ channelUri: second, usable: true });
    } finally {
      done();
    }
  });

  it('server unenrollment queued through the API: no answer to the Exec, the 1226 alert, device unenrolled', async () => {
    const { device, done } = single('E2E00000-5349-4D00-8000-00000000DEAD');
    try {
      await device.checkIn();
      const id = (await api('POST', `/devices/${device.deviceId}/commands`, { verb: 'Exec', target: './Vendor/MSFT/DMClient/Provider/omadm-gateway/Unenroll', data: 'omadm-gateway', format: 'chr' })).body.id;
      await device.checkIn();
      expect(device.sessions.map((s) => `${s.reason}:${s.endedBy}`)).toEqual(['check-in:completed', 'check-in:unenroll', 'unenroll-alert:completed']);
      expect(device.enrolled).toBe(false);
      expect((await api('GET', `/devices/${device.deviceId}`)).body.enrollmentState).toBe('unenrolled');
      expect((await api('GET', `/devices/${device.deviceId}/commands/${id}`)).body.state).not.toBe('queued');
    } finally {
      done();
    }
  });
});
