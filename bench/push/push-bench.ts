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
  // SQLite: 10,000. SQLite is the single-process, single-node backend; its fan-out rate settles within a few thousand
  // wakes (the gateway spends the same ~1 ms of CPU per wake at 1,000 and at 10,000), so 10,000 is tens of seconds of
  // steady state, while another 100,000-wake gateway run would add 2–8 minutes and not fit the 10-minute run beside the
  // PostgreSQL one. With SQLITE_SYNCHRONOUS=FULL every commit also waits for an fsync (3.6 ms on this disk).
  // --wakes=N sets every count, e.g. --wakes=100000 --only=push for 100,000 on SQLite too.
  const sqliteWakes = ctx.wakes ?? (quick ? 1_000 : 10_000);
  const rounds = ctx.rounds ?? 1;
  const warmWakes = quick ? 200 : 500;
  // Each gateway fan-out stops being waited for after this long (--push-cap=S, 0: never); the rate is then over the
  // wakes settled so far, the figure's note says so, and that gateway is stopped so its backlog does not load the
  // machine under the next measurements. A gateway at the targets (≥ 0.7 of the undici loop) never reaches it.
  const capMs = (ctx.pushCapS ?? (quick ? 30 : 180)) * 1000 || Number.POSITIVE_INFINITY;
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const fake = await startChild<FakeWnsReady>(new URL('./fake-wns-process.ts', import.meta.url), { config: { port: 443 }, readyTimeoutMs: 240_000 });
    cleanups.push(() => fake.stop());
    const f = fake.ready;
    const channelBase = f.port443 ? 'https://127.0.0.1/' : `${f.origin}/`;
    if (!f.port443) reporter.note(`could not listen on 127.0.0.1:443 (${f.port443Problem ?? '?'}; needs root or CAP_NET_BIND_SERVICE): the wns baseline is skipped`);
    const token = await fetchToken(f);

    // The senders and the gateways start side by side (start-up is most of a quick run's waiting otherwise).
    const undiciStart = startChild<{ pid: number }>(new URL('./undici-loop-process.ts', import.meta.url), { config: { ca: f.ca, connections: CONNECTIONS } });
    const wnsStart = f.port443
      ? startChild<{ pid: number }>(new URL('./wns-loop-process.ts', import.meta.url), { env: { NODE_EXTRA_CA_CERTS: f.caFile }, config: { clientId: f.clientId, clientSecret: f.clientSecret, connections: CONNECTIONS } })
      : Promise.resolve(null);

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
      return { label, child, wakes: label.startsWith('sqlite') ? sqliteWakes : wakes };
    };
    const starting = [startGateway('sqlite', {})];
    if (ctx.whatIf) starting.push(startGateway('sqlite-normal', { sqliteSynchronous: 'NORMAL' }));
    const pgProblem = await probePostgres(ctx.databaseUrl);
    if (pgProblem) reporter.note(`PostgreSQL skipped: ${pgProblem}`);
    else {
      const schema = await createSchema(ctx.databaseUrl, 'bench_push');
      cleanups.push(() => schema.drop());
      starting.push(startGateway('postgres', { databaseUrl: schema.url }));
    }
    const [undiciLoop, wnsLoop, ...started] = await Promise.all([undiciStart, wnsStart, ...starting]);
    if (!undiciLoop) throw new Error('the undici loop did not start');
    cleanups.push(() => undiciLoop.stop());
    if (wnsLoop) cleanups.push(() => wnsLoop.stop());
    gateways.push(...started);

    // Seed every round's devices up front (untimed): a provider per round, its devices with one active channel each.
    for (const g of gateways) {
      for (let r = 0; r < rounds + 1; r += 1) {
        const providerId = `bench-push-${r}`;
        await g.child.request('putProvider', { providerId, pfn: 'Contoso.Bench_8wekyb3d8bbwe', clientId: f.clientId, clientSecret: f.clientSecret });
        const n = r === 0 ? Math.min(warmWakes, g.wakes) : g.wakes; // round 0 warms up
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
    const runGateway = async (g: { label: string; child: BenchChild<GatewayReady>; wakes: number }, r: number, profile: boolean): Promise<RunResult & { storedMs: number; complete: boolean; created: number }> => {
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
      const waitMs = Math.max(1_000, Math.min(capMs - (performance.now() - t0), 3_600_000));
      const done = await g.child.request<{ settled: number; complete: boolean }>('waitSettled', { settled: summary.created, since, timeoutMs: waitMs, partial: true }, waitMs + 120_000);
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
      if (sent !== done.settled || counts.answered < sent) {
        reporter.note(`${g.label}: ${summary.created} wakes created, ${done.settled} settled, ${sent} of them as sent, fake WNS answered ${counts.answered} ${JSON.stringify(counts.byStatus)}`);
      }
      if (!done.complete) {
        reporter.note(`${g.label}: CUT after ${(ms / 1000).toFixed(0)} s (--push-cap): ${done.settled} of ${summary.created} wakes settled; the rate below is over those, and this gateway is stopped`);
        await g.child.stop();
      }
      return { ms, storedMs, count: done.settled, created: summary.created, complete: done.complete, cpuMs, statements, statuses: counts.byStatus };
    };

    // Warm-up round 0 (JIT, TLS sessions, token), then the measured rounds, interleaved.
    await runSender(undiciLoop, 0, Math.min(warmWakes, wakes));
    if (wnsLoop) await runSender(wnsLoop, 0, Math.min(warmWakes, wakes));
    const stopped = new Set<string>();
    for (const g of gateways) if (!(await runGateway(g, 0, false)).complete) stopped.add(g.label);

    const results: Record<string, RunResult[]> = { undici: [], wns: [] };
    const cut: Record<string, boolean> = {};
    for (let r = 1; r <= rounds; r += 1) {
      results['undici']!.push(await runSender(undiciLoop, r, wakes));
      for (const g of gateways) {
        if (stopped.has(g.label)) continue;
        const out = await runGateway(g, r, ctx.profileDir !== null && r === rounds);
        if (!out.complete) stopped.add(g.label);
        (results[g.label] ??= []).push(out);
        cut[g.label] ||= !out.complete;
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
        figureFromRuns(
          { name: `${name}.${suffix}`, unit: 'wakes/s', baseline, ...(target ? { target } : {}), ...(cut[g.label] ? { note: `cut at ${capMs / 1000} s: rate over the wakes settled by then` } : {}) },
          mine.map((m, i) => ({ value: rate(m), baselineValue: other[i] ? rate(other[i]) : Number.NaN })),
        );
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
