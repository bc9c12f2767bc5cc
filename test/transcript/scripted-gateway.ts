// A scripted SyncML server for testing the replay runner itself: a real HTTP server on loopback that answers
// each POST with whatever the test's script returns. It stands in for the gateway only in the runner's own
// tests; the corpus suite (test/transcripts) replays against the real in-process gateway.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayStartOptions, GatewayUnderTest, SeedRequest, StateSnapshot } from '../../src/transcript/gateway-under-test.js';

export interface ScriptedCall {
  body: string;
  contentType: string | undefined;
  at: Date;
}

export interface ScriptedReply {
  status?: number;
  body: string;
}

export interface ScriptedGateway {
  start: (options: GatewayStartOptions) => Promise<GatewayUnderTest>;
  calls: ScriptedCall[];
  seeds: SeedRequest[];
  started: GatewayStartOptions[];
  closed: () => boolean;
}

export function scriptedGateway(script: (call: ScriptedCall, n: number) => ScriptedReply, state?: StateSnapshot): ScriptedGateway {
  const calls: ScriptedCall[] = [];
  const seeds: SeedRequest[] = [];
  const started: GatewayStartOptions[] = [];
  let server: Server | null = null;
  let closed = false;
  let nextId = 1;
  return {
    calls,
    seeds,
    started,
    closed: () => closed,
    async start(options) {
      started.push(options);
      const first = calls.length; // each start is a fresh gateway: the script counts from 1 again
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const call = { body: Buffer.concat(chunks).toString('utf8'), contentType: req.headers['content-type'], at: options.clock() };
          calls.push(call);
          const reply = script(call, calls.length - first);
          res.writeHead(reply.status ?? 200, { 'content-type': 'application/vnd.syncml.dm+xml' });
          res.end(reply.body);
        });
      });
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      return {
        url: `http://127.0.0.1:${port}/ManagementServer/MDM.svc`,
        async seed(request) {
          seeds.push(request);
          return { commandIds: (request.commands ?? []).map(() => `cmd-${nextId++}`) };
        },
        async inspect() {
          return state ?? { devices: [], commands: [], alerts: [], channels: [] };
        },
        async close() {
          closed = true;
          await new Promise<void>((resolve) => server!.close(() => resolve()));
        },
      };
    },
  };
}
