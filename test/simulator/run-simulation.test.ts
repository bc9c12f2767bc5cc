import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRawSender } from '../../src/push/raw-sender.js';
import { parseSyncML, serializeSyncML } from '../../src/syncml/index.js';
import { CONTENT_TYPE_XML } from '../../src/syncml/model.js';
import { startFakeWns, type FakeWns } from '../support/fake-wns.js';
import { createHttpTransport, DmHttpError } from '../support/simulator/http-transport.js';
import { createLimiter } from '../support/simulator/limiter.js';
import { runSimulation } from '../support/simulator/run-simulation.js';
import { get, replace, SERVER_URL } from '../support/simulator/scripted-server.js';
import { MiniGateway } from './mini-gateway.js';

const PFN = 'Contoso.MDM_8wekyb3d8bbwe';

/** The MiniGateway behind a real HTTP endpoint on loopback, speaking XML through the team's codec. */
async function serve(gateway: MiniGateway): Promise<{ url: string; server: Server; requests: { url: string; headers: Record<string, unknown> }[] }> {
  const requests: { url: string; headers: Record<string, unknown> }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ url: req.url ?? '', headers: req.headers });
      void gateway.exchange(parseSyncML(Buffer.concat(chunks))).then((reply) => {
        res.writeHead(200, { 'content-type': CONTENT_TYPE_XML }).end(serializeSyncML(reply));
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/ManagementServer/MDM.svc`, server, requests };
}

describe('limiter', () => {
  it('never runs more than the limit at once, and runs everything', async () => {
    const gate = createLimiter(3);
    let running = 0;
    let peak = 0;
    const done = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        gate(async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setImmediate(r));
          running--;
          return i;
        }),
      ),
    );
    expect(done).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(peak).toBe(3);
  });
});

describe('HTTP transport', () => {
  it('refuses a non-loopback server', async () => {
    const t = createHttpTransport();
    const msg = parseSyncML(serializeSyncML({ header: { verDTD: '1.2', verProto: 'DM/1.2', sessionID: '1', msgID: '1', target: { locURI: 'x' }, source: { locURI: 'y' } }, body: { commands: [], final: true } }));
    await expect(t.exchange(msg, 'https://mdm.example.com/x')).rejects.toThrow(/not loopback/);
  });

  it('turns an HTTP error into DmHttpError with the status', async () => {
    const server = createServer((_req, res) => res.writeHead(400, { 'content-type': 'text/plain' }).end('malformed'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const t = createHttpTransport();
      const msg = { header: { verDTD: '1.2', verProto: 'DM/1.2', sessionID: '1', msgID: '1', target: { locURI: 'x' }, source: { locURI: 'y' } }, body: { commands: [], final: true } };
      const err = await t.exchange(msg, `http://127.0.0.1:${port}/m`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DmHttpError);
      expect((err as DmHttpError).status).toBe(400);
    } finally {
      server.close();
    }
  });
});

describe('runSimulation over HTTP with the fake WNS', () => {
  let fake: FakeWns;
  beforeAll(async () => {
    fake = await startFakeWns();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('checks in N devices, provisions push, wakes them through the fake WNS and reports every result', async () => {
    const gateway = new MiniGateway(PFN);
    const { url, server, requests } = await serve(gateway);
    const sender = createRawSender({ dispatcher: fake.dispatcher() });
    try {
      const { summary, devices } = await runSimulation({
        serverUrl: url,
        devices: 12,
        concurrency: 4,
        wnsFake: fake,
        idPrefix: 'A1B2C3D4',
        afterCheckIn: async ({ devices }) => {
          const token = await classicToken(fake);
          for (const d of devices) {
            gateway.queue(d.deviceId, replace('./Vendor/MSFT/Policy/Config/Camera/AllowCamera', '0', 'int'), get('./DevDetail/SwV'));
            const channel = gateway.channelOf(d.deviceId)!;
            const sent = await sender.send({ url: new URL(channel), token, cache: true });
            expect(sent).toMatchObject({ kind: 'response', httpStatus: 200 });
          }
        },
        waitForWakes: { timeoutMs: 20_000 },
      });
      expect(summary.checkIns).toEqual({ ok: 12, failed: 0 });
      expect(summary.push).toEqual({ withChannel: 12, byStatus: { '0': 12 } });
      expect(summary.wakes).toMatchObject({ delivered: 12, received: 12, ignored: 0, sessionsOpened: 12, timedOut: false });
      expect(summary.sessions.byEnd).toEqual({ completed: 24 });
      expect(summary.violations.count).toBe(0);
      expect(summary.errors.count).toBe(0);
      // Push plan in 24 sessions (Replace PFN only in the first of each device), plus the queued work in the wake sessions.
      expect(summary.commandResults).toEqual({ 'Replace 200': 24, 'Get 200': 60 });
      expect(summary.latencyMs.wakeToSession.count).toBe(12);
      expect(devices[0]!.deviceId).toBe('A1B2C3D4-5349-4D00-8000-000000000000');
      const wakeSessions = gateway.sessions.filter((s) => s.trigger === '1200');
      expect(wakeSessions).toHaveLength(12);
      expect(new Set(wakeSessions.map((s) => s.deviceId)).size).toBe(12);
      // Package 1 went to the URL with the Windows query; headers as the DMClient sends them.
      const first = requests[0]!;
      expect(first.url).toBe('/ManagementServer/MDM.svc?mode=Machine&Platform=WoA');
      expect(first.headers['content-type']).toBe(CONTENT_TYPE_XML);
      expect(first.headers['user-agent']).toBe('MSFT OMA DM Client/1.2.0.1');
      expect(devices.every((d) => d.tree.read('./Vendor/MSFT/Policy/Config/Camera/AllowCamera') === '0')).toBe(true);
    } finally {
      server.close();
    }
  });

  it('devices in battery saver report Status 7 and do not act on wakes', async () => {
    const gateway = new MiniGateway(PFN);
    const { url, server } = await serve(gateway);
    const sender = createRawSender({ dispatcher: fake.dispatcher() });
    try {
      const { summary } = await runSimulation({
        serverUrl: url,
        devices: 4,
        wnsFake: fake,
        afterCheckIn: async ({ devices }) => {
          devices[0]!.setBatterySaver(true);
          await devices[0]!.checkIn('manual');
          const token = await classicToken(fake);
          for (const d of devices) await sender.send({ url: new URL(gateway.channelOf(d.deviceId)!), token, cache: false });
        },
        waitForWakes: { timeoutMs: 5_000, expected: 3 },
      });
      expect(summary.wakes.sessionsOpened).toBe(3);
      expect(summary.push.byStatus).toEqual({ '0': 3, '7': 1 });
      expect(gateway.sessions.filter((s) => s.pushStatus === 7)).toHaveLength(1);
    } finally {
      server.close();
    }
  });

  it('runs at model level with an injected transport (no HTTP)', async () => {
    const gateway = new MiniGateway(null);
    const { summary } = await runSimulation({ serverUrl: SERVER_URL, devices: 3, transport: gateway });
    expect(summary.checkIns.ok).toBe(3);
    expect(summary.push.byStatus).toEqual({ '4': 3 });
  });
});

async function classicToken(fake: FakeWns): Promise<string> {
  const res = await request(fake.classicTokenUrl, {
    method: 'POST',
    dispatcher: fake.dispatcher(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: fake.defaultClient.clientId,
      client_secret: fake.defaultClient.clientSecret,
      scope: 'notify.windows.com',
    }).toString(),
  });
  const body = (await res.body.json()) as { access_token: string };
  return body.access_token;
}
