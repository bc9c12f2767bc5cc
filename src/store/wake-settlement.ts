import { markChannel, type ChannelRef } from './channel-repository.js';
import { lockDevice } from './device-repository.js';
import { clearProviderProblem, recordProviderProblem } from './provider-repository.js';
import type { HistoryRetention } from './history-retention.js';
import { recordPushAttempt, recordPushAttempts } from './push-attempt-repository.js';
import type { WakeRow } from './schema.js';
import type { Sql } from './sql-client.js';
import { chunks, marks, toNumberOrNull, valuesList } from './sql-values.js';
import type { PushAttemptInput } from './views.js';
import { failWake, markWakeExpired, markWakeSent, rescheduleWake } from './wake-dispatch.js';

/** What became of a claimed wake. `attempted`: a request reached (or tried to reach) the channel. */
export type WakeResult =
  | { kind: 'sent'; sentAt: Date; outcome: string }
  | { kind: 'retry'; nextAttemptAt: Date; outcome: string; reason: string | null; attempted: boolean }
  | { kind: 'failed'; outcome: string; reason: string; attempted: boolean }
  /** Its TTL passed before it could be sent. */
  | { kind: 'expired'; reason: string };

/** Everything one processing of a wake writes, in one transaction (one commit, one fsync on SQLite). */
export interface WakeSettlement {
  /** Only the claiming worker may settle a claimed wake (when given). */
  workerId?: string;
  /** The requests made to WNS (push_attempts rows), recorded even when the wake is no longer this worker's. */
  attempts: PushAttemptInput[];
  channel?: { ref: ChannelRef; state: 'gone' | 'invalid'; reason: string; at: Date } | null;
  provider?: { providerId: string; problem: string; pausedUntil: Date | null; at: Date } | { providerId: string; clear: true } | null;
  result: WakeResult;
}

export interface WakeSettled {
  /** False when the wake's claim went to another worker meanwhile (the attempts, channel and provider were recorded). */
  changed: boolean;
  /**
   * Set when a send is recorded for a wake the device's Alert 1200 session had already proven (the session arrived before
   * the WNS answer was written down): the wake's push-to-session latency, which the session committer could not know.
   */
  provenLatencyMs: number | null;
}

/**
 * Applies a settlement: push attempts, channel and provider consequences, then the wake's new state. Locks in the order
 * the session committer uses (device, then channels, then wakes) so the two cannot deadlock on PostgreSQL.
 */
export async function settleWake(sql: Sql, wakeId: string, s: WakeSettlement, retention: HistoryRetention): Promise<WakeSettled> {
  if (s.channel?.state === 'gone' && 'deviceId' in s.channel.ref) await lockDevice(sql, s.channel.ref.deviceId);
  for (const attempt of s.attempts) await recordPushAttempt(sql, attempt, retention);
  if (s.channel) await markChannel(sql, s.channel.ref, s.channel.state, s.channel.reason, s.channel.at.getTime());
  if (s.provider) await applyProvider(sql, s.provider);
  return applyResult(sql, wakeId, s);
}

/** One settlement of a batch (settleWakes). */
export interface WakeSettleItem {
  wakeId: string;
  settlement: WakeSettlement;
}

/** What one item of a batch came to: its own result, or the error settling it alone ran into. */
export type WakeSettleOutcome = WakeSettled | { error: unknown };

/**
 * Applies many settlements in ONE transaction (group commit: one commit for the batch instead of one per wake). Each
 * item's result is what settleWake would give it with the items settled one after another in the given order:
 *
 * - all push attempts in one multi-row INSERT, in item order (retention: one trim draw per row, see recordPushAttempts);
 * - channel consequences, then provider consequences, each item on its own (rare: a 410/404, a 401/403/406, or the clear
 *   after a success);
 * - 'sent' results in one set-based UPDATE … FROM a VALUES list with RETURNING, which gives each wake its own `changed` and
 *   `provenLatencyMs`; retry / failed / expired results, and every result of a wake that occurs twice in the batch, one
 *   by one in item order.
 *
 * Lock order on PostgreSQL (SQLite has one writer and BEGIN IMMEDIATE): the batch's devices in id order first, each
 * once and at the strength it needs for the whole transaction (no upgrade later) — FOR NO KEY UPDATE when some item
 * marks a channel gone (that also clears the device's PFN: the lock its UPDATE would take, taken before the channel as
 * settleWake does), else FOR KEY SHARE, the lock the push_attempts foreign key takes anyway and one that does not block
 * the session committer's device upsert; then channels (by device id), providers (by provider id), and the wakes in id
 * order. That is the order of the session committer (device, channels, wakes) and of every other batch, so none of them
 * can wait on another in a cycle. A locking SELECT with ORDER BY takes its row locks in that order (the locking step
 * runs above the sort: https://www.postgresql.org/docs/15/sql-select.html#SQL-FOR-UPDATE-SHARE).
 */
export async function settleWakes(sql: Sql, items: readonly WakeSettleItem[], retention: HistoryRetention): Promise<WakeSettled[]> {
  const [only] = items;
  if (items.length === 1 && only) return [await settleWake(sql, only.wakeId, only.settlement, retention)];
  const wakeIds = [...new Set(items.map((i) => i.wakeId))];
  if (sql.dialect === 'postgres') {
    const gone = items.some(({ settlement: s }) => s.channel?.state === 'gone');
    const deviceIds = new Set<string>();
    for (const { settlement: s } of items) {
      for (const a of s.attempts) deviceIds.add(a.deviceId);
      if (s.channel && 'deviceId' in s.channel.ref) deviceIds.add(s.channel.ref.deviceId);
    }
    await lockDevices(sql, [...deviceIds], wakeIds, gone ? 'NO KEY UPDATE' : 'KEY SHARE');
  }
  await recordPushAttempts(sql, items.flatMap((i) => i.settlement.attempts), retention);

  const channels = items.filter((i) => i.settlement.channel);
  for (const { settlement: s } of stableSort(channels, (i) => channelDevice(i.settlement))) {
    if (s.channel) await markChannel(sql, s.channel.ref, s.channel.state, s.channel.reason, s.channel.at.getTime());
  }
  const providers = items.filter((i) => i.settlement.provider);
  for (const { settlement: s } of stableSort(providers, (i) => i.settlement.provider?.providerId ?? '')) {
    if (s.provider) await applyProvider(sql, s.provider);
  }

  if (sql.dialect === 'postgres') {
    await sql.run(`SELECT id FROM wakes WHERE id IN (${marks(wakeIds.length)}) ORDER BY id FOR NO KEY UPDATE`, wakeIds);
  }
  const seen = new Map<string, number>();
  for (const { wakeId } of items) seen.set(wakeId, (seen.get(wakeId) ?? 0) + 1);
  const results: Array<WakeSettled | undefined> = items.map(() => undefined);
  const plainSent = items.flatMap((item, index) => (item.settlement.result.kind === 'sent' && seen.get(item.wakeId) === 1 ? [{ item, index }] : []));
  for (const part of chunks(plainSent)) {
    const proven = await markWakesSent(sql, part.map(({ item }) => item));
    for (const { item, index } of part) {
      const row = proven.get(item.wakeId);
      results[index] = { changed: row !== undefined, provenLatencyMs: row ?? null };
    }
  }
  for (const [index, item] of items.entries()) {
    if (results[index] === undefined) results[index] = await applyResult(sql, item.wakeId, item.settlement);
  }
  return results as WakeSettled[];
}

/**
 * markWakeSent for many wakes (each id once) in one statement. Returns the wakes it changed, each with its proven
 * latency (null unless the device's session had already proven it). `WITH v(…) AS (VALUES …) UPDATE … FROM v` is
 * valid on PostgreSQL and on SQLite ≥ 3.33 (UPDATE FROM; https://www.sqlite.org/lang_update.html#update_from).
 */
async function markWakesSent(sql: Sql, items: readonly WakeSettleItem[]): Promise<Map<string, number | null>> {
  const v = valuesList(
    items.map(({ wakeId, settlement: s }) => {
      const r = s.result as Extract<WakeResult, { kind: 'sent' }>;
      return [wakeId, r.sentAt.getTime(), r.outcome, s.workerId ?? null];
    }),
    [null, 'bigint', 'text', 'text'],
  );
  const rows = await sql.all<Pick<WakeRow, 'id' | 'state' | 'latency_ms'>>(
    `WITH v (id, sent_at, outcome, worker) AS (VALUES ${v.text})
     UPDATE wakes SET state = CASE WHEN wakes.state = 'woke' THEN 'woke' ELSE 'sent' END, sent_at = v.sent_at, outcome = v.outcome,
       attempts = wakes.attempts + 1, claimed_by = NULL, claimed_until = NULL,
       latency_ms = CASE WHEN wakes.woke_at IS NOT NULL AND wakes.woke_at >= v.sent_at THEN wakes.woke_at - v.sent_at ELSE wakes.latency_ms END
     FROM v
     WHERE wakes.id = v.id AND (wakes.state = 'woke' OR (wakes.state = 'sending' AND (v.worker IS NULL OR wakes.claimed_by = v.worker)))
     RETURNING wakes.id AS id, wakes.state AS state, wakes.latency_ms AS latency_ms`,
    v.params,
  );
  return new Map(rows.map((r) => [r.id, r.state === 'woke' ? toNumberOrNull(r.latency_ms) : null]));
}

/**
 * PostgreSQL: locks, in id order and in one statement, the devices of the batch: those its attempts and channels name and
 * those of its wakes — also a wake settled without an attempt (expired, deferred), so the batch never holds a wake lock
 * while a page of wake requests (which locks its devices FOR UPDATE, then coalesces into their wakes) holds the device.
 * The sub-select on wakes takes no lock (a locking clause applies to the tables of its own FROM).
 */
async function lockDevices(sql: Sql, deviceIds: readonly string[], wakeIds: readonly string[], mode: 'NO KEY UPDATE' | 'KEY SHARE'): Promise<void> {
  // One IN over a UNION, not `device_id IN (…) OR device_id IN (SELECT …)`: PostgreSQL cannot turn that OR into index
  // lookups and filtered every device instead (17 ms per batch with 100,000 devices, the fan-out's bound; this: 1 ms).
  const named = deviceIds.length > 0 ? `SELECT n.id FROM (VALUES ${deviceIds.map(() => '(CAST(? AS text))').join(', ')}) n (id) UNION ` : '';
  await sql.run(
    `SELECT device_id FROM devices WHERE device_id IN (${named}SELECT w.device_id FROM wakes w WHERE w.id IN (${marks(wakeIds.length)}))
     ORDER BY device_id FOR ${mode}`,
    [...deviceIds, ...wakeIds],
  );
}

async function applyProvider(sql: Sql, p: NonNullable<WakeSettlement['provider']>): Promise<void> {
  if ('clear' in p) await clearProviderProblem(sql, p.providerId);
  else await recordProviderProblem(sql, p.providerId, p.problem, p.at.getTime(), p.pausedUntil?.getTime() ?? null);
}

/** The wake's new state (the last step of settleWake). */
async function applyResult(sql: Sql, wakeId: string, s: WakeSettlement): Promise<WakeSettled> {
  const r = s.result;
  if (r.kind === 'sent') {
    const sent = await markWakeSent(sql, wakeId, r.sentAt.getTime(), r.outcome, s.workerId);
    return { changed: sent !== null, provenLatencyMs: sent?.provenLatencyMs ?? null };
  }
  const changed =
    r.kind === 'retry'
      ? await rescheduleWake(sql, wakeId, r.nextAttemptAt.getTime(), r.outcome, r.reason, r.attempted, s.workerId)
      : r.kind === 'failed'
        ? await failWake(sql, wakeId, r.outcome, r.reason, r.attempted, s.workerId)
        : await markWakeExpired(sql, wakeId, r.reason, s.workerId);
  return { changed, provenLatencyMs: null };
}

/** Channel refs by device id (a ref by channel id sorts last); the session committer also goes device by device. */
function channelDevice(s: WakeSettlement): string {
  return s.channel && 'deviceId' in s.channel.ref ? s.channel.ref.deviceId : '\uffff';
}

function stableSort<T>(items: readonly T[], key: (item: T) => string): T[] {
  return items
    .map((item, i) => ({ item, i, k: key(item) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.i - b.i))
    .map((x) => x.item);
}
