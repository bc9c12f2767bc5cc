/**
 * The provider's DMClient Poll schedule end to end: a simulated device over HTTP against the real in-process gateway
 * (src/app/compose.ts) on SQLite and PostgreSQL. The operator sets the schedule through the API; the device's next
 * session carries it as one Atomic; the device's Poll nodes change and it re-anchors its polls (the simulator's
 * DMClient behaviour, PROTOCOL.md d.2); the session after that does not send it again.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { composeGateway, type Gateway } from '../../src/app/compose.js';
import { loadConfig } from '../../src/config/index.js';
import { pollScheduleHash } from '../../src/csp/poll-schedule-hash.js';
import { describeOnBackends, type TestDatabase } from '../support/databases.js';
import { startFakeWns, type FakeWns } from '../support/fake-wns.js';
import { pollPath } from '../support/simulator/device-tree.js';
import { fakeWnsRegistrar } from '../support/simulator/fake-wns-registrar.js';
import { createHttpTransport } from '../support/simulator/http-transport.js';
import { MINUTE, SimClock } from '../support/simulator/sim-clock.js';
import { SimulatedDevice } from '../support/simulator/simulated-device.js';

const PFN = 'Contoso.MDM_8wekyb3d8bbwe';
const PROVIDER = 'omadm-gateway';
const SCHEDULE = {
  intervalForFirstSetOfRetries: 60,
  numberOfFirstRetries: 3,
  intervalForSecondSetOfRetries: 240,
  numberOfSecondRetries: 2,
  intervalForRemainingScheduledRetries: 1440,
  numberOfRemainingScheduledRetries: 0,
  pollOnLogin: true,
};

describeOnBackends('poll schedule: operator → gateway → simulated device', (backend) => {
  let db: TestDatabase;
  let fake: FakeWns;
  let gateway: Gateway;
  let base: string;
  let syncmlUrl: string;

  const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${gateway.operatorToken.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const putProvider = (pollSchedule?: unknown) =>
    api('PUT', `/providers/${PROVIDER}`, {
      pfn: PFN,
      wns: { clientId: fake.defaultClient.clientId, clientSecret: fake.defaultClient.clientSecret },
      ...(pollSchedule ? { pollSchedule } : {}),
    });

  beforeAll(async () => {
    db = await backend.create();
    fake = await startFakeWns();
    const config = loadConfig({
      env: {
        HOST: '127.0.0.1',
        PORT: '0',
        DATA_DIR: db.config.dataDir,
        ...(db.config.databaseUrl ? { DATABASE_URL: db.config.databaseUrl } : {}),
        OPERATOR_TOKEN: randomBytes(24).toString('base64url'),
        SECRET_KEY: randomBytes(32).toString('base64'),
        LOG_LEVEL: 'silent',
        WNS_TOKEN_URL: fake.classicTokenUrl,
        WNS_CHANNEL_HOSTS: '127.0.0.1:*',
      },
    });
    gateway = await composeGateway(config, { wnsAgent: fake.dispatcher(), background: false, logDestination: { write: () => undefined } });
    base = (await gateway.listen()).url;
    syncmlUrl = `${base}${config.syncmlPath}`;
  });

  afterAll(async () => {
    await gateway?.close();
    await fake?.close();
    await db?.dispose();
  });

  beforeEach(async () => {
    await db.reset();
  });

  it('the schedule set through the API reaches the device at its next poll, changes when it polls, and is not sent again', async () => {
    expect((await putProvider()).status).toBe(201);
    const start = new Date('2025-06-02T08:00:00Z');
    const clock = new SimClock(start);
    const registrar = fakeWnsRegistrar(fake);
    const device = new SimulatedDevice({ serverUrl: syncmlUrl, transport: createHttpTransport(), clock, registrar, deviceId: 'E2E00000-9011-4000-8000-000000000011' });
    const node = (name: string) => device.tree.read(pollPath(PROVIDER, name));
    const pollAt = () => clock.pending().filter((t) => t.label.startsWith('poll ')).map((t) => t.at.toISOString());
    const pollCommands = (session: number) => device.sessions[session]!.executed.filter((e) => e.kind === 'Atomic' || e.targets.some((t) => t.includes('/Poll')));
    try {
      // Session 1, before the operator sets a schedule: nothing about polling; the device keeps the CSP defaults
      // (15 minutes × 10, PROTOCOL.md d.2) and polls 15 minutes after it was set up.
      await device.checkIn();
      expect(pollCommands(0)).toEqual([]);
      expect([node('IntervalForFirstSetOfRetries'), node('NumberOfFirstRetries')]).toEqual(['15', '10']);
      expect(pollAt()).toEqual([new Date(start.getTime() + 15 * MINUTE).toISOString()]);

      const put = await putProvider(SCHEDULE);
      expect(put.status).toBe(200);
      expect(put.body.pollSchedule).toEqual(SCHEDULE);

      // Session 2 is the device's own poll: it gets the schedule as one Atomic and confirms every node.
      await clock.advance(15 * MINUTE);
      expect(device.sessions.map((s) => s.reason)).toEqual(['check-in', 'poll']);
      expect(pollCommands(1).map((e) => [e.kind, e.targets[0]?.split('/').pop(), e.status].filter(Boolean).join(' '))).toEqual([
        'Replace IntervalForFirstSetOfRetries 200',
        'Replace NumberOfFirstRetries 200',
        'Replace IntervalForSecondSetOfRetries 200',
        'Replace NumberOfSecondRetries 200',
        'Replace IntervalForRemainingScheduledRetries 200',
        'Replace NumberOfRemainingScheduledRetries 200',
        'Replace PollOnLogin 200',
        'Atomic 200',
      ]);
      expect(pollCommands(1).filter((e) => e.kind === 'Replace').every((e) => e.parentCmdID !== undefined)).toBe(true);
      expect({
        first: [node('IntervalForFirstSetOfRetries'), node('NumberOfFirstRetries')],
        second: [node('IntervalForSecondSetOfRetries'), node('NumberOfSecondRetries')],
        remaining: [node('IntervalForRemainingScheduledRetries'), node('NumberOfRemainingScheduledRetries')],
        pollOnLogin: node('PollOnLogin'),
      }).toEqual({ first: ['60', '3'], second: ['240', '2'], remaining: ['1440', '0'], pollOnLogin: 'true' });
      // The device re-anchored on the new schedule: next poll 60 minutes after it was set, not 15.
      const setAt = start.getTime() + 15 * MINUTE;
      expect(pollAt()).toEqual([new Date(setAt + 60 * MINUTE).toISOString()]);
      expect((await gateway.store.getDevice(device.deviceId))?.provisionedPollHash).toBe(pollScheduleHash(SCHEDULE));

      // Session 3, the next poll: the device holds the schedule, so nothing about polling is sent.
      await clock.advance(60 * MINUTE);
      expect(device.sessions.map((s) => s.reason)).toEqual(['check-in', 'poll', 'poll']);
      expect(pollCommands(2)).toEqual([]);
      expect(pollAt()).toEqual([new Date(setAt + 120 * MINUTE).toISOString()]);

      // A change at the provider goes out once more, at the next session.
      await putProvider({ ...SCHEDULE, intervalForFirstSetOfRetries: 30 });
      await clock.advance(60 * MINUTE);
      expect(pollCommands(3).map((e) => `${e.kind} ${e.status}`)).toContain('Atomic 200');
      expect(node('IntervalForFirstSetOfRetries')).toBe('30');
      expect(device.sessions.flatMap((s) => s.violations)).toEqual([]);
      expect(device.sessions.map((s) => s.endedBy)).toEqual(['completed', 'completed', 'completed', 'completed']);
    } finally {
      device.stop();
      registrar.detach();
    }
  });
});
