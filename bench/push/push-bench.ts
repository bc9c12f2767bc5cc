/**
 * Push fan-out end to end: one operator request (POST /api/v1/push for every device of a provider) → wakes stored →
 * WNS token (cached) → raw notification over HTTPS to the fake WNS → outcome and push attempt stored; timed until the
 * gateway counted every wake settled. The gateway, the fake WNS and each baseline sender run in their own processes.
 * Baselines in the same run, to the same fake and the same ChannelURIs: a bare undici loop (same headers, same
 * connection limit, same number in flight) and the npm `wns` package (sendRaw with the same token).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { cpuMsOf, startChild, type BenchChild } from '../lib/child-process.js';
import { seededDeviceId } from '../lib/bulk-seed.js';
import { figureFromRuns, type Figure } from '../lib/figure.js';
import { createSchema, probePostgres } from '../lib/postgres.js';
import type { ProfileSummary } from '../lib/cpu-profile.js';
import type { SuiteContext } from '../lib/suite.js';
import type { GatewayProcessConfig, GatewayReady } from '../sessions/gateway-process.js';
import type { FakeWnsReady } from './fake-wns-process.js';

const IN_FLIGHT = 32; // the dispatcher's default concurrency
const CONNECTIONS = 16; // the gateway WNS agent's default connections per origin

interface RunResult {
  ms: number;
  count: number;
  cpuMs: number;
  /** SQL statements the gateway issued (gateway runs only). */
  statements?: number;
  statuses: Record<string, number>;
}

export async function runPushBench(ctx: SuiteContext): Promise<void> {
  const { reporter, quick } = ctx;
  const wakes = ctx.wakes ?? (quick ? 1_000 : 100_000);
  // SQLite commits with synchronous=FULL (an fsync per commit, about three commits per wake): 100,000 wakes would take
  // longer than the whole full run is allowed, so full mode fans out 10,000 there (100,000 with --scale or --wakes).
  const sqliteWakes = ctx.wakes ?? (quick ? 1_000 : ctx.scale ? 100_000 : 10_000);
  const rounds = ctx.rounds ?? 1;
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const fake = await startChild<FakeWnsReady>(new URL('./fake-wns-process.ts', import.meta.url), { config: { port: 443 } });
    cleanups.push(() => fake.stop());
    const f = fake.ready;
    const channelBase = f.port443 ? 'https://127.0.0.1/' : `${f.origin}/`;
    if (!f.port443) reporter.note('could not listen on 127.0.0.1:443 (needs root or CAP_NET_BIND_SERVICE): the wns baseline is skipped');
    const token = await fetchToken(f);

    const undiciLoop = await startChild<{ pid: number }>(new URL('./undici-loop-process.ts', import.meta.url), { config: { ca: f.ca, connections: CONNECTIONS } });
    cleanups.push(() => undiciLoop.stop());
    const wnsLoop = f.port443
      ? await startChild<{ pid: number }>(new URL('./wns-loop-process.ts', import.meta.url), { env: { NODE_EXTRA_CA_CERTS: f.caFile }, config: { clientId: f.clientId, clientSecret: f.clientSecret, connections: CONNECTIONS } })
      : null;
    if (wnsLoop) cleanups.push(() => wnsLoop.stop());

    const gateways: Array<{ label: string; child: BenchChild<GatewayReady>; wakes: number }> = [];
    const wnsConfig = { ca: f.ca, tokenUrl: f.classicTokenUrl, channelHosts: f.port443 ? 'https://127.0.0.1' : 'https://127.0.0.1:*', connectionsPerOrigin: CONNECTIONS };
    // Production defaults except the per-PFN rate limit (20/s, burst 50), which would make this a benchmark of the limiter.
    const dispatcher = { concurrency: IN_FLIGHT, rateLimit: { ratePerSecond: 1e9, burst: 1e9 } };
    const startGateway = async (label: string, extra: Partial<GatewayProcessConfig>) => {
      const dataDir = await mkdtemp(join(tmpdir(), `omadm-bench-push-${label}-`));
      const child = await startChild<GatewayReady>(new URL('../sessions/gateway-process.ts', import.meta.url), {
        config: { dataDir, removeDataDir: true, providerId: 'omadm-gateway', pfn: 'Contoso.Bench_8wekyb3d8bbwe', wns: wnsConfig, dispatcher, ...extra } satisfies GatewayProcessConfig,
      });
      cleanups.push(() => child.stop());
      gateways.push({ label, child, wakes: label.startsWith('sqlite') ? sqliteWakes : wakes });
    };
    await startGateway('sqlite', {});
    if (ctx.whatIf) await startGateway('sqlite-normal', { sqliteSynchronous: 'NORMAL' });
    const pgProblem = await probePostgres(ctx.databaseUrl);
    if (pgProblem) reporter.note(`PostgreSQL skipped: ${pgProblem}`);
    else {
      const schema = await createSchema(ctx.databaseUrl, 'bench_push');
      cleanups.push(() => schema.drop());
      await startGateway('postgres', { databaseUrl: schema.url });
    }

    // Seed every round's devices up front (untimed): a provider per round, its devices with one active channel each.
    for (const g of gateways) {
      for (let r = 0; r < rounds + 1; r += 1) {
        const providerId = `bench-push-${r}`;
        await g.child.request('putProvider', { providerId, pfn: 'Contoso.Bench_8wekyb3d8bbwe', clientId: f.clientId, clientSecret: f.clientSecret });
        const n = r === 0 ? Math.min(500, g.wakes) : g.wakes; // round 0 warms up
        const { ms } = await g.child.request<{ ms: number }>('bulkSeed', { prefix: `P${r}`, from: 0, count: n, providerId, channelBase, at: Date.now() - 60_000 });
        reporter.note(`${g.label}: seeded ${n} devices with channels for ${providerId} in ${(ms / 1000).toFixed(1)} s (untimed)`);
      }
    }

    const urlsOf = (r: number, n: number) => Array.from({ length: n }, (_, i) => `${channelBase}${seededDeviceId(`P${r}`, i)}`);
    const runSender = async (child: BenchChild<{ pid: number }>, r: number, n: number): Promise<RunResult> => {
      await fake.request('reset');
      const cpu0 = await cpuMsOf(child.pid);
      const out = await child.request<{ ms: number; statuses: Record<string, number> }>('run', { urls: urlsOf(r, n), token, concurrency: IN_FLIGHT });
      return { ms: out.ms, count: n, cpuMs: (await cpuMsOf(child.pid)) - cpu0, statuses: out.statuses };
    };
    const runGateway = async (g: { label: string; child: BenchChild<GatewayReady>; wakes: number }, r: number, profile: boolean): Promise<RunResult & { storedMs: number }> => {
      await fake.request('reset');
      const since = await g.child.request<Record<string, number>>('wakeCounts');
      if (profile) await g.child.request('profileStart');
      const cpu0 = await cpuMsOf(g.child.pid);
      const statements0 = await g.child.request<number>('statements');
      const t0 = performance.now();
      const res = await request(`${g.child.ready.url}/api/v1/push`, {
        method: 'POST',
        headers: { authorization: `Bearer ${g.child.ready.operatorToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ filter: { providerId: `bench-push-${r}` } }),
        headersTimeout: 600_000,
        bodyTimeout: 600_000,
      });
      const summary = (await res.body.json()) as { created?: number; refusedCount?: number };
      const storedMs = performance.now() - t0;
      if (res.statusCode !== 202 || summary.created === undefined) throw new Error(`bulk push answered ${res.statusCode}: ${JSON.stringify(summary)}`);
      await g.child.request('waitSettled', { settled: summary.created, since, timeoutMs: 1_200_000 }, 1_300_000);
      const ms = performance.now() - t0;
      const cpuMs = (await cpuMsOf(g.child.pid)) - cpu0;
      const statements = (await g.child.request<number>('statements')) - statements0;
      const now = await g.child.request<Record<string, number>>('wakeCounts');
      const counts = await fake.request<{ answered: number; byStatus: Record<string, number> }>('counts');
      if (profile && ctx.profileDir) {
        const file = join(ctx.profileDir, `push-${g.label}.cpuprofile`);
        const s = await g.child.request<ProfileSummary>('profileStop', { file });
        reporter.note(`profile push ${g.label} (${file}): idle ${s.idlePct.toFixed(0)}%; by area ${s.byArea.slice(0, 8).map((a) => `${a.area} ${a.pct.toFixed(1)}%`).join(', ')}`);
        reporter.note(`  top functions: ${s.topFunctions.slice(0, 10).map((x) => `${x.name} ${x.pct.toFixed(1)}%`).join('; ')}`);
      }
      const sent = (now['settled-sent'] ?? 0) - (since['settled-sent'] ?? 0);
      if (sent !== summary.created || counts.answered !== summary.created) {
        reporter.note(`${g.label}: ${summary.created} wakes created, ${sent} settled as sent, fake WNS answered ${counts.answered} ${JSON.stringify(counts.byStatus)}`);
      }
      return { ms, storedMs, count: summary.created, cpuMs, statements, statuses: counts.byStatus };
    };

    // Warm-up round 0 (JIT, TLS sessions, token), then the measured rounds, interleaved.
    await runSender(undiciLoop, 0, Math.min(500, wakes));
    if (wnsLoop) await runSender(wnsLoop, 0, Math.min(500, wakes));
    for (const g of gateways) await runGateway(g, 0, false);

    const results: Record<string, RunResult[]> = { undici: [], wns: [] };
    for (let r = 1; r <= rounds; r += 1) {
      results['undici']!.push(await runSender(undiciLoop, r, wakes));
      for (const g of gateways) {
        const out = await runGateway(g, r, ctx.profileDir !== null && r === rounds);
        (results[g.label] ??= []).push(out);
        reporter.note(
          `${g.label}: ${out.count} wakes in ${(out.ms / 1000).toFixed(1)} s (requests stored after ${(out.storedMs / 1000).toFixed(1)} s); gateway CPU ${(out.cpuMs / out.count).toFixed(2)} ms/wake, ${((out.statements ?? 0) / out.count).toFixed(1)} SQL statements/wake`,
        );
      }
      if (wnsLoop) results['wns']!.push(await runSender(wnsLoop, r, wakes));
    }
    const u = results['undici']!;
    const w = results['wns']!;
    reporter.note(`undici loop: ${JSON.stringify(u[0]?.statuses)}; CPU ${((u[0]?.cpuMs ?? 0) / wakes).toFixed(2)} ms/request`);
    if (w[0]) reporter.note(`wns package: ${JSON.stringify(w[0].statuses)}; CPU ${(w[0].cpuMs / wakes).toFixed(2)} ms/request`);

    const rate = (x: RunResult) => (x.count * 1000) / x.ms;
    for (const g of gateways) {
      const mine = results[g.label] ?? [];
      const name = `push.${g.label}.fanout-${g.wakes}`;
      const figure = (suffix: string, baseline: string, other: RunResult[], target: Figure['target']) =>
        figureFromRuns({ name: `${name}.${suffix}`, unit: 'wakes/s', baseline, ...(target ? { target } : {}) }, mine.map((m, i) => ({ value: rate(m), baselineValue: other[i] ? rate(other[i]) : Number.NaN })));
      reporter.figure(figure('vs-undici', 'bare undici loop', u, { ratioAtLeast: 0.7 }));
      if (w.length > 0) reporter.figure(figure('vs-wns', 'npm wns package', w, { ratioAtLeast: 1.5 }));
      reporter.figure(
        figureFromRuns(
          { name: `${name}.per-gateway-cpu-s`, unit: 'wakes/CPU-s', baseline: 'bare undici loop per CPU-s', note: 'sender process CPU only' },
          mine.map((m, i) => ({ value: (m.count * 1000) / m.cpuMs, baselineValue: u[i] ? (u[i].count * 1000) / u[i].cpuMs : Number.NaN })),
        ),
      );
    }
    if (w.length > 0) {
      reporter.figure(figureFromRuns({ name: `push.undici-loop-${wakes}`, unit: 'req/s', baseline: 'npm wns package' }, u.map((x, i) => ({ value: rate(x), baselineValue: w[i] ? rate(w[i]) : Number.NaN }))));
    }
  } finally {
    for (const c of cleanups.reverse()) await c().catch((e: unknown) => reporter.note(`cleanup failed: ${String(e)}`));
  }
}

async function fetchToken(f: FakeWnsReady): Promise<string> {
  const agent = new Agent({ connect: { ca: f.ca } });
  try {
    const res = await request(f.classicTokenUrl, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: f.clientId, client_secret: f.clientSecret, scope: 'notify.windows.com' }).toString(),
    });
    const body = (await res.body.json()) as { access_token?: string };
    if (!body.access_token) throw new Error(`the fake WNS gave no token (${res.statusCode})`);
    return body.access_token;
  } finally {
    await agent.close();
  }
}
