import { StaleSessionError, type RawExchange, type SessionEffect, type SessionState } from '../session/ports.js';
import { insertAlerts } from './alert-repository.js';
import { recordChannel } from './channel-repository.js';
import { markCompleted, markRequeued, markSent, respecify } from './command-effects.js';
import { markUnenrolled, setProvisionedPfn, setProvisionedPollHash, setPushStatus, touchDevice, type DevicePatch } from './device-repository.js';
import type { HistoryRetention } from './history-retention.js';
import { recordMessage } from './message-repository.js';
import { saveSession } from './session-repository.js';
import { isTransientConflict, type Sql, type SqlClient } from './sql-client.js';
import { markWoke } from './wake-dispatch.js';

export interface ExchangeChange {
  session: SessionState;
  expectedVersion: number | null;
  effects: SessionEffect[];
  raw?: RawExchange;
}

export interface CommitOptions {
  defaultProviderId: string;
  messageRetention: number;
  retention: HistoryRetention;
}

/**
 * One transaction per device message: the device row (created on first contact, last seen moved forward; on PostgreSQL
 * this row lock serialises commits of one device), the session with its version check, every effect, the raw exchange.
 * Effects apply in order; consecutive effects of one type go to the database as one batched statement. Effects that only
 * set columns of a device this transaction touches anyway (unenrolled, PFN, Poll hash, Push/Status) are folded into that
 * device's upsert as their final values: nothing else in the transaction reads those columns, so the outcome is the same
 * as applying them in order, with one statement instead of one per effect type.
 */
export async function commitExchange(client: SqlClient, change: ExchangeChange, options: CommitOptions): Promise<void> {
  const { session, effects, raw } = change;
  try {
    await client.transaction(async (sql) => {
      const touched = await touchSessionDevices(sql, change, options.defaultProviderId);
      await saveSession(sql, session, change.expectedVersion);
      for (const run of runsOfOneType(effects)) await applyRun(sql, run, session, options.retention, touched);
      if (raw) await recordMessage(sql, raw, options.messageRetention, options.retention);
    });
  } catch (error) {
    // A deadlock with a concurrent writer (e.g. the command expiry sweep) is a lost race like a version conflict:
    // the caller reloads and answers again.
    if (isTransientConflict(error)) throw new StaleSessionError(session.deviceId, session.sessionId, { cause: error });
    throw error;
  }
}

/** Upserts the session's device and every device a device.seen names, each with its folded column effects. */
async function touchSessionDevices(sql: Sql, change: ExchangeChange, defaultProviderId: string): Promise<Set<string>> {
  const { session, effects, raw } = change;
  const seen = effects.filter((e): e is Extract<SessionEffect, { type: 'device.seen' }> => e.type === 'device.seen');
  const deviceIds = new Set([session.deviceId, ...seen.map((e) => e.deviceId)]);
  const patches = devicePatches(effects, deviceIds);
  for (const deviceId of deviceIds) {
    const mine = seen.filter((e) => e.deviceId === deviceId);
    const latest = mine[mine.length - 1];
    const devInfo = [...mine].reverse().find((e) => Object.keys(e.devInfo).length > 0)?.devInfo ?? null;
    const at = latest?.at.getTime() ?? raw?.at.getTime() ?? Date.parse(session.updatedAt);
    const patch = patches.get(deviceId);
    await touchDevice(sql, {
      deviceId,
      at: Number.isNaN(at) ? Date.now() : at,
      sessionId: deviceId === session.deviceId ? session.sessionId : null,
      devInfo,
      defaultProviderId,
      ...(patch ? { patch } : {}),
    });
  }
  return deviceIds;
}

/** The device columns the effects set, per touched device: each column's last assignment in effect order. */
function devicePatches(effects: SessionEffect[], touched: Set<string>): Map<string, DevicePatch> {
  const patches = new Map<string, DevicePatch>();
  const patchOf = (deviceId: string): DevicePatch => {
    let p = patches.get(deviceId);
    if (!p) patches.set(deviceId, (p = {}));
    return p;
  };
  for (const e of effects) {
    if (!isDeviceColumnEffect(e) || !touched.has(e.deviceId)) continue;
    const p = patchOf(e.deviceId);
    switch (e.type) {
      case 'device.unenrolled': // markUnenrolled
        p.unenrolled = true;
        p.provisionedPfn = null;
        p.provisionedPollHash = null;
        break;
      case 'push.pfnProvisioned':
        p.provisionedPfn = e.pfn;
        break;
      case 'push.pfnRejected':
        p.provisionedPfn = null;
        break;
      case 'push.statusReported':
        p.pushStatus = { status: e.pushStatus, at: e.at.getTime() };
        break;
      case 'push.pollProvisioned':
        p.provisionedPollHash = e.pollHash;
        break;
      case 'push.pollRejected':
        // 'unchanged': the device rolled back, what it confirmed before still holds.
        if (e.deviceState === 'unknown') p.provisionedPollHash = null;
        break;
    }
  }
  return patches;
}

type DeviceColumnEffect = Extract<
  SessionEffect,
  { type: 'device.unenrolled' | 'push.pfnProvisioned' | 'push.pfnRejected' | 'push.statusReported' | 'push.pollProvisioned' | 'push.pollRejected' }
>;

function isDeviceColumnEffect(e: SessionEffect): e is DeviceColumnEffect {
  switch (e.type) {
    case 'device.unenrolled':
    case 'push.pfnProvisioned':
    case 'push.pfnRejected':
    case 'push.statusReported':
    case 'push.pollProvisioned':
    case 'push.pollRejected':
      return true;
    default:
      return false;
  }
}

type Run = { [T in SessionEffect['type']]: { type: T; effects: Extract<SessionEffect, { type: T }>[] } }[SessionEffect['type']];

function runsOfOneType(effects: SessionEffect[]): Run[] {
  const runs: { type: SessionEffect['type']; effects: SessionEffect[] }[] = [];
  for (const effect of effects) {
    const last = runs[runs.length - 1];
    if (last && last.type === effect.type) last.effects.push(effect);
    else runs.push({ type: effect.type, effects: [effect] });
  }
  return runs as Run[];
}

async function applyRun(sql: Sql, run: Run, session: SessionState, retention: HistoryRetention, touched: Set<string>): Promise<void> {
  // Device column effects of a touched device were written with its upsert (devicePatches); the rest apply here.
  const untouched = <E extends { deviceId: string }>(effects: E[]): E[] => effects.filter((e) => !touched.has(e.deviceId));
  switch (run.type) {
    case 'device.seen':
      return; // folded into the device upsert at the start of the transaction
    case 'device.unenrolled':
      for (const id of new Set(untouched(run.effects).map((e) => e.deviceId))) await markUnenrolled(sql, id);
      return;
    case 'command.sent':
      return markSent(sql, run.effects, session.deviceId, session.sessionId);
    case 'command.completed':
      return markCompleted(sql, run.effects);
    case 'command.requeued':
      return markRequeued(sql, run.effects);
    case 'command.respecified':
      return respecify(sql, run.effects);
    case 'push.pfnProvisioned':
      for (const e of lastPerDevice(untouched(run.effects))) await setProvisionedPfn(sql, e.deviceId, e.pfn);
      return;
    case 'push.pfnRejected':
      for (const e of lastPerDevice(untouched(run.effects))) await setProvisionedPfn(sql, e.deviceId, null);
      return;
    case 'push.channelReported':
      for (const e of run.effects) await recordChannel(sql, e.deviceId, e.channelUri, e.at.getTime());
      return;
    case 'push.statusReported':
      for (const e of lastPerDevice(untouched(run.effects))) await setPushStatus(sql, e.deviceId, e.pushStatus, e.at.getTime());
      return;
    case 'push.pollProvisioned':
      for (const e of lastPerDevice(untouched(run.effects))) await setProvisionedPollHash(sql, e.deviceId, e.pollHash);
      return;
    case 'push.pollRejected':
      // 'unchanged': the device rolled back, what it confirmed before still holds.
      for (const e of lastPerDevice(untouched(run.effects))) if (e.deviceState === 'unknown') await setProvisionedPollHash(sql, e.deviceId, null);
      return;
    case 'alert.received':
      return insertAlerts(sql, run.effects, retention);
    case 'session.serverInitiated':
      for (const e of lastPerDevice(run.effects)) await markWoke(sql, e.deviceId, e.at.getTime());
      return;
    default: {
      const unknown: never = run;
      throw new Error(`unknown session effect ${(unknown as { type: string }).type}`);
    }
  }
}

function lastPerDevice<E extends { deviceId: string }>(effects: E[]): E[] {
  return [...new Map(effects.map((e) => [e.deviceId, e])).values()];
}
