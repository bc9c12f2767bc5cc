import { randomUUID } from 'node:crypto';
import { dateOrNull, toDate, toMs } from './epoch-ms.js';
import { setProvisionedPfn } from './device-repository.js';
import type { ChannelRow } from './schema.js';
import type { Sql } from './sql-client.js';
import type { ChannelState, ChannelView, PushState } from './views.js';

/** "A ChannelURI provided to the management server by the device is only valid for 30 days." (PROTOCOL.md f, e.7) */
export const CHANNEL_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * push.channelReported. A new URI supersedes the active one and starts its own 30 days from this first report; the same
 * URI again only moves last_reported_at (the expiry stays tied to the first report); null (the device has no channel)
 * leaves nothing active. A URI seen before keeps its row: a superseded one becomes active again with its original expiry,
 * a gone or invalid one stays unusable (WNS already refused it).
 */
export async function recordChannel(sql: Sql, deviceId: string, channelUri: string | null, at: number): Promise<void> {
  if (channelUri !== null && (await reportActiveOrNew(sql, deviceId, channelUri, at))) return;
  const rows = await sql.all<ChannelRow>(
    `SELECT * FROM channels WHERE device_id = ? AND (state = 'active' OR channel_uri = ?) ORDER BY last_reported_at DESC`,
    [deviceId, channelUri ?? ''],
  );
  const active = rows.find((r) => r.state === 'active');
  if (active && active.channel_uri === channelUri) {
    await sql.run(`UPDATE channels SET last_reported_at = CAST(? AS bigint) WHERE id = ? AND last_reported_at < CAST(? AS bigint)`, [at, active.id, at]);
    return;
  }
  if (active) {
    const reason = channelUri === null ? 'device reported no ChannelURI' : 'replaced by a newer ChannelURI';
    await setChannelState(sql, active.id, 'superseded', reason, at);
  }
  if (channelUri === null) return;
  const known = rows.find((r) => r.channel_uri === channelUri);
  if (known?.state === 'superseded') {
    await sql.run(
      `UPDATE channels SET state = 'active', state_reason = NULL, state_at = CAST(? AS bigint), last_reported_at = CAST(? AS bigint) WHERE id = ?`,
      [at, at, known.id],
    );
  } else if (known) {
    await sql.run(`UPDATE channels SET last_reported_at = CAST(? AS bigint) WHERE id = ?`, [at, known.id]);
  } else {
    await sql.run(
      `INSERT INTO channels (id, device_id, channel_uri, first_reported_at, last_reported_at, expires_at, state, state_reason, state_at)
       VALUES (?, ?, ?, CAST(? AS bigint), CAST(? AS bigint), CAST(? AS bigint), 'active', NULL, NULL)`,
      [randomUUID(), deviceId, channelUri, at, at, at + CHANNEL_LIFETIME_MS],
    );
  }
}

/**
 * The two common reports without reading first: the active channel reported again (every session of a device that
 * keeps its channel: one statement), or a URI the device never reported while nothing is active (its first report: a
 * second statement inserts it). Returns false when neither applies (another channel is active, or the URI has a
 * superseded/gone/invalid row): then the general path in recordChannel decides, nothing having been written here.
 * Safe against a concurrent writer marking the active channel gone or invalid (PostgreSQL, READ COMMITTED): the UPDATE
 * re-checks `state = 'active'` on the row's newest version before it writes, and the INSERT's NOT EXISTS sees every
 * row committed before it started (an INSERT … ON CONFLICT on the one-active index would instead insert a second row
 * once the conflicting row left the index).
 */
async function reportActiveOrNew(sql: Sql, deviceId: string, channelUri: string, at: number): Promise<boolean> {
  const again = await sql.run(
    `UPDATE channels SET last_reported_at = CASE WHEN last_reported_at < CAST(? AS bigint) THEN CAST(? AS bigint) ELSE last_reported_at END
     WHERE device_id = ? AND channel_uri = ? AND state = 'active'`,
    [at, at, deviceId, channelUri],
  );
  if (again > 0) return true;
  const inserted = await sql.run(
    `INSERT INTO channels (id, device_id, channel_uri, first_reported_at, last_reported_at, expires_at, state, state_reason, state_at)
     SELECT ?, ?, ?, CAST(? AS bigint), CAST(? AS bigint), CAST(? AS bigint), 'active', NULL, NULL
     WHERE NOT EXISTS (SELECT 1 FROM channels k WHERE k.device_id = ? AND (k.state = 'active' OR k.channel_uri = ?))`,
    [randomUUID(), deviceId, channelUri, at, at, at + CHANNEL_LIFETIME_MS, deviceId, channelUri],
  );
  return inserted > 0;
}

/** The channel a wake may go to: active and not expired; null otherwise. */
export async function activeChannel(sql: Sql, deviceId: string, now: number): Promise<ChannelView | null> {
  const row = await sql.one<ChannelRow>(
    `SELECT * FROM channels WHERE device_id = ? AND state = 'active' AND expires_at > CAST(? AS bigint)`,
    [deviceId, now],
  );
  return row ? toChannelView(row) : null;
}

export type ChannelRef = { channelId: string } | { deviceId: string; channelUri: string };

/**
 * Marks a channel 'gone' (WNS 410) or 'invalid' (WNS 404, or refused by the channel policy). For 'gone' the device's
 * provisioned PFN is also cleared so its next session sets the PFN again (PROTOCOL.md e.6 / f, the PUSH-2017 workaround).
 * Returns whether a channel was marked.
 */
export async function markChannel(sql: Sql, ref: ChannelRef, state: 'gone' | 'invalid', reason: string, at: number): Promise<boolean> {
  const rows =
    'channelId' in ref
      ? await sql.all<ChannelRow>(`SELECT * FROM channels WHERE id = ?`, [ref.channelId])
      : await sql.all<ChannelRow>(`SELECT * FROM channels WHERE device_id = ? AND channel_uri = ?`, [ref.deviceId, ref.channelUri]);
  const targets = rows.filter((r) => r.state === 'active' || r.state === 'superseded');
  for (const row of targets) await setChannelState(sql, row.id, state, reason, at);
  if (state === 'gone') {
    for (const deviceId of new Set(targets.filter((r) => r.state === 'active').map((r) => r.device_id))) {
      await setProvisionedPfn(sql, deviceId, null);
    }
  }
  return targets.length > 0;
}

/**
 * Supersedes the device's active channel without a newer one taking its place (the device moved to another provider:
 * the channel is WNS's for the old PFN, a new PFN gets a new channel). The row stays as history; reported again, it
 * becomes active again (recordChannel). Returns whether a channel was superseded.
 */
export async function supersedeActiveChannel(sql: Sql, deviceId: string, reason: string, at: number): Promise<boolean> {
  const changed = await sql.run(
    `UPDATE channels SET state = 'superseded', state_reason = ?, state_at = CAST(? AS bigint) WHERE device_id = ? AND state = 'active'`,
    [reason, at, deviceId],
  );
  return changed > 0;
}

/** A device's channel history, newest first. */
export async function listChannels(sql: Sql, deviceId: string, limit = 50): Promise<ChannelView[]> {
  const rows = await sql.all<ChannelRow>(
    `SELECT * FROM channels WHERE device_id = ? ORDER BY last_reported_at DESC, first_reported_at DESC LIMIT ?`,
    [deviceId, limit],
  );
  return rows.map(toChannelView);
}

async function setChannelState(sql: Sql, id: string, state: ChannelState, reason: string, at: number): Promise<void> {
  await sql.run(`UPDATE channels SET state = ?, state_reason = ?, state_at = CAST(? AS bigint) WHERE id = ?`, [state, reason, at, id]);
}

export function toChannelView(row: ChannelRow): ChannelView {
  return {
    id: row.id,
    deviceId: row.device_id,
    channelUri: row.channel_uri,
    firstReportedAt: toDate(row.first_reported_at),
    lastReportedAt: toDate(row.last_reported_at),
    expiresAt: toDate(row.expires_at),
    state: row.state as ChannelState,
    stateReason: row.state_reason,
    stateAt: dateOrNull(row.state_at),
  };
}

/** Push reachability from the newest channel (see PushState). Pure; mirrored in SQL by pushStateSql. */
export function pushStateOf(channel: Pick<ChannelRow, 'state' | 'expires_at'> | null, now: number): PushState {
  if (!channel) return 'none';
  if (channel.state === 'active') return toMs(channel.expires_at) > now ? 'active' : 'expired';
  if (channel.state === 'gone' || channel.state === 'invalid') return channel.state;
  return 'none';
}

/** SQL twin of pushStateOf over a channel alias `c` (one `?` parameter: now). */
export const pushStateSql = `CASE WHEN c.id IS NULL THEN 'none'
  WHEN c.state = 'active' AND c.expires_at > CAST(? AS bigint) THEN 'active'
  WHEN c.state = 'active' THEN 'expired'
  WHEN c.state IN ('gone', 'invalid') THEN c.state
  ELSE 'none' END`;
