/**
 * PostgreSQL unavailable while the gateway runs (issue 7 §5). The shared PostgreSQL server is never touched: the gateway
 * (a `serve` child process) reaches it through a TCP proxy on loopback that the test cuts and restores. While it is cut,
 * SyncML and API requests get 503 with Retry-After (liveness stays 200, readiness 503) and the process stays up; once it
 * is restored the gateway recovers by itself and every command queued before the outage is delivered exactly once.
 * A slow database (the proxy holding every packet) turns into 503 at the answer timeout, and the device's retry of the
 * same message is answered without duplicating anything.
 */
import { describe, expect, it } from 'vitest';
import { postgresBackend, type TestDatabase } from '../support/databases.js';
import { startFakeWns } from '../support/fake-wns.js';
import { answerReply, answersFrom, deviceMessage, package1, serverCommands } from '../support/syncml-builders.js';
import { parseSyncML, serializeSyncML } from '../../src/syncml/index.js';
import { FaultDevice } from './fault-device.js';
import { OPERATOR_TOKEN, gatewayEnv, operator, putProvider } from './fault-env.js';
import { startGatewayProcess } from './gateway-process.js';
import { startTcpProxy } from './tcp-proxy.js';
import { createOpenApiContract } from '../http/openapi-contract.js';

const BOUND_MS = 30_000;

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms = BOUND_MS): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('PostgreSQL unavailable while the gateway runs', async () => {
  let backend: Awaited<ReturnType<typeof postgresBackend>>;
  try {
    backend = await postgresBackend();
  } catch (error) {
    it('PostgreSQL is required (REQUIRE_POSTGRES=1)', () => {
      throw error;
    });
    return;
  }
  if (!backend.available) {
    it.skip(`skipped: ${backend.reason}`, () => undefined);
    return;
  }

  it('answers 503 while the database is away, recovers by itself, loses nothing queued', async () => {
    const db: TestDatabase = await backend.create();
    const target = new URL(db.config.databaseUrl!);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const fake = await startFakeWns({ tls: false });
    const gateway = await startGatewayProcess(gatewayEnv({ ...db, config: { ...db.config, databaseUrl: proxy.url(db.config.databaseUrl!) } }, fake, { REQUEST_TIMEOUT_MS: '4000' }));
    try {
      await putProvider(gateway.url, fake);
      const device = new FaultDevice({ deviceId: 'OUTAGE-1', url: () => gateway.url, onError: 'retransmit', channelUri: fake.channelUri('outage-1') });
      await device.checkIn();
      const queued: string[] = [];
      for (const k of [0, 1, 2]) {
        const r = await operator(gateway.url, 'POST', '/api/v1/devices/OUTAGE-1/commands', { verb: 'Get', target: `./DevDetail/Ext/Out${k}` });
        expect(r.status).toBe(202);
        queued.push(r.body.id);
      }

      const openApi = (await operator(gateway.url, 'GET', '/api/v1/openapi.json')).body as Record<string, unknown>;
      const contract = createOpenApiContract(openApi);
      proxy.cut();
      const pkg1 = serializeSyncML(package1({ sessionID: '50', deviceId: 'OUTAGE-1' }));
      const post = () =>
        fetch(`${gateway.url}/ManagementServer/MDM.svc`, { method: 'POST', headers: { 'content-type': 'application/vnd.syncml.dm+xml' }, body: pkg1, signal: AbortSignal.timeout(BOUND_MS) });
      for (let i = 0; i < 3; i++) {
        const r = await post();
        expect(r.status).toBe(503);
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        const text = await r.text();
        expect(text).not.toMatch(/\n\s+at /);
        expect(text).toBe('Temporarily unavailable: the database is unreachable\n'); // an outage, not "busy"
      }
      const api = await operator(gateway.url, 'POST', '/api/v1/devices/OUTAGE-1/commands', { verb: 'Get', target: './DevDetail/Ext/Lost' });
      expect(api.status).toBe(503);
      expect(api.body).toMatchObject({ type: 'urn:omadm-gateway:problem:unavailable', detail: 'the database is unreachable', reason: 'database-unreachable' });
      // The 503 is a documented answer of the operation (schemas/openapi.yaml, components/responses/Unavailable).
      expect(contract.check('POST', '/api/v1/devices/OUTAGE-1/commands', 503, 'application/problem+json', api.body)).toEqual([]);
      const read = await fetch(`${gateway.url}/api/v1/devices/OUTAGE-1`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
      expect(read.status).toBe(503);
      expect(read.headers.get('retry-after')).toBe('5');
      expect(contract.check('GET', '/api/v1/devices/OUTAGE-1', 503, read.headers.get('content-type'), await read.json())).toEqual([]);
      expect((await fetch(`${gateway.url}/readyz`)).status).toBe(503);
      expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1500)); // the dispatcher and housekeeping loops meet the outage too
      expect(gateway.alive()).toBe(true);

      proxy.restore();
      const ready = await until(() => fetch(`${gateway.url}/readyz`).then((r) => r.status), (s) => s === 200);
      expect(ready).toBe(200);
      await device.checkIn();
      for (const [k, id] of queued.entries()) {
        const c = (await operator(gateway.url, 'GET', `/api/v1/devices/OUTAGE-1/commands/${id}`)).body;
        expect(c.state).toBe('done');
        expect(device.received.get(`./DevDetail/Ext/Out${k}`)).toBe(1);
      }
      const all = (await operator(gateway.url, 'GET', '/api/v1/devices/OUTAGE-1/commands')).body.items;
      expect(all).toHaveLength(3); // the command refused with 503 was not stored

      // A slow database: the answer times out (503), the retry of the same message is answered, nothing duplicated.
      const r = await operator(gateway.url, 'POST', '/api/v1/devices/OUTAGE-1/commands', { verb: 'Get', target: './DevDetail/Ext/Slow' });
      expect(r.status).toBe(202);
      proxy.delayMs = 1500;
      const slow = await post();
      expect(slow.status).toBe(503);
      expect(slow.headers.get('retry-after')).toBe('5');
      proxy.delayMs = 0;
      // The device retransmits the same package 1: answered (freshly, or as the replay of what the slow attempt committed).
      const again = await until(post, (x) => x.status === 200);
      expect(again.status).toBe(200);
      const reply = parseSyncML(await again.text());
      const slowGets = serverCommands(reply).filter((c) => c.kind === 'Get' && c.items[0]?.target?.locURI === './DevDetail/Ext/Slow');
      expect(slowGets).toHaveLength(1);
      const answer = deviceMessage({ msgID: 2, sessionID: '50', deviceId: 'OUTAGE-1' }, answerReply(reply, answersFrom({ './DevDetail/Ext/Slow': 'slow value' })));
      const done = await fetch(`${gateway.url}/ManagementServer/MDM.svc`, { method: 'POST', headers: { 'content-type': 'application/vnd.syncml.dm+xml' }, body: serializeSyncML(answer) });
      expect(done.status).toBe(200);
      const slowCommand = (await operator(gateway.url, 'GET', `/api/v1/devices/OUTAGE-1/commands/${r.body.id}`)).body;
      expect(slowCommand).toMatchObject({ state: 'done', attempts: 1 });
      expect(gateway.alive()).toBe(true);
      expect(gateway.output()).not.toMatch(/uncaught|unhandled/i);
    } finally {
      await gateway.stop();
      await proxy.close();
      await fake.close();
      await db.dispose();
    }
  }, 180_000);
});
