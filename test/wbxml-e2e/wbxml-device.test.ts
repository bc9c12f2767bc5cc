/**
 * Issue 9 "done when": a device that speaks only WBXML (application/vnd.syncml.dm+wbxml) completes check-in, push
 * provisioning and queued commands, over real HTTP against the composition root on SQLite and PostgreSQL, with WNS
 * pointed at the fake WNS. The simulated devices use `encoding: 'wbxml'`: their transport sends WBXML and refuses any
 * reply that is not WBXML, so an XML answer anywhere fails the run.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { Gateway } from '../../src/app/compose.js';
import { parseSyncML } from '../../src/syncml/index.js';
import { CONTENT_TYPE_WBXML, type SyncML } from '../../src/syncml/model.js';
import { decodeWbxml } from '../../src/syncml/wbxml/index.js';
import { describeOnBackends, type TestDatabase } from '../support/databases.js';
import { operatorApi, startE2eGateway, stopE2eGateway } from '../support/e2e-gateway.js';
import type { FakeWns } from '../support/fake-wns.js';
import { fakeWnsRegistrar } from '../support/simulator/fake-wns-registrar.js';
import { createHttpTransport } from '../support/simulator/http-transport.js';
import { runSimulation } from '../support/simulator/run-simulation.js';
import { SimClock } from '../support/simulator/sim-clock.js';
import { SimulatedDevice } from '../support/simulator/simulated-device.js';

const PFN = 'Contoso.MDM_8wekyb3d8bbwe';
const DEVICES = 3;
const CAMERA = './Vendor/MSFT/Policy/Config/Camera/AllowCamera';

describeOnBackends('a WBXML-only device ↔ gateway over HTTP', (backend) => {
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

  it(`${DEVICES} WBXML devices: check-in, push provisioning, queued commands, wake through WNS, 1200 session`, async () => {
    const queued = new Map<string, string[]>();
    const { summary, devices } = await runSimulation({
      serverUrl: syncmlUrl,
      devices: DEVICES,
      concurrency: 3,
      wnsFake: fake,
      encoding: 'wbxml',
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
          expect((await api('POST', `/devices/${d.deviceId}/push`, {})).status).toBe(202);
        }
        await gateway.dispatcher.drain();
      },
      waitForWakes: { timeoutMs: 30_000 },
    });

    expect(summary.checkIns).toEqual({ ok: DEVICES, failed: 0 });
    expect(summary.errors).toEqual({ count: 0, first: [] });
    expect(summary.violations).toEqual({ count: 0, first: [] });
    expect(summary.push).toEqual({ withChannel: DEVICES, byStatus: { '0': DEVICES } });
    expect(summary.wakes).toMatchObject({ delivered: DEVICES, received: DEVICES, sessionsOpened: DEVICES, timedOut: false });
    expect(summary.sessions.byEnd).toEqual({ completed: 2 * DEVICES });

    for (const d of devices) {
      // Push provisioning: the PFN went out and the device's ChannelURI and Push/Status came back and were stored.
      const first = d.sessions[0]!;
      expect(first.executed.filter((e) => e.targets[0]?.endsWith('/Push/PFN')).map((e) => `${e.kind}:${e.status}`)).toEqual(['Replace:200']);
      const device = (await api('GET', `/devices/${d.deviceId}`)).body;
      expect(device.push).toMatchObject({ pfnProvisioned: true, provisionedPfn: PFN, channelUri: d.push.state().channelUri, status: 0, usable: true });
      expect(device.devInfo).toMatchObject({ DevId: d.deviceId, Man: 'Contoso' });

      // Queued commands, delivered in the woken (1200) session.
      expect(d.sessions.map((s) => s.trigger)).toEqual(['1201', '1200']);
      const [replaceId, getId, atomicId] = queued.get(d.deviceId)!;
      expect((await api('GET', `/devices/${d.deviceId}/commands/${replaceId}`)).body).toMatchObject({ state: 'done', status: '200' });
      const get = (await api('GET', `/devices/${d.deviceId}/commands/${getId}`)).body;
      expect(get).toMatchObject({ state: 'done', status: '200' });
      expect(get.results[0]).toMatchObject({ source: './DevDetail/SwV', data: '10.0.22631.4317' });
      const atomic = (await api('GET', `/devices/${d.deviceId}/commands/${atomicId}`)).body;
      expect(atomic).toMatchObject({ state: 'failed', status: '507' });
      expect(atomic.children.map((c: { status: string }) => c.status)).toEqual(['216', '405']);
      expect(d.tree.read(CAMERA)).toBe('0');
      expect(JSON.stringify((await api('GET', `/devices/${d.deviceId}/pushes`)).body)).toContain('woke');

      // Every stored exchange is WBXML, with a readable rendering that means the same message.
      const sessions = (await api('GET', `/devices/${d.deviceId}/sessions`)).body.items as Array<{ sessionId: string }>;
      expect(sessions).toHaveLength(2);
      for (const s of sessions) {
        const messages = (await api('GET', `/devices/${d.deviceId}/sessions/${s.sessionId}/messages`)).body.items as any[];
        expect(messages.length).toBeGreaterThan(0);
        for (const m of messages) {
          expect(m.contentType).toBe(CONTENT_TYPE_WBXML);
          for (const side of [m.request, m.reply]) {
            expect(side.encoding).toBe('base64');
            expect(parseSyncML(side.xml)).toEqual(decodeWbxml(new Uint8Array(Buffer.from(side.body, 'base64'))));
          }
        }
      }
    }
  });

  it('MaxMsgSize holds in WBXML bytes: a small limit splits the package and no reply exceeds it', async () => {
    const clock = new SimClock(new Date());
    const registrar = fakeWnsRegistrar(fake);
    const MAX = 1_500;
    const replySizes: number[] = [];
    const fromServer: SyncML[] = [];
    const device = new SimulatedDevice({
      serverUrl: syncmlUrl,
      transport: createHttpTransport({ encoding: 'wbxml', onRaw: (_url, _request, _status, reply) => void replySizes.push(reply.byteLength) }),
      clock,
      registrar,
      deviceId: 'WBXML000-5349-4D00-8000-0000000005E5',
      polling: false,
      maxMsgSize: MAX,
      onExchange: (_sent, received) => fromServer.push(received),
    });
    try {
      await device.checkIn();
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) {
        const r = await api('POST', `/devices/${device.deviceId}/commands`, { verb: 'Replace', target: `./Vendor/MSFT/Policy/Config/Custom/Setting${i}`, data: 'v'.repeat(200), format: 'chr' });
        ids.push(r.body.id);
      }
      await device.checkIn();
      expect(device.sessions.flatMap((s) => s.violations)).toEqual([]);
      expect(replySizes.length).toBeGreaterThan(0);
      for (const size of replySizes) expect(size).toBeLessThanOrEqual(MAX);
      // The twelve Replaces did not fit one message: the package went out in several.
      expect(fromServer.filter((m) => m.body.commands.some((c) => c.kind === 'Replace' && !c.items[0]?.target?.locURI.endsWith('/PFN'))).length).toBeGreaterThan(1);
      for (const id of ids) expect((await api('GET', `/devices/${device.deviceId}/commands/${id}`)).body.state).toMatch(/^(done|failed)$/);
    } finally {
      device.stop();
      registrar.detach();
    }
  });
});
