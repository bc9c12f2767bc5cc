/**
 * Bench child: the team's fake WNS (test/support/fake-wns.ts) over HTTPS, in its own process so it never shares an
 * event loop with a sender. It answers with the legacy `X-WNS-NotificationStatus` header (the npm `wns` package reads
 * only that one; our raw sender reads it as an alias) and listens on 127.0.0.1:443 when it can, because `wns`
 * hard-codes port 443. The fake has no port option, so this process maps its `listen(0)` to 443 (bench-only shim,
 * see the README). The fake records every request; the records are counted and dropped every 200 ms so a 100,000-wake
 * run does not hold them all.
 */
import { writeFile } from 'node:fs/promises';
import { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeWns, type FakeWns } from '../../test/support/fake-wns.js';
import { childConfig, failStart, serveRequests } from '../lib/child-process.js';

export interface FakeWnsReady {
  origin: string;
  port443: boolean;
  /** Why 127.0.0.1:443 could not be used (null when it was). */
  port443Problem: string | null;
  caFile: string;
  ca: string;
  classicTokenUrl: string;
  clientId: string;
  clientSecret: string;
  pid: number;
}

const { port } = childConfig<{ port?: number }>();

async function startOn(portWanted: number): Promise<FakeWns> {
  const original = Server.prototype.listen;
  Server.prototype.listen = function patched(this: Server, ...args: unknown[]) {
    if (args[0] === 0) args[0] = portWanted;
    return (original as (...a: unknown[]) => Server).apply(this, args);
  } as typeof original;
  try {
    return await startFakeWns({ legacyStatusHeader: true, tokenLifetimeSeconds: 86_400 });
  } finally {
    Server.prototype.listen = original;
  }
}

try {
  let fake: FakeWns;
  let port443 = false;
  let port443Problem: string | null = null;
  try {
    // The start includes generating the certificate with openssl; on a loaded machine a 20 s limit was not enough
    // to tell a slow start from a refused port, so only a refused port (the error is reported) or a start that hangs
    // for minutes falls back to a random port.
    fake = await Promise.race([
      startOn(port ?? 443),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('start on port 443 timed out after 180 s')), 180_000)),
    ]);
    port443 = (port ?? 443) === 443;
  } catch (error) {
    port443Problem = error instanceof Error ? error.message : String(error);
    fake = await startFakeWns({ legacyStatusHeader: true, tokenLifetimeSeconds: 86_400 });
  }
  let answered = 0;
  let byStatus: Record<string, number> = {};
  const drop = () => {
    for (const r of fake.channelRequests) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    answered += fake.channelRequests.length;
    fake.channelRequests.length = 0;
    fake.tokenRequests.length = Math.min(fake.tokenRequests.length, 1000);
  };
  const timer = setInterval(drop, 200);
  const caFile = join(tmpdir(), `bench-fake-wns-${process.pid}.pem`);
  await writeFile(caFile, fake.ca ?? '');
  serveRequests(
    {
      origin: fake.origin,
      port443,
      port443Problem,
      caFile,
      ca: fake.ca ?? '',
      classicTokenUrl: fake.classicTokenUrl,
      clientId: fake.defaultClient.clientId,
      clientSecret: fake.defaultClient.clientSecret,
      pid: process.pid,
    } satisfies FakeWnsReady,
    {
      /** Channel requests answered since the last reset, by HTTP status. */
      counts() {
        drop();
        const out = { answered, byStatus, tokens: fake.tokenRequests.length, connections: fake.connections() };
        return out;
      },
      reset() {
        drop();
        answered = 0;
        byStatus = {};
        return true;
      },
    },
    async () => {
      clearInterval(timer);
      await fake.close();
    },
  );
} catch (error) {
  failStart(error);
}
