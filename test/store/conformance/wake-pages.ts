import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { pushStateOf } from '../../../src/store/channel-repository.js';
import { toMs } from '../../../src/store/epoch-ms.js';
import { NoUsableChannelError, StoreError, UnknownDeviceError } from '../../../src/store/errors.js';
import type { ChannelRow, DeviceRow, WakeRow } from '../../../src/store/schema.js';
import { createSqlClient, type Sql } from '../../../src/store/sql-client.js';
import type { WakeView } from '../../../src/store/views.js';
import { expireUnsentWakes } from '../../../src/store/wake-dispatch.js';
import { toWakeView } from '../../../src/store/wake-repository.js';
import {
  isOutstanding,
  isPastDeadline,
  MAX_WAKE_PAGE,
  requestWake,
  requestWakes,
  unusableReason,
  type WakeLimits,
  type WakeOutcome,
  type WakePageRequest,
} from '../../../src/store/wake-request.js';
import type { StoreContext } from '../conformance.js';
import { at, checkIn, DAY, MINUTE, sessionState, T0 } from '../fixtures.js';

const URI = 'https://db5p.notify.windows.com/?token=page';
const HOUR = 60 * MINUTE;

/** requestWakes: a fan-out page stored set-based in one transaction, each device answered as requestWake would. */
export function wakePageCases(ctx: StoreContext): void {
  const online = (deviceId: string, when = at(-HOUR)) =>
    checkIn(ctx.store, deviceId, '1', when, [{ type: 'push.channelReported', deviceId, channelUri: URI, at: when }]);
  const wakeOf = async (deviceId: string) => (await ctx.store.listWakes(deviceId)).items;

  it('answers every device of a page as requestWake would: created, coalesced, unknown, no usable channel', async () => {
    const store = ctx.open({ wakeMaxAgeSeconds: 3600 });
    await store.putProvider('default-provider', { pfn: 'P' });
    for (const id of ['fresh', 'pending', 'sent-in', 'sent-out', 'overdue', 'gone']) await online(id);
    await checkIn(store, 'no-channel', '1', at(-HOUR));
    await online('expired', at(-31 * DAY));
    await store.markChannel({ deviceId: 'gone', channelUri: URI }, 'gone', '410 channel expired', at(-HOUR));
    // A sent wake outside the hold window (600 s) and one inside it; the device has not checked in since either.
    const sentOut = (await store.requestWake({ deviceId: 'sent-out', at: at(-20 * MINUTE) })).wake;
    await store.claimWakes({ workerId: 'w', limit: 10, leaseMs: MINUTE, now: at(-20 * MINUTE) });
    await store.markWakeSent(sentOut.id, { sentAt: at(-20 * MINUTE), outcome: 'received' });
    const sentIn = (await store.requestWake({ deviceId: 'sent-in', at: at(-5 * MINUTE) })).wake;
    await store.claimWakes({ workerId: 'w', limit: 10, leaseMs: MINUTE, now: at(-5 * MINUTE) });
    await store.markWakeSent(sentIn.id, { sentAt: at(-5 * MINUTE), outcome: 'received' });
    // Unsent and past its deadline (requested 2 h ago, maximum age 1 h): expired and replaced, not joined.
    const overdue = (await store.requestWake({ deviceId: 'overdue', at: at(-2 * HOUR) })).wake;
    const pending = (await store.requestWake({ deviceId: 'pending', at: at(-MINUTE) })).wake;

    const ids = ['ghost', 'fresh', 'no-channel', 'expired', 'gone', 'pending', 'sent-in', 'sent-out', 'overdue', 'fresh', 'ghost'];
    const outcomes = await store.requestWakes({ deviceIds: ids, ttlSeconds: 120, cache: false });
    const created = (deviceId: string) => ({
      deviceId,
      kind: 'created',
      wake: { deviceId, providerId: 'default-provider', channelUri: URI, state: 'pending', requestedAt: at(), nextAttemptAt: at(), ttlSeconds: 120, cache: false, attempts: 0, coalesced: 0 },
    });
    expect(outcomes).toMatchObject([
      { deviceId: 'ghost', kind: 'unknown-device' },
      created('fresh'),
      { deviceId: 'no-channel', kind: 'no-channel', reason: 'the device has not reported a ChannelURI' },
      { deviceId: 'expired', kind: 'no-channel', reason: `the ChannelURI expired at ${new Date(T0 - DAY).toISOString()}` },
      { deviceId: 'gone', kind: 'no-channel', reason: 'WNS reported the channel gone (410 channel expired)' },
      { deviceId: 'pending', kind: 'coalesced', wake: { id: pending.id, state: 'pending', requestedAt: at(-MINUTE), coalesced: 1 } },
      { deviceId: 'sent-in', kind: 'coalesced', wake: { id: sentIn.id, state: 'sent', coalesced: 1 } },
      created('sent-out'),
      created('overdue'),
      { deviceId: 'fresh', kind: 'coalesced', wake: { coalesced: 1 } },
      { deviceId: 'ghost', kind: 'unknown-device' },
    ]);
    const [, fresh, , , , , , newSentOut, newOverdue, freshAgain] = outcomes as Array<Extract<WakeOutcome, { wake: WakeView }>>;
    expect(freshAgain?.wake).toEqual({ ...fresh?.wake, coalesced: 1 });
    expect(new Set([fresh?.wake.id, newSentOut?.wake.id, newOverdue?.wake.id, sentOut.id, overdue.id]).size).toBe(5);

    expect(await wakeOf('fresh')).toEqual([{ ...fresh?.wake, coalesced: 1 }]);
    expect(await wakeOf('pending')).toMatchObject([{ id: pending.id, coalesced: 1 }]);
    expect(await wakeOf('sent-in')).toMatchObject([{ id: sentIn.id, state: 'sent', coalesced: 1 }]);
    expect(await wakeOf('sent-out')).toMatchObject([{ id: newSentOut?.wake.id, state: 'pending' }, { id: sentOut.id, state: 'sent', coalesced: 0 }]);
    expect(await wakeOf('overdue')).toMatchObject([
      { id: newOverdue?.wake.id, state: 'pending' },
      { id: overdue.id, state: 'expired', coalesced: 0, reason: 'not sent within the maximum wake age of 1 h (WAKE_MAX_AGE_SECONDS)' },
    ]);
    for (const id of ['no-channel', 'expired', 'gone']) expect(await wakeOf(id)).toEqual([]);
    // The single-device path gives the same answers (it is the page function with one id).
    await expect(store.requestWake({ deviceId: 'ghost' })).rejects.toBeInstanceOf(UnknownDeviceError);
    await expect(store.requestWake({ deviceId: 'gone' })).rejects.toMatchObject({ reason: 'WNS reported the channel gone (410 channel expired)' });
    expect(await store.requestWake({ deviceId: 'fresh' })).toMatchObject({ coalesced: true, wake: { id: fresh?.wake.id, coalesced: 2 } });
  });

  it('stores a page with a handful of statements whatever its size, and refuses pages above MAX_WAKE_PAGE', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `dev-${String(i).padStart(2, '0')}`);
    for (const id of ids) await online(id);
    const client = createSqlClient(ctx.db.dataSource);
    const limits: WakeLimits = { holdSeconds: 600, maxAgeSeconds: 3600 };
    const page = (deviceIds: string[], now: number) => {
      const statements: string[] = [];
      return client
        .transaction((sql) => requestWakes(counting(sql, statements), { deviceIds }, now, limits))
        .then((outcomes) => ({ outcomes, statements: statements.map((s) => s.trim().split(/\s+/).slice(0, 2).join(' ')) }));
    };
    // 30 fresh devices and an unknown one: lock, outstanding wakes, newest channels, one INSERT.
    const first = await page([...ids.slice(0, 30), 'ghost'], T0);
    expect(first.statements).toEqual(['SELECT device_id,', 'SELECT *', 'SELECT *', 'INSERT INTO']);
    expect(first.outcomes.map((o) => o.kind)).toEqual([...ids.slice(0, 30).map(() => 'created'), 'unknown-device']);
    await page(ids.slice(30, 35), T0 + 90 * MINUTE);
    // All 40: 30 past their deadline (expired, one UPDATE, and replaced), 5 coalesce (one UPDATE), 5 new.
    const second = await page(ids, T0 + 91 * MINUTE);
    expect(second.statements).toEqual(['SELECT device_id,', 'SELECT *', 'UPDATE wakes', 'UPDATE wakes', 'SELECT *', 'INSERT INTO']);
    expect(second.outcomes.map((o) => o.kind)).toEqual(ids.map((_, i) => (i >= 30 && i < 35 ? 'coalesced' : 'created')));
    // Duplicates take one more round each: the second occurrence joins the wake the first one joined.
    const third = await page(['dev-00', 'dev-00', 'dev-01'], T0 + 92 * MINUTE);
    expect(third.outcomes).toMatchObject([{ kind: 'coalesced', wake: { coalesced: 1 } }, { kind: 'coalesced', wake: { coalesced: 2 } }, { kind: 'coalesced' }]);
    expect(third.statements).toEqual(['SELECT device_id,', 'SELECT *', 'UPDATE wakes', 'SELECT device_id,', 'SELECT *', 'UPDATE wakes']);
    const tooMany = Array.from({ length: MAX_WAKE_PAGE + 1 }, (_, i) => `x-${i}`);
    await expect(ctx.store.requestWakes({ deviceIds: tooMany })).rejects.toBeInstanceOf(StoreError);
  });

  it('gives the same outcomes and wakes rows as requestWake one device at a time, and as the per-device statements it replaced', async () => {
    await ctx.store.putProvider('p1', { pfn: 'P' });
    await ctx.store.recordProviderProblem('p1', '403 credentials do not match PFN', { pausedUntil: at(HOUR) });
    const client = createSqlClient(ctx.db.dataSource);
    const limits: WakeLimits = { holdSeconds: 600, maxAgeSeconds: 3600 };
    const now = T0;
    await fc.assert(
      fc.asyncProperty(fleetArb, pageArb, async (fleet, page) => {
        const run = (apply: (sql: Sql, request: WakePageRequest) => Promise<WakeOutcome[]>) =>
          inRolledBackTransaction(client, async (sql) => {
            const seeded = await seedFleet(sql, fleet, now);
            const outcomes = await apply(sql, { deviceIds: page.deviceIds, ttlSeconds: page.ttlSeconds, cache: page.cache });
            const rows = (await sql.all<WakeRow>(`SELECT * FROM wakes`)).map(toWakeView);
            return normalise(outcomes, rows, seeded);
          });
        const paged = await run((sql, request) => requestWakes(sql, request, now, limits));
        const oneByOne = await run((sql, request) => sequentially(sql, request, (r) => requestWake(sql, r, now, limits)));
        const reference = await run((sql, request) => sequentially(sql, request, (r) => referenceRequestWake(sql, r, now, limits)));
        expect(paged).toEqual(oneByOne);
        expect(paged).toEqual(reference);
      }),
      { numRuns: 40, seed: 20260115, endOnFailure: true },
    );
  });

  it('two overlapping pages and a session commit at once neither deadlock nor leave more than one outstanding wake per device', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `dev-${String(i).padStart(2, '0')}`);
    for (const id of ids) await online(id);
    const limits: WakeLimits = { holdSeconds: 600, maxAgeSeconds: 3600 };
    // Two connections (two gateway processes); no retry here, so a deadlock (40P01) would fail the test.
    const a = createSqlClient(ctx.db.dataSource);
    const b = createSqlClient(await ctx.db.connect());
    const pageA = ids.slice(0, 40).reverse();
    const pageB = [...ids.slice(20, 60).filter((_, i) => i % 2 === 0), ...ids.slice(20, 60).filter((_, i) => i % 2 === 1)];
    const rounds = 4;
    for (let round = 0; round < rounds; round += 1) {
      const when = T0 + round * MINUTE;
      await Promise.all([
        a.transaction((sql) => requestWakes(sql, { deviceIds: pageA }, when, limits)),
        b.transaction((sql) => requestWakes(sql, { deviceIds: pageB }, when, limits)),
        // The session committer: device, then channels, then wakes (a 1200 session marks a sent wake woke).
        ctx.store.commitExchange({
          session: sessionState('dev-30', `c${round}`, { trigger: '1200' }),
          expectedVersion: null,
          effects: [
            { type: 'device.seen', deviceId: 'dev-30', at: new Date(when), devInfo: {} },
            { type: 'push.channelReported', deviceId: 'dev-30', channelUri: URI, at: new Date(when) },
            { type: 'session.serverInitiated', deviceId: 'dev-30', sessionId: `c${round}`, at: new Date(when) },
          ],
        }),
      ]);
    }
    for (const [i, id] of ids.entries()) {
      const requests = (i < 40 ? rounds : 0) + (i >= 20 ? rounds : 0);
      expect(await wakeOf(id), id).toMatchObject([{ state: 'pending', coalesced: requests - 1 }]);
    }
  });
}

/** A Sql that records every statement it runs. */
function counting(sql: Sql, log: string[]): Sql {
  return {
    dialect: sql.dialect,
    all: (text, params) => (log.push(text), sql.all(text, params)),
    one: (text, params) => (log.push(text), sql.one(text, params)),
    run: (text, params) => (log.push(text), sql.run(text, params)),
  };
}

class RolledBack<T> {
  constructor(readonly value: T) {}
}

/** Runs `work` in a transaction that is always rolled back, and returns what it computed. */
async function inRolledBackTransaction<T>(client: ReturnType<typeof createSqlClient>, work: (sql: Sql) => Promise<T>): Promise<T> {
  try {
    await client.transaction(async (sql) => {
      throw new RolledBack(await work(sql));
    });
  } catch (error) {
    if (error instanceof RolledBack) return error.value as T;
    throw error;
  }
  throw new Error('unreachable: the transaction always throws');
}

/** requestWake for each listed id in turn, its answer or refusal as an outcome. */
async function sequentially(
  sql: Sql,
  request: WakePageRequest,
  one: (r: { deviceId: string; ttlSeconds?: number | null; cache?: boolean }) => Promise<{ wake: WakeView; coalesced: boolean }>,
): Promise<WakeOutcome[]> {
  const outcomes: WakeOutcome[] = [];
  for (const deviceId of request.deviceIds) {
    try {
      const { wake, coalesced } = await one({ deviceId, ttlSeconds: request.ttlSeconds ?? null, cache: request.cache ?? true });
      outcomes.push({ deviceId, kind: coalesced ? 'coalesced' : 'created', wake });
    } catch (error) {
      if (error instanceof UnknownDeviceError) outcomes.push({ deviceId, kind: 'unknown-device' });
      else if (error instanceof NoUsableChannelError) outcomes.push({ deviceId, kind: 'no-channel', reason: error.reason });
      else throw error;
    }
  }
  return outcomes;
}

/**
 * The per-device statements requestWake ran before the page function (one device per call), kept as the reference the
 * page must agree with. Only the tie-breaks (id DESC on equal times) are added, so the answer is deterministic.
 */
async function referenceRequestWake(
  sql: Sql,
  request: { deviceId: string; ttlSeconds?: number | null; cache?: boolean },
  now: number,
  limits: WakeLimits,
): Promise<{ wake: WakeView; coalesced: boolean }> {
  const lock = sql.dialect === 'postgres' ? ' FOR UPDATE' : '';
  const device = await sql.one<DeviceRow>(`SELECT * FROM devices WHERE device_id = ?${lock}`, [request.deviceId]);
  if (!device) throw new UnknownDeviceError(request.deviceId);
  let outstanding = await sql.one<WakeRow>(
    `SELECT * FROM wakes WHERE device_id = ? AND state IN ('pending', 'sending', 'sent') ORDER BY requested_at DESC, id DESC LIMIT 1`,
    [request.deviceId],
  );
  if (outstanding && isPastDeadline(outstanding, now, limits.maxAgeSeconds)) {
    await expireUnsentWakes(sql, now, limits.maxAgeSeconds, [request.deviceId]);
    outstanding = undefined;
  }
  if (outstanding && isOutstanding(outstanding, toMs(device.last_seen_at), now, limits.holdSeconds)) {
    await sql.run(`UPDATE wakes SET coalesced = coalesced + 1 WHERE id = ?`, [outstanding.id]);
    return { wake: toWakeView({ ...outstanding, coalesced: Number(outstanding.coalesced) + 1 }), coalesced: true };
  }
  const channel = await sql.one<ChannelRow>(
    `SELECT * FROM channels WHERE device_id = ? ORDER BY last_reported_at DESC, first_reported_at DESC, id DESC LIMIT 1`,
    [request.deviceId],
  );
  const state = pushStateOf(channel ?? null, now);
  if (!channel || state !== 'active') throw new NoUsableChannelError(request.deviceId, unusableReason(channel, state));
  const id = randomUUID();
  await sql.run(
    `INSERT INTO wakes (id, device_id, provider_id, channel_uri, state, requested_at, ttl_seconds, cache, attempts, next_attempt_at, coalesced)
     VALUES (?, ?, ?, ?, 'pending', CAST(? AS bigint), ?, ?, 0, CAST(? AS bigint), 0)`,
    [id, request.deviceId, device.provider_id, channel.channel_uri, now, request.ttlSeconds ?? null, request.cache ?? true, now],
  );
  const row = await sql.one<WakeRow>(`SELECT * FROM wakes WHERE id = ?`, [id]);
  return { wake: toWakeView(row as WakeRow), coalesced: false };
}

// ── random fleets ────────────────────────────────────────────────────────────────────────────────────────────────────

interface FleetDevice {
  providerId: string;
  lastSeen: number;
  channels: { state: string; firstReported: number; lastDelta: number; reason: string | null }[];
  wakes: { state: string; requested: number; ttl: number | null; leaseDelta: number; sentDelta: number; coalesced: number; outcome: string | null }[];
}

/** Times on and around the bounds in play (hold 10 min, maximum age 60 min, TTLs 30 s … 2 h), so ties and edges are common. */
const minutes = (...values: number[]) => fc.constantFrom(...values).map((m) => m * MINUTE);

const deviceArb: fc.Arbitrary<FleetDevice | null> = fc.option(
  fc.record({
    providerId: fc.constantFrom('p1', 'p2'),
    lastSeen: minutes(-180, -61, -30, -20, -11, -10, -5, 0),
    channels: fc.array(
      fc.record({
        state: fc.constantFrom('active', 'active', 'superseded', 'gone', 'invalid'),
        firstReported: fc.constantFrom(-40, -31, -30, -29, -1, 0).map((d) => d * DAY),
        lastDelta: minutes(0, 0, 60, 3 * 24 * 60),
        reason: fc.option(fc.constantFrom('410 channel expired', 'moved to another provider'), { nil: null }),
      }),
      { maxLength: 3 },
    ),
    wakes: fc.array(
      fc.record({
        state: fc.constantFrom('pending', 'sending', 'sent', 'sent', 'woke', 'expired', 'failed'),
        requested: minutes(-180, -61, -60, -59, -30, -20, -11, -10, -1, 0),
        ttl: fc.option(fc.constantFrom(30, 600, 3600, 7200), { nil: null }),
        leaseDelta: minutes(-1, 0, 1),
        sentDelta: minutes(0, 1, 9, 10, 11, 30),
        coalesced: fc.nat(3),
        outcome: fc.option(fc.constantFrom('provider-paused', 'http-503'), { nil: null }),
      }),
      { maxLength: 3 },
    ),
  }),
  { freq: 6, nil: null },
);

const fleetArb = fc.array(deviceArb, { minLength: 1, maxLength: 6 });
const pageArb = fc.record({
  deviceIds: fc.array(fc.constantFrom('d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'ghost'), { minLength: 1, maxLength: 12 }),
  ttlSeconds: fc.option(fc.constantFrom(60, 3600), { nil: null }),
  cache: fc.boolean(),
});

/** Inserts the fleet (device i is `d${i}`; null: it does not exist). Returns the ids of the wakes it inserted. */
async function seedFleet(sql: Sql, fleet: (FleetDevice | null)[], now: number): Promise<Set<string>> {
  const wakeIds = new Set<string>();
  for (const [i, d] of fleet.entries()) {
    if (!d) continue;
    const deviceId = `d${i}`;
    await sql.run(
      `INSERT INTO devices (device_id, provider_id, dev_info, enrollment_state, first_seen_at, last_seen_at) VALUES (?, ?, '{}', 'enrolled', ?, ?)`,
      [deviceId, d.providerId, now - 40 * DAY, now + d.lastSeen],
    );
    let active = false;
    for (const [j, c] of d.channels.entries()) {
      const state: string = c.state === 'active' && active ? 'superseded' : c.state; // at most one active channel per device
      active ||= state === 'active';
      const first = now + c.firstReported;
      await sql.run(
        `INSERT INTO channels (id, device_id, channel_uri, first_reported_at, last_reported_at, expires_at, state, state_reason, state_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [fixedUuid(i, 10 + j), deviceId, `${URI}-${deviceId}-${j}`, first, Math.min(now, first + c.lastDelta), first + 30 * DAY, state, c.reason, state === 'active' ? null : first],
      );
    }
    for (const [k, w] of d.wakes.entries()) {
      const id = fixedUuid(i, k);
      wakeIds.add(id);
      const requested = now + w.requested;
      const sent = w.state === 'sent' || w.state === 'woke' ? Math.min(now, requested + w.sentDelta) : null;
      await sql.run(
        `INSERT INTO wakes (id, device_id, provider_id, channel_uri, state, requested_at, ttl_seconds, cache, attempts, next_attempt_at,
                            claimed_by, claimed_until, sent_at, woke_at, latency_ms, outcome, reason, coalesced)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          id,
          deviceId,
          d.providerId,
          `${URI}-${deviceId}-0`,
          w.state,
          requested,
          w.ttl,
          true,
          sent === null ? 0 : 1,
          requested,
          w.state === 'sending' ? 'w' : null,
          w.state === 'sending' ? now + w.leaseDelta : null,
          sent,
          w.state === 'woke' ? sent : null,
          w.state === 'woke' ? 0 : null,
          w.outcome,
          w.outcome === null ? null : 'from the fleet',
          w.coalesced,
        ],
      );
    }
  }
  return wakeIds;
}

/** The same ids in every run (ties on time are broken by id), all below the random ones of new wakes. */
function fixedUuid(device: number, n: number): string {
  return `00000000-0000-4000-8000-${String(device * 100 + n).padStart(12, '0')}`;
}

/** Outcomes and rows with the random ids of new wakes replaced by `new:<device>` (a device gets at most one per page). */
function normalise(outcomes: WakeOutcome[], rows: WakeView[], seeded: Set<string>) {
  const id = (w: WakeView) => (seeded.has(w.id) ? w.id : `new:${w.deviceId}`);
  return {
    outcomes: outcomes.map((o) => ('wake' in o ? { ...o, wake: { ...o.wake, id: id(o.wake) } } : o)),
    rows: rows.map((w) => ({ ...w, id: id(w) })).sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)),
  };
}
