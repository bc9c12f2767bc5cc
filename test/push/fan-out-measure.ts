/**
 * Fan-out figure against the fake WNS (not a test; run by hand):
 *
 *   npx tsx test/push/fan-out-measure.ts [devices=1000] [concurrency=32]
 *
 * Embedded SQLite in a temp dir, or PostgreSQL when DATABASE_URL is set (a fresh schema, dropped afterwards).
 * Seeds the devices through the store (untimed), then times requestWakes(all) with the dispatcher loop running, until
 * every wake is 'sent'. Then the send path alone: as many wakes for other devices stored first (untimed), the loop
 * started, timed until every one is sent (claim, WNS request, settlement). Also times the raw sender alone (same
 * connections, no database) as the ceiling.
 */
import { rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { createChannelPolicy } from '../../src/push/channel-policy.js';
import { createPushDispatcher } from '../../src/push/dispatcher.js';
import { createRawSender } from '../../src/push/raw-sender.js';
import { createWakeSender } from '../../src/push/send-wake.js';
import { createTokenSource } from '../../src/push/token-source.js';
import { createStore } from '../../src/store/store.js';
import { postgresBackend, sqliteBackend } from '../support/databases.js';
import { startFakeWns } from '../support/fake-wns.js';
import { PROVIDER_ID, SECRET_KEY } from './push-harness.js';

const devices = Number(process.argv[2] ?? 1000);
const concurrency = Number(process.argv[3] ?? 32);

async function main(): Promise<void> {
  const backend = process.env.DATABASE_URL ? await postgresBackend() : sqliteBackend;
  const db = await backend.create();
  const fake = await startFakeWns();
  try {
    const store = createStore(db.dataSource, { secretKey: SECRET_KEY, defaultProviderId: PROVIDER_ID });
    await store.putProvider(PROVIDER_ID, {
      pfn: 'Contoso.MDM_8wekyb3d8bbwe',
      wns: { clientId: fake.defaultClient.clientId, clientSecret: fake.defaultClient.clientSecret, tokenUrl: fake.classicTokenUrl },
    });
    const ids = Array.from({ length: devices }, (_, i) => `dev-${i}`);
    const storedIds = Array.from({ length: devices }, (_, i) => `dev-stored-${i}`);
    const seedStart = Date.now() - 60_000;
    for (const [i, id] of [...ids, ...storedIds].entries()) {
      const at = new Date(seedStart + i);
      await store.commitExchange({
        session: { deviceId: id, sessionId: '1', trigger: '1201', startedAt: at.toISOString(), updatedAt: at.toISOString(), ended: true, version: 0, data: {} },
        expectedVersion: null,
        effects: [
          { type: 'device.seen', deviceId: id, at, devInfo: {} },
          { type: 'push.channelReported', deviceId: id, channelUri: fake.channelUri(`ch-${id}`), at },
        ],
      });
    }

    const tokens = createTokenSource({ dispatcher: fake.dispatcher() });
    const sender = createRawSender({ dispatcher: fake.dispatcher() });
    const newDispatcher = () =>
      createPushDispatcher(
        { store, wakeSender: createWakeSender({ tokens, sender, clock: () => new Date() }), policy: createChannelPolicy('https://127.0.0.1:*') },
        { concurrency, rateLimit: { ratePerSecond: 1e6, burst: 1e6 }, pollIntervalMs: 20 },
      );
    const dispatcher = newDispatcher();

    const t0 = performance.now();
    dispatcher.start();
    const summary = await dispatcher.requestWakes({ deviceIds: ids });
    const stored = performance.now() - t0;
    while (fake.channelRequests.length < summary.created) await new Promise((r) => setTimeout(r, 10));
    await dispatcher.stop();
    const total = performance.now() - t0;

    const sendOnly = newDispatcher();
    const stored2 = await sendOnly.requestWakes({ deviceIds: storedIds });
    const sentBefore = fake.channelRequests.length;
    const s0 = performance.now();
    sendOnly.start();
    while (fake.channelRequests.length < sentBefore + stored2.created) await new Promise((r) => setTimeout(r, 10));
    await sendOnly.stop();
    const sendPath = performance.now() - s0;

    const ceilingStart = performance.now();
    const token = (await tokens.getToken({ providerId: PROVIDER_ID, auth: 'classic', clientId: fake.defaultClient.clientId, clientSecret: fake.defaultClient.clientSecret, tenant: null, tokenUrl: fake.classicTokenUrl })).value;
    for (let i = 0; i < devices; i += concurrency) {
      await Promise.all(ids.slice(i, i + concurrency).map((id) => sender.send({ url: new URL(fake.channelUri(`ch-${id}`)), token, cache: true })));
    }
    const ceiling = performance.now() - ceilingStart;

    const rate = (n: number, ms: number) => `${((n * 1000) / ms).toFixed(0)}/s`;
    console.log(JSON.stringify({ backend: db.dialect, devices, concurrency, created: summary.created, loadavg1: Number(loadavg()[0]?.toFixed(2)) }));
    console.log(`fan-out end to end (request all → every wake sent): ${total.toFixed(0)} ms, ${rate(summary.created, total)}`);
    console.log(`  of which storing the requests: ${stored.toFixed(0)} ms, ${rate(summary.created, stored)}`);
    console.log(`send path alone (wakes stored first, loop until every one is sent): ${sendPath.toFixed(0)} ms, ${rate(stored2.created, sendPath)}`);
    console.log(`raw sender alone (no database), same concurrency: ${ceiling.toFixed(0)} ms, ${rate(devices, ceiling)}`);
  } finally {
    await fake.close();
    await db.dispose();
    if (!process.env.DATABASE_URL) await rm(db.config.dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
