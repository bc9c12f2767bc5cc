import { markChannel, type ChannelRef } from './channel-repository.js';
import { lockDevice } from './device-repository.js';
import { clearProviderProblem, recordProviderProblem } from './provider-repository.js';
import type { HistoryRetention } from './history-retention.js';
import { recordPushAttempt } from './push-attempt-repository.js';
import type { Sql } from './sql-client.js';
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
  if (s.provider && 'clear' in s.provider) await clearProviderProblem(sql, s.provider.providerId);
  else if (s.provider) {
    await recordProviderProblem(sql, s.provider.providerId, s.provider.problem, s.provider.at.getTime(), s.provider.pausedUntil?.getTime() ?? null);
  }
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
