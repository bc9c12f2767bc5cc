/**
 * Bench child, baseline 1: a bare undici loop posting the same raw notifications (same headers, same payload, same
 * ChannelURIs) to the same fake WNS with the same connection limit as the gateway's WNS agent. No database, no
 * classification: the ceiling of "send N wakes over HTTPS from Node".
 */
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'undici';
import { childConfig, failStart, serveRequests } from '../lib/child-process.js';
import { RAW_PAYLOAD, rawHeaders } from './request-headers.js';

const { ca, connections } = childConfig<{ ca: string; connections: number }>();

try {
  serveRequests({ pid: process.pid }, {
    async run(args: { urls: string[]; token: string; concurrency: number }) {
      const agent = new Agent({ connections, pipelining: 1, keepAliveTimeout: 30_000, connect: { ca } });
      const statuses: Record<string, number> = {};
      let next = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: args.concurrency }, async () => {
          while (next < args.urls.length) {
            const url = args.urls[next++] as string;
            const msCv = `${randomBytes(16).toString('base64').slice(0, 22)}.0`;
            const res = await request(url, { method: 'POST', dispatcher: agent, headers: rawHeaders(args.token, msCv), body: RAW_PAYLOAD });
            await res.body.dump();
            const key = `${res.statusCode}:${String(res.headers['x-wns-notificationstatus'] ?? res.headers['x-wns-status'] ?? '')}`;
            statuses[key] = (statuses[key] ?? 0) + 1;
          }
        }),
      );
      const ms = performance.now() - t0;
      await agent.close();
      return { ms, statuses };
    },
  }, () => undefined);
} catch (error) {
  failStart(error);
}
