/**
 * The whole wake loop against a gateway, driven only through its public surfaces (SyncML endpoint, operator API):
 * set up the provider (PFN + the fake WNS's credentials), N devices check in and get push provisioned, one or more
 * commands per device are queued through the API, every device is woken with bulk push requests (POST /api/v1/push,
 * 1,000 per request), the devices open 1200 sessions and answer, and every command result and wake state is read
 * back through the API. `omadm-gateway simulate` and the end-to-end tests run this.
 */
import { performance } from 'node:perf_hooks';
import type { CommandSpec } from '../../../src/session/ports.js';
import type { FakeWns } from '../fake-wns.js';
import { DEMO_COMMANDS } from './demo-commands.js';
import { createLimiter } from './limiter.js';
import { runSimulation } from './run-simulation.js';
import type { DeviceSessionRecord, SimulatedDevice } from './simulated-device.js';
import { stats } from './simulation-summary.js';
import type { WakeLoopReport } from './wake-loop-report.js';
import type { SyncMLEncoding } from './http-transport.js';

/** The operator API calls the loop makes (the CLI's ApiClient fits); paths start with /api/v1; non-2xx throws. */
export interface OperatorApi {
  readonly baseUrl: string;
  get<T = unknown>(path: string): Promise<T>;
  post<T = unknown>(path: string, body?: unknown): Promise<T>;
  put<T = unknown>(path: string, body: unknown): Promise<T>;
}

export type WakeLoopPhase = 'provider' | 'check-in' | 'queue' | 'wake-request' | 'wake' | 'results';

export interface WakeLoopProgress {
  phase: WakeLoopPhase;
  done: number;
  total: number;
  detail?: string;
}

export interface WakeLoopOptions {
  /** The gateway's SyncML endpoint. */
  syncmlUrl: string;
  api: OperatorApi;
  /** The fake WNS the gateway pushes to; devices register their channels on it. */
  fake: FakeWns;
  devices: number;
  /** Device sessions at once (default 16). */
  concurrency?: number;
  /** Operator API requests at once (default 8). */
  apiConcurrency?: number;
  /** Queued for every device (default: Get ./DevDetail/SwV). */
  commands?: CommandSpec[];
  /** DMClient ProviderID of the devices and the provider the loop sets up (default omadm-gateway). */
  providerId?: string;
  pfn?: string;
  /** How long to wait for the 1200 sessions (default 60 s + 250 ms per device). */
  wakeTimeoutMs?: number;
  ttlSeconds?: number;
  encoding?: SyncMLEncoding;
  idPrefix?: string;
  progress?: (event: WakeLoopProgress) => void;
}

export const DEMO_PFN = 'Contoso.MDM_8wekyb3d8bbwe';
const BULK_PUSH_MAX = 1000;
const FAILURES_SHOWN = 20;

interface BulkPushResult {
  requested: number;
  created: number;
  coalesced: number;
  refusedCount: number;
  refused: Array<{ deviceId: string; reason: string }>;
}

interface WakeBody {
  state: string;
  latencyMs: number | null;
  reason: string | null;
}

export async function runWakeLoop(o: WakeLoopOptions): Promise<WakeLoopReport> {
  const providerId = o.providerId ?? 'omadm-gateway';
  const specs = o.commands ?? [DEMO_COMMANDS['get']!.spec];
  const apiGate = createLimiter(o.apiConcurrency ?? 8);
  const progress = o.progress ?? (() => undefined);
  const failures: string[] = [];
  const seg = encodeURIComponent;
  const t0 = performance.now();

  await o.api.put(`/api/v1/providers/${seg(providerId)}`, {
    pfn: o.pfn ?? DEMO_PFN,
    wns: { clientId: o.fake.defaultClient.clientId, clientSecret: o.fake.defaultClient.clientSecret },
  });
  progress({ phase: 'provider', done: 1, total: 1, detail: `${providerId}: PFN ${o.pfn ?? DEMO_PFN}, WNS credentials of the fake WNS at ${o.fake.origin}` });

  const requestedAt = new Map<string, number>();
  const wakeStartedAt = new Map<string, number>();
  const commandIds = new Map<string, string[]>();
  const bulk = { requested: 0, accepted: 0, coalesced: 0, refused: 0 };
  const marks = { checkIn: t0, queued: t0, wakeRequest: t0, lastWake: 0 };
  let checkedIn = 0;
  let expectedWakes = o.devices;

  const onSession = (record: DeviceSessionRecord, device: SimulatedDevice): void => {
    const now = performance.now();
    if (record.reason === 'check-in') progress({ phase: 'check-in', done: ++checkedIn, total: o.devices });
    if (record.reason === 'wake' && !wakeStartedAt.has(device.deviceId)) {
      wakeStartedAt.set(device.deviceId, now - record.wallMs);
      marks.lastWake = now;
      progress({ phase: 'wake', done: wakeStartedAt.size, total: expectedWakes });
    }
  };

  const afterCheckIn = async ({ devices }: { devices: SimulatedDevice[] }): Promise<void> => {
    marks.checkIn = performance.now();
    expectedWakes = devices.filter((d) => d.push.state().status === 0).length;
    let queued = 0;
    await Promise.all(
      devices.map((d) =>
        apiGate(async () => {
          const ids: string[] = [];
          for (const spec of specs) {
            try {
              ids.push((await o.api.post<{ id: string }>(`/api/v1/devices/${seg(d.deviceId)}/commands`, spec)).id);
            } catch (error) {
              failures.push(`queueing ${spec.verb} for ${d.deviceId} failed: ${messageOf(error)}`);
            }
          }
          commandIds.set(d.deviceId, ids);
          progress({ phase: 'queue', done: ++queued, total: devices.length });
        }),
      ),
    );
    marks.queued = marks.wakeRequest = performance.now();
    const ids = devices.map((d) => d.deviceId);
    for (let i = 0; i < ids.length; i += BULK_PUSH_MAX) {
      const batch = ids.slice(i, i + BULK_PUSH_MAX);
      const at = performance.now();
      for (const id of batch) requestedAt.set(id, at);
      try {
        const r = await o.api.post<BulkPushResult>('/api/v1/push', { deviceIds: batch, ...(o.ttlSeconds !== undefined ? { ttlSeconds: o.ttlSeconds } : {}) });
        bulk.requested += r.requested;
        bulk.accepted += r.created;
        bulk.coalesced += r.coalesced;
        bulk.refused += r.refusedCount;
        for (const x of r.refused) failures.push(`wake refused for ${x.deviceId}: ${x.reason}`);
        if (r.refusedCount > r.refused.length) failures.push(`… and ${r.refusedCount - r.refused.length} more refused wakes`);
      } catch (error) {
        failures.push(`bulk push of ${batch.length} devices failed: ${messageOf(error)}`);
      }
      progress({ phase: 'wake-request', done: Math.min(ids.length, i + BULK_PUSH_MAX), total: ids.length, detail: `${bulk.accepted} accepted, ${bulk.refused} refused` });
    }
  };

  const { summary, devices } = await runSimulation({
    serverUrl: o.syncmlUrl,
    devices: o.devices,
    concurrency: o.concurrency ?? 16,
    wnsFake: o.fake,
    ...(o.idPrefix !== undefined ? { idPrefix: o.idPrefix } : {}),
    ...(o.encoding !== undefined ? { encoding: o.encoding } : {}),
    deviceOptions: () => ({ providerId }),
    onSession,
    afterCheckIn,
    waitForWakes: { timeoutMs: o.wakeTimeoutMs ?? 60_000 + 250 * o.devices },
  });
  const wakeDone = performance.now();

  // Read every result back through the API.
  const byResult: Record<string, number> = {};
  const wakeStates: Record<string, number> = {};
  const sentToWoke: number[] = [];
  let accountedFor = 0;
  let read = 0;
  const bump = (r: Record<string, number>, k: string): void => void (r[k] = (r[k] ?? 0) + 1);
  await Promise.all(
    devices.map((d) =>
      apiGate(async () => {
        for (const id of commandIds.get(d.deviceId) ?? []) {
          try {
            const c = await o.api.get<{ state: string; status: string | null }>(`/api/v1/devices/${seg(d.deviceId)}/commands/${seg(id)}`);
            bump(byResult, `${c.state} ${c.status ?? '-'}`);
            if ((c.state === 'done' || c.state === 'failed') && c.status) accountedFor++;
            else failures.push(`command ${id} of ${d.deviceId} is ${c.state}${c.status ? ` (${c.status})` : ''}`);
          } catch (error) {
            failures.push(`reading command ${id} of ${d.deviceId} failed: ${messageOf(error)}`);
          }
        }
        try {
          const wake = (await o.api.get<{ items: WakeBody[] }>(`/api/v1/devices/${seg(d.deviceId)}/pushes?limit=1`)).items[0];
          bump(wakeStates, wake?.state ?? 'none');
          if (wake?.latencyMs !== null && wake?.latencyMs !== undefined) sentToWoke.push(wake.latencyMs);
          if (wake && wake.state !== 'woke') failures.push(`wake of ${d.deviceId} is ${wake.state}${wake.reason ? `: ${wake.reason}` : ''}`);
        } catch (error) {
          failures.push(`reading the wakes of ${d.deviceId} failed: ${messageOf(error)}`);
        }
        progress({ phase: 'results', done: ++read, total: devices.length });
      }),
    ),
  );
  const end = performance.now();

  for (const d of devices) {
    const status = d.push.state().status;
    if (status !== 0) failures.push(`${d.deviceId}: Push/Status ${status} after check-in`);
    else if (!wakeStartedAt.has(d.deviceId)) failures.push(`${d.deviceId}: no 1200 session`);
  }
  const woke = wakeStates['woke'] ?? 0;
  const hints: string[] = [];
  if (failures.some((f) => /not an allowed channel host|is not https|port \d+ is not allowed/.test(f))) {
    const origin = new URL(o.fake.origin);
    hints.push(`the gateway refuses the fake WNS's channels: is it running with WNS_CHANNEL_HOSTS=${origin.protocol === 'http:' ? o.fake.origin : origin.host}?`);
  }
  if (bulk.accepted > 0 && woke === 0 && o.fake.tokenRequests.length === 0) {
    hints.push(`the gateway never asked the fake WNS for a token: is it running with WNS_TOKEN_URL=${o.fake.classicTokenUrl}?`);
  }
  const problems = [...failures, ...summary.errors.first.map((e) => `session error: ${e}`), ...summary.violations.first.map((v) => `protocol violation: ${v}`)];
  const problemCount = failures.length + summary.errors.count + summary.violations.count;
  const wakeWindow = (marks.lastWake || wakeDone) - marks.wakeRequest;

  return {
    devices: o.devices,
    target: { syncmlUrl: o.syncmlUrl, apiUrl: `${o.api.baseUrl}/api/v1` },
    checkIns: summary.checkIns,
    push: summary.push,
    wakes: {
      requested: bulk.requested,
      accepted: bulk.accepted,
      coalesced: bulk.coalesced,
      refused: bulk.refused,
      sent: (wakeStates['sent'] ?? 0) + woke,
      delivered: summary.wakes.delivered,
      woke,
      sessions: summary.wakes.sessionsOpened,
      byState: wakeStates,
      timedOut: summary.wakes.timedOut,
    },
    latencyMs: {
      wake: stats(devices.flatMap((d) => {
        const start = wakeStartedAt.get(d.deviceId);
        const asked = requestedAt.get(d.deviceId);
        return start === undefined || asked === undefined ? [] : [start - asked];
      })),
      sentToWoke: stats(sentToWoke),
      notificationToSession: summary.latencyMs.wakeToSession,
      checkIn: summary.latencyMs.checkIn,
    },
    commands: { perDevice: specs.length, queued: [...commandIds.values()].reduce((n, ids) => n + ids.length, 0), byResult, accountedFor },
    failures: { count: problemCount, first: problems.slice(0, FAILURES_SHOWN) },
    hints,
    wallMs: {
      total: Math.round(end - t0),
      checkIn: Math.round(marks.checkIn - t0),
      queue: Math.round(marks.queued - marks.checkIn),
      wake: Math.round(wakeDone - marks.wakeRequest),
      results: Math.round(end - wakeDone),
    },
    wakesPerSecond: wakeWindow > 0 ? Math.round((woke / wakeWindow) * 10_000) / 10 : 0,
    simulation: summary,
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
