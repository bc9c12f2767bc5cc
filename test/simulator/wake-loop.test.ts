/**
 * The whole wake loop at scale, on SQLite and PostgreSQL, through the same code `omadm-gateway simulate` runs: the
 * real composition root (src/simulate/start-demo-gateway.ts, dispatcher loop running) with WNS pointed at the fake WNS;
 * N devices check in and get push provisioned, two commands per device are queued through the operator API, every
 * device is woken by bulk push requests, the devices answer in 1200 sessions, and every command result and wake state
 * is read back through the API and accounted for.
 *
 * SIM_E2E_DEVICES sets N (default 200; the figure is 1,000: `SIM_E2E_DEVICES=1000 npx vitest run
 * test/simulator/wake-loop.test.ts`). SIM_E2E_PUSH_RATE sets the dispatcher's sends per second per PFN (default 1000,
 * so the run measures the loop rather than the production pacing of 20/s, which test/push covers). SIM_E2E_PRINT=1
 * prints the report.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connect } from '../../src/cli/api-client.js';
import { startDemoGateway, type DemoGateway } from '../../src/simulate/start-demo-gateway.js';
import { describeOnBackends, type TestDatabase } from '../support/databases.js';
import { startFakeWns, type FakeWns } from '../support/fake-wns.js';
import { formatWakeLoopReport, parseDemoCommands, runWakeLoop } from '../support/simulator/index.js';

const DEVICES = Number(process.env['SIM_E2E_DEVICES'] ?? 200);
const PUSH_RATE = Number(process.env['SIM_E2E_PUSH_RATE'] ?? 1000);

describeOnBackends('wake loop end to end', (backend) => {
  let db: TestDatabase;
  let fake: FakeWns;
  let demo: DemoGateway;

  beforeAll(async () => {
    db = await backend.create();
    fake = await startFakeWns();
    demo = await startDemoGateway({
      wns: fake,
      dataDir: db.config.dataDir,
      ...(db.config.databaseUrl ? { databaseUrl: db.config.databaseUrl } : {}),
      pushRatePerSecond: PUSH_RATE,
    });
  });

  afterAll(async () => {
    await demo?.close();
    await fake?.close();
    await db?.dispose();
  });

  it(
    `${DEVICES} devices: check-in, push provisioning, commands queued through the API, bulk wake, 1200 sessions, every result accounted for`,
    async () => {
      const api = connect({ url: demo.baseUrl, token: demo.operatorToken }, { env: {}, cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr, stopSignal: () => new Promise(() => undefined) });
      const report = await runWakeLoop({ syncmlUrl: demo.syncmlUrl, api, fake, devices: DEVICES, commands: parseDemoCommands('get,atomic') });
      if (process.env['SIM_E2E_PRINT']) console.log(`[${backend.dialect}]\n${formatWakeLoopReport(report)}`);

      expect(report.failures).toEqual({ count: 0, first: [] });
      expect(report.hints).toEqual([]);
      expect(report.checkIns).toEqual({ ok: DEVICES, failed: 0 });
      expect(report.push).toEqual({ withChannel: DEVICES, byStatus: { '0': DEVICES } });
      expect(report.wakes).toEqual({
        requested: DEVICES,
        accepted: DEVICES,
        coalesced: 0,
        refused: 0,
        sent: DEVICES,
        delivered: DEVICES,
        woke: DEVICES,
        sessions: DEVICES,
        byState: { woke: DEVICES },
        timedOut: false,
      });
      // Every queued command reached a final state with the device's status: the Get is done, the Atomic rolled back.
      expect(report.commands).toEqual({ perDevice: 2, queued: 2 * DEVICES, byResult: { 'done 200': DEVICES, 'failed 507': DEVICES }, accountedFor: 2 * DEVICES });
      // The device side agrees: what the devices answered in their 1200 sessions.
      expect(report.simulation.commandResults).toMatchObject({ 'Atomic 507': DEVICES, 'Replace 405': DEVICES, 'Replace 216': DEVICES });
      expect(report.simulation.sessions.byReason).toEqual({ 'check-in': DEVICES, wake: DEVICES });
      expect(report.simulation.violations.count).toBe(0);
      expect(report.latencyMs.wake.count).toBe(DEVICES);
    },
    120_000 + 1_000 * DEVICES,
  );
});
