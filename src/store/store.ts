import type { DataSource } from 'typeorm';
import { listAlerts } from './alert-repository.js';
import { historyRetention, type HistoryRetentionOptions } from './history-retention.js';
import { activeChannel, listChannels, markChannel } from './channel-repository.js';
import { cancelCommand, enqueueCommand, expireCommands, getCommand, listCommands, requeueStaleSent } from './command-queue.js';
import { getDevice, listDevices } from './device-query.js';
import { bindDevice, getDeviceProvider } from './device-binding.js';
import { commitExchange } from './exchange-committer.js';
import { DEFAULT_MESSAGE_RETENTION, listMessages } from './message-repository.js';
import {
  clearProviderProblem,
  getProviderRow,
  listProviderRows,
  putProvider,
  recordProviderProblem,
  toProviderCredentials,
  toProviderDetails,
} from './provider-repository.js';
import { listPushAttempts, recordPushAttempt } from './push-attempt-repository.js';
import type { Store } from './roles.js';
import type { ProviderInput } from './views.js';
import { createSecretBox } from './secret-box.js';
import { loadForMessage } from './session-loader.js';
import { getSessionSummary, listSessions } from './session-repository.js';
import { createSqlClient, isTransientConflict } from './sql-client.js';
import { chunks } from './sql-values.js';
import { StoreError } from './errors.js';
import { claimWakes, expireWakes, failWake, markWakeSent, rescheduleWake } from './wake-dispatch.js';
import { DEFAULT_WAKE_MAX_AGE_SECONDS } from './wake-deadline.js';
import { listWakeHistory } from './wake-history.js';
import { getWake, listWakes } from './wake-repository.js';
import { settleWake, settleWakes, type WakeSettleOutcome } from './wake-settlement.js';
import { requestWake, requestWakes } from './wake-request.js';

/**
 * alertRetention / pushAttemptRetention: alerts and push attempts kept per device (default 1,000 and 2,000);
 * historyTrimEvery: about one insert in K trims its device (default 32; 1 trims on every insert). See history-retention.ts.
 */
export interface StoreOptions extends HistoryRetentionOptions {
  /** 32-byte key that seals provider secrets (see secret-box.ts). */
  secretKey: Buffer;
  /** ProviderID for a device with no record and no binding (DEFAULT_PROVIDER_ID). Default 'omadm-gateway'. */
  defaultProviderId?: string;
  /** Raw exchanges kept per device (default 200); trimmed on about one stored exchange in historyTrimEvery, so a device holds up to about N + K between trims. */
  messageRetention?: number;
  /** How long a sent wake without TTL blocks a new one for the same device (default 600 s). */
  wakeHoldSeconds?: number;
  /** WAKE_MAX_AGE_SECONDS: how long a wake may wait to be sent, TTL or not (default 24 h; a TTL bounds it further). */
  wakeMaxAgeSeconds?: number;
  clock?: () => Date;
}

/** The store over an initialised, migrated DataSource: SessionPorts plus the operator and push roles (roles.ts). */
export function createStore(ds: DataSource, options: StoreOptions): Store {
  const client = createSqlClient(ds);
  const box = createSecretBox(options.secretKey);
  const defaultProviderId = options.defaultProviderId ?? 'omadm-gateway';
  const messageRetention = options.messageRetention ?? DEFAULT_MESSAGE_RETENTION;
  const holdSeconds = options.wakeHoldSeconds ?? 600;
  const maxAgeSeconds = options.wakeMaxAgeSeconds ?? DEFAULT_WAKE_MAX_AGE_SECONDS;
  if (!Number.isInteger(maxAgeSeconds) || maxAgeSeconds < 1) throw new StoreError(`wakeMaxAgeSeconds must be a positive integer: ${maxAgeSeconds}`);
  const retention = historyRetention(options);
  const clock = options.clock ?? (() => new Date());
  const now = () => clock().getTime();
  const read = client.read.bind(client);
  const tx = client.transaction.bind(client);

  const provider = async (providerId: string) => {
    const row = await read((sql) => getProviderRow(sql, providerId));
    return row ? toProviderDetails(row) : null;
  };
  const upsertProvider = (providerId: string, input: ProviderInput) =>
    tx(async (sql) => {
      const existed = (await getProviderRow(sql, providerId)) !== undefined;
      await putProvider(sql, box, providerId, input, now());
      const row = await getProviderRow(sql, providerId);
      if (!row) throw new StoreError(`provider ${providerId} vanished after it was written`);
      return { provider: toProviderDetails(row), created: !existed };
    });

  return {
    // ── SessionPorts ──
    loadForMessage: (deviceId, sessionId, pendingLimit) => loadForMessage(client, deviceId, sessionId, pendingLimit, defaultProviderId, now()),
    commitExchange: (change) => commitExchange(client, change, { defaultProviderId, messageRetention, retention }),

    // ── CommandQueue ──
    enqueueCommand: (deviceId, spec, opts = {}) => tx((sql) => enqueueCommand(sql, deviceId, spec, opts, now())),
    getCommand: (deviceId, commandId) => read((sql) => getCommand(sql, deviceId, commandId)),
    listCommands: (deviceId, filter = {}) => read((sql) => listCommands(sql, deviceId, filter)),
    cancelCommand: (deviceId, commandId) => tx((sql) => cancelCommand(sql, deviceId, commandId, now())),

    // ── ProviderDirectory ──
    putProvider: async (providerId, input) => (await upsertProvider(providerId, input)).provider,
    upsertProvider,
    getProvider: provider,
    listProviders: async () => (await read(listProviderRows)).map(toProviderDetails),

    // ── DeviceDirectory ──
    getDevice: (deviceId) => read((sql) => getDevice(sql, deviceId, now())),
    listDevices: (filter = {}) => read((sql) => listDevices(sql, filter, now())),
    bindDevice: (deviceId, providerId) => tx((sql) => bindDevice(sql, deviceId, providerId, now())),
    getDeviceProvider: (deviceId) => read((sql) => getDeviceProvider(sql, deviceId)),
    listSessions: (deviceId, page = {}) => read((sql) => listSessions(sql, deviceId, page)),
    getSession: (deviceId, sessionId) => read((sql) => getSessionSummary(sql, deviceId, sessionId)),
    listMessages: (deviceId, sessionId, page = {}) => read((sql) => listMessages(sql, deviceId, sessionId, page)),
    listAlerts: (filter = {}) => read((sql) => listAlerts(sql, filter)),
    listChannels: (deviceId) => read((sql) => listChannels(sql, deviceId)),

    // ── PushStore ──
    async getProviderCredentials(providerId) {
      const row = await read((sql) => getProviderRow(sql, providerId));
      return row ? toProviderCredentials(row, box) : null;
    },
    recordProviderProblem: (providerId, problem, o = {}) =>
      tx((sql) => recordProviderProblem(sql, providerId, problem, o.at?.getTime() ?? now(), o.pausedUntil?.getTime() ?? null)),
    clearProviderProblem: (providerId) => tx((sql) => clearProviderProblem(sql, providerId)),
    activeChannel: (deviceId, at) => read((sql) => activeChannel(sql, deviceId, at?.getTime() ?? now())),
    markChannel: (ref, state, reason, at) => tx((sql) => markChannel(sql, ref, state, reason, at?.getTime() ?? now())),

    // ── WakeQueue ──
    requestWake: (request) => tx((sql) => requestWake(sql, request, request.at?.getTime() ?? now(), { holdSeconds, maxAgeSeconds })),
    async requestWakes(request) {
      const at = request.at?.getTime() ?? now();
      const page = () => tx((sql) => requestWakes(sql, request, at, { holdSeconds, maxAgeSeconds }));
      try {
        return await page();
      } catch (error) {
        // Rolled back after losing a lock race on PostgreSQL (deadlock): nothing was written, so once more is safe.
        if (!isTransientConflict(error)) throw error;
        return page();
      }
    },
    claimWakes: (c) =>
      tx((sql) => claimWakes(sql, { workerId: c.workerId, limit: c.limit, leaseMs: c.leaseMs, now: c.now?.getTime() ?? now(), maxAgeSeconds })),
    markWakeSent: async (id, r) => (await tx((sql) => markWakeSent(sql, id, r.sentAt.getTime(), r.outcome, r.workerId))) !== null,
    rescheduleWake: (id, r) => tx((sql) => rescheduleWake(sql, id, r.nextAttemptAt.getTime(), r.outcome, r.reason ?? null, r.attempted, r.workerId)),
    failWake: (id, f) => tx((sql) => failWake(sql, id, f.outcome, f.reason, f.attempted ?? true, f.workerId)),
    settleWake: (id, settlement) => onceMoreOnConflict(() => tx((sql) => settleWake(sql, id, settlement, retention))),
    async settleWakes(items) {
      const outcomes: WakeSettleOutcome[] = [];
      // One transaction per BATCH_ROWS items (the dispatcher's batches are far smaller): bounded statements and locks.
      for (const batch of chunks(items)) {
        try {
          outcomes.push(...(await onceMoreOnConflict(() => tx((sql) => settleWakes(sql, batch, retention)))));
        } catch (error) {
          if (batch.length === 1) {
            outcomes.push({ error });
            continue;
          }
          // The batch rolled back as a whole: settle each item alone (in order), so one bad item cannot sink the others.
          for (const { wakeId, settlement } of batch) {
            try {
              outcomes.push(await onceMoreOnConflict(() => tx((sql) => settleWake(sql, wakeId, settlement, retention))));
            } catch (itemError) {
              outcomes.push({ error: itemError });
            }
          }
        }
      }
      return outcomes;
    },
    expireWakes: (at) => tx((sql) => expireWakes(sql, at?.getTime() ?? now(), holdSeconds, maxAgeSeconds)),
    getWake: (id) => read((sql) => getWake(sql, id)),
    listWakes: (deviceId, page = {}) => read((sql) => listWakes(sql, deviceId, page)),
    listWakeHistory: (deviceId, page = {}) => read((sql) => listWakeHistory(sql, deviceId, page)),
    recordPushAttempt: (attempt) => tx((sql) => recordPushAttempt(sql, attempt, retention)),
    listPushAttempts: (deviceId, page = {}) => read((sql) => listPushAttempts(sql, deviceId, page)),

    // ── Housekeeping ──
    expireCommands: (at) => tx((sql) => expireCommands(sql, at?.getTime() ?? now())),
    requeueStaleSent: (olderThan) => tx((sql) => requeueStaleSent(sql, olderThan.getTime())),
    ping: async () => {
      await read((sql) => sql.one('SELECT 1 AS ok'));
    },
    // Inside the client's queue: on SQLite, TypeORM would otherwise share the connection with a running transaction.
    hasPendingMigrations: () => read(() => ds.showMigrations()),
    close: async () => {
      if (ds.isInitialized) await ds.destroy();
    },
  };
}

/** Rolled back after losing a lock race on PostgreSQL (deadlock, serialization): nothing was written, so once more is safe. */
async function onceMoreOnConflict<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!isTransientConflict(error)) throw error;
    return run();
  }
}
