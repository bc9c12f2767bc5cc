/**
 * Bench child, baseline 2: the npm `wns` package (0.5.x) sending the same raw notifications with `wns.sendRaw` and
 * the same access token, `concurrency` in flight. It uses Node's https global agent (keep-alive in Node 20), capped at
 * the same number of connections as the others, and port 443; the fake WNS's certificate is trusted through
 * NODE_EXTRA_CA_CERTS (set by the parent).
 */
import https from 'node:https';
import { createRequire } from 'node:module';
import { childConfig, failStart, serveRequests } from '../lib/child-process.js';
import { RAW_PAYLOAD } from './request-headers.js';

interface WnsResult {
  statusCode?: number;
  headers?: Record<string, string>;
}
type SendRaw = (channel: string, payload: string, options: Record<string, unknown>, callback: (error: (Error & WnsResult) | null, result?: WnsResult) => void) => void;

const { clientId, clientSecret, connections } = childConfig<{ clientId: string; clientSecret: string; connections: number }>();
// The same connection limit as the gateway's WNS agent and the undici loop (Node's default would open one per request).
https.globalAgent.maxSockets = connections;

// Loopback only: `wns` fetches a new token from login.live.com after a 401; never let it leave the machine.
const originalRequest = https.request;
(https as { request: unknown }).request = (...args: unknown[]) => {
  const o = args[0] as { hostname?: string; host?: string };
  const host = o.hostname ?? o.host;
  if (host !== '127.0.0.1') throw new Error(`bench: refusing a wns request to ${String(host)} (loopback only)`);
  return (originalRequest as (...a: unknown[]) => unknown)(...args);
};

try {
  const wns = createRequire(import.meta.url)('wns') as { sendRaw: SendRaw };
  serveRequests({ pid: process.pid }, {
    async run(args: { urls: string[]; token: string; concurrency: number }) {
      const statuses: Record<string, number> = {};
      const sendOne = (url: string) =>
        new Promise<void>((resolve) => {
          wns.sendRaw(url, RAW_PAYLOAD, { accessToken: args.token, client_id: clientId, client_secret: clientSecret, headers: { 'X-WNS-Cache-Policy': 'cache', 'X-WNS-RequestForStatus': 'true' } }, (error, result) => {
            const r = error ?? result ?? {};
            const key = `${r.statusCode ?? 'error'}:${r.headers?.['x-wns-notificationstatus'] ?? (error && !error.statusCode ? error.message.slice(0, 80) : '')}`;
            statuses[key] = (statuses[key] ?? 0) + 1;
            resolve();
          });
        });
      let next = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: args.concurrency }, async () => {
          while (next < args.urls.length) await sendOne(args.urls[next++] as string);
        }),
      );
      return { ms: performance.now() - t0, statuses };
    },
  }, () => undefined);
} catch (error) {
  failStart(error);
}
