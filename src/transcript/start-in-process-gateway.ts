/**
 * A fresh gateway for one replay: the app's composition root (src/app/compose.ts) on a fresh embedded SQLite
 * database in a temporary directory (or a PostgreSQL URL when given), listening on 127.0.0.1 port 0, with the
 * replay clock, DEVICE_AUTH=none, no background loops (no push dispatcher, no housekeeping timer: a replay must
 * be deterministic). Instead `tick()` runs one housekeeping round on the replay clock before each device message,
 * with the parameters the composition root gives its timer, so clock jumps in a transcript have the effect they
 * have in production. The transcript's server URI becomes PUBLIC_URL + SYNCML_PATH so the gateway's SyncHdr Source
 * is the one the recorded device talked to.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { composeGateway } from '../app/compose.js';
import { startHousekeeping } from '../app/housekeeping.js';
import { loadConfig } from '../config/index.js';
import { pollScheduleHash } from '../csp/poll-schedule-hash.js';
import type { PollSchedule } from '../csp/poll-schedule.js';
import { ENGINE_DEFAULTS } from '../session/engine-options.js';
import type { GatewayStartOptions, GatewayUnderTest, StateSnapshot } from './gateway-under-test.js';

const DEFAULT_SYNCML_PATH = '/ManagementServer/MDM.svc';
const LIST_LIMIT = 500;

/** `https://mdm.contoso.com/omadm/x.ashx` → PUBLIC_URL `https://mdm.contoso.com`, SYNCML_PATH `/omadm/x.ashx`. */
export function splitServerUri(serverUri: string): { publicUrl?: string; syncmlPath: string } {
  const m = /^(https?:\/\/[^/?#]+)(\/[^?#]*)?/i.exec(serverUri.trim());
  if (!m) return { syncmlPath: DEFAULT_SYNCML_PATH };
  const path = (m[2] ?? '').replace(/\/+$/, '');
  return { publicUrl: m[1] as string, syncmlPath: /^(\/[A-Za-z0-9._~!$&'()*+,;=:@-]+)+$/.test(path) ? path : DEFAULT_SYNCML_PATH };
}

export async function startInProcessGateway(options: GatewayStartOptions & { databaseUrl?: string }): Promise<GatewayUnderTest> {
  const dataDir = await mkdtemp(join(tmpdir(), 'omadm-replay-'));
  const { publicUrl, syncmlPath } = splitServerUri(options.serverUri);
  const config = loadConfig({
    env: {
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dataDir,
      SYNCML_PATH: syncmlPath,
      ...(publicUrl ? { PUBLIC_URL: publicUrl } : {}),
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
      DEFAULT_PROVIDER_ID: options.defaultProviderId ?? 'omadm-gateway',
      DEVICE_AUTH: 'none',
      LOG_LEVEL: 'silent',
      OPERATOR_TOKEN: randomBytes(24).toString('base64url'),
      SECRET_KEY: randomBytes(32).toString('base64'),
    },
  });
  let gateway: Awaited<ReturnType<typeof composeGateway>>;
  try {
    gateway = await composeGateway(config, { clock: options.clock, background: false });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const { url } = await gateway.listen();
  const store = gateway.store;
  // Same parameters as compose.ts's timer; the interval never fires within a replay (runOnce is called instead).
  const housekeeping = startHousekeeping(store, {
    intervalMs: 2 ** 31 - 1,
    staleSentMs: 2 * ENGINE_DEFAULTS.commandExpiryMs,
    clock: options.clock,
    logger: pino({ level: 'silent' }),
  });

  const pollProvisioned = async (providerId: string, confirmed: string | null): Promise<boolean> => {
    const schedule = (await store.getProvider(providerId))?.pollSchedule;
    return confirmed !== null && schedule !== null && schedule !== undefined && confirmed === pollScheduleHash(schedule as PollSchedule);
  };

  return {
    url: `${url}${config.syncmlPath}`,
    async seed(request) {
      for (const p of request.providers ?? []) {
        await store.putProvider(p.providerId, {
          pfn: p.pfn,
          wns: p.wns ? { clientId: p.wns.clientId, clientSecret: p.wns.clientSecret } : null,
          ...(p.pollSchedule ? { pollSchedule: p.pollSchedule } : {}),
        });
      }
      for (const d of request.devices ?? []) await store.bindDevice(d.deviceId, d.providerId);
      const commandIds: string[] = [];
      for (const c of request.commands ?? []) {
        const queued = await store.enqueueCommand(c.deviceId, c.spec, { addFallbackToReplace: c.addFallbackToReplace ?? false });
        commandIds.push(queued.id);
      }
      return { commandIds };
    },
    async inspect(): Promise<StateSnapshot> {
      const now = options.clock();
      const devices = (await store.listDevices({ limit: LIST_LIMIT })).items;
      const snapshot: StateSnapshot = { devices: [], commands: [], alerts: [], channels: [] };
      for (const d of devices) {
        const active = await store.activeChannel(d.deviceId, now);
        snapshot.devices.push({
          deviceId: d.deviceId,
          providerId: d.providerId,
          enrollmentState: d.enrollmentState,
          provisionedPfn: d.provisionedPfn,
          devInfo: d.devInfo,
          pushStatus: d.push.status,
          channelUri: active?.channelUri ?? null,
          pollProvisioned: await pollProvisioned(d.providerId, d.provisionedPollHash ?? null),
        });
        for (const c of (await store.listCommands(d.deviceId, { limit: LIST_LIMIT })).items.reverse()) {
          snapshot.commands.push({
            id: c.id,
            deviceId: c.deviceId,
            state: c.state,
            status: c.status,
            results: c.outcome?.results ?? [],
            ...(c.outcome?.children ? { children: c.outcome.children.map((child) => child.status) } : {}),
          });
        }
        for (const ch of await store.listChannels(d.deviceId)) {
          snapshot.channels.push({ deviceId: ch.deviceId, channelUri: ch.channelUri, state: ch.state });
        }
      }
      snapshot.alerts = (await store.listAlerts({ limit: LIST_LIMIT })).items.reverse().map((a) => ({
        deviceId: a.deviceId,
        sessionId: a.sessionId,
        alert: a.alert,
        alertType: a.alertType,
        format: a.format,
        mark: a.mark,
        source: a.source,
        data: a.data,
      }));
      return snapshot;
    },
    tick: () => housekeeping.runOnce(),
    async close() {
      housekeeping.stop();
      try {
        await gateway.close();
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}
