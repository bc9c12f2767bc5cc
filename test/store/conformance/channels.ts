import { expect, it } from 'vitest';
import type { SessionEffect } from '../../../src/session/ports.js';
import { CHANNEL_LIFETIME_MS, markChannel } from '../../../src/store/channel-repository.js';
import { createSqlClient } from '../../../src/store/sql-client.js';
import type { StoreContext } from '../conformance.js';
import { at, checkIn, DAY, sessionState } from '../fixtures.js';

const URI_A = 'https://db5p.notify.windows.com/?token=AAA';
const URI_B = 'https://db5p.notify.windows.com/?token=BBB';

export function channelCases(ctx: StoreContext): void {
  let version = 0;
  const report = async (channelUri: string | null, when: Date) => {
    const effects: SessionEffect[] = [{ type: 'push.channelReported', deviceId: 'dev-1', channelUri, at: when }];
    if (version === 0) await checkIn(ctx.store, 'dev-1', '1', when, effects);
    else await ctx.store.commitExchange({ session: sessionState('dev-1', '1'), expectedVersion: version, effects });
    version++;
  };
  const history = async () => (await ctx.store.listChannels('dev-1')).map((c) => [c.channelUri, c.state]);

  it('records a new ChannelURI as active for 30 days from its first report', async () => {
    version = 0;
    await report(URI_A, at());
    const active = await ctx.store.activeChannel('dev-1', at());
    expect(active).toMatchObject({ deviceId: 'dev-1', channelUri: URI_A, state: 'active', firstReportedAt: at(), lastReportedAt: at() });
    expect(active?.expiresAt).toEqual(at(CHANNEL_LIFETIME_MS));
    expect(CHANNEL_LIFETIME_MS).toBe(30 * DAY);
  });

  it('keeps the first expiry when the same URI is reported again', async () => {
    version = 0;
    await report(URI_A, at());
    await report(URI_A, at(10 * DAY));
    const active = await ctx.store.activeChannel('dev-1', at(10 * DAY));
    expect(active).toMatchObject({ channelUri: URI_A, firstReportedAt: at(), lastReportedAt: at(10 * DAY), expiresAt: at(30 * DAY) });
    expect(await history()).toEqual([[URI_A, 'active']]);
  });

  it('never moves the last report of the active channel back, and keeps one row for a URI reported twice in one message', async () => {
    version = 0;
    await report(URI_A, at(DAY));
    const first = await ctx.store.activeChannel('dev-1', at(DAY));
    await report(URI_A, at());
    expect(await ctx.store.activeChannel('dev-1', at(DAY))).toEqual(first);
    await ctx.store.commitExchange({
      session: sessionState('dev-1', '1'),
      expectedVersion: version++,
      effects: [
        { type: 'push.channelReported', deviceId: 'dev-1', channelUri: URI_B, at: at(2 * DAY) },
        { type: 'push.channelReported', deviceId: 'dev-1', channelUri: URI_B, at: at(3 * DAY) },
      ],
    });
    expect(await ctx.store.activeChannel('dev-1', at(3 * DAY))).toMatchObject({ channelUri: URI_B, firstReportedAt: at(2 * DAY), lastReportedAt: at(3 * DAY) });
    expect(await history()).toEqual([
      [URI_B, 'active'],
      [URI_A, 'superseded'],
    ]);
  });

  it('a channel marked invalid while the device reports it again stays invalid, with no second row for its URI', async () => {
    version = 0;
    await report(URI_A, at());
    // Another connection marks the channel invalid (as a wake settlement does, without locking the device for update)
    // and holds its transaction open while the session commit reports the same URI. On PostgreSQL the commit is let
    // through once it waits on that row; on SQLite the two run one after the other (one writer).
    const other = createSqlClient(await ctx.db.connect());
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let marked: (pid: number) => void = () => undefined;
    const markedBy = new Promise<number>((resolve) => (marked = resolve));
    const marking = other.transaction(async (sql) => {
      await markChannel(sql, { deviceId: 'dev-1', channelUri: URI_A }, 'invalid', 'WNS 404', at(DAY).getTime());
      marked(sql.dialect === 'postgres' ? Number((await sql.one<{ pid: number }>('SELECT pg_backend_pid() AS pid'))?.pid) : 0);
      await held;
    });
    const pid = await markedBy;
    const committing = report(URI_A, at(DAY));
    if (ctx.db.dialect === 'postgres') {
      const blocked = async () => Number((await ctx.db.dataSource.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`, [pid]))[0].n);
      while ((await blocked()) === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    release();
    await Promise.all([marking, committing]);
    expect(await ctx.store.activeChannel('dev-1', at(DAY))).toBeNull();
    expect((await ctx.store.listChannels('dev-1')).map((c) => [c.channelUri, c.state, c.lastReportedAt])).toEqual([[URI_A, 'invalid', at(DAY)]]);
  });

  it('supersedes the active channel when a new URI is reported', async () => {
    version = 0;
    await report(URI_A, at());
    await report(URI_B, at(15 * DAY));
    const active = await ctx.store.activeChannel('dev-1', at(15 * DAY));
    expect(active).toMatchObject({ channelUri: URI_B, firstReportedAt: at(15 * DAY), expiresAt: at(45 * DAY) });
    expect(await history()).toEqual([
      [URI_B, 'active'],
      [URI_A, 'superseded'],
    ]);
    expect((await ctx.store.listChannels('dev-1'))[1]).toMatchObject({ stateAt: at(15 * DAY), stateReason: 'replaced by a newer ChannelURI' });
  });

  it('leaves nothing active when the device reports no ChannelURI', async () => {
    version = 0;
    await report(URI_A, at());
    await report(null, at(DAY));
    expect(await ctx.store.activeChannel('dev-1', at(DAY))).toBeNull();
    expect(await history()).toEqual([[URI_A, 'superseded']]);
    expect((await ctx.store.getDevice('dev-1'))?.push.state).toBe('none');
  });

  it('reactivates a superseded URI with its original expiry', async () => {
    version = 0;
    await report(URI_A, at());
    await report(URI_B, at(DAY));
    await report(URI_A, at(2 * DAY));
    expect(await ctx.store.activeChannel('dev-1', at(2 * DAY))).toMatchObject({ channelUri: URI_A, expiresAt: at(30 * DAY), lastReportedAt: at(2 * DAY) });
    expect(await history()).toEqual([
      [URI_A, 'active'],
      [URI_B, 'superseded'],
    ]);
  });

  it('never revives a channel WNS called gone, and clears the PFN so the next session sets it again', async () => {
    version = 0;
    await report(URI_A, at());
    await ctx.store.commitExchange({
      session: sessionState('dev-1', '1'),
      expectedVersion: version++,
      effects: [{ type: 'push.pfnProvisioned', deviceId: 'dev-1', pfn: 'Contoso.PFN', at: at() }],
    });
    expect(await ctx.store.markChannel({ deviceId: 'dev-1', channelUri: URI_A }, 'gone', 'WNS 410', at(DAY))).toBe(true);
    expect(await ctx.store.activeChannel('dev-1', at(DAY))).toBeNull();
    expect((await ctx.store.getDevice('dev-1'))?.push).toMatchObject({ state: 'gone', provisionedPfn: null });
    await report(URI_A, at(2 * DAY));
    expect(await ctx.store.activeChannel('dev-1', at(2 * DAY))).toBeNull();
    expect((await ctx.store.listChannels('dev-1'))[0]).toMatchObject({ state: 'gone', stateReason: 'WNS 410', stateAt: at(DAY), lastReportedAt: at(2 * DAY) });
    await report(URI_B, at(3 * DAY));
    expect((await ctx.store.activeChannel('dev-1', at(3 * DAY)))?.channelUri).toBe(URI_B);
  });

  it('marks a channel invalid by id, keeping the PFN', async () => {
    version = 0;
    await report(URI_A, at());
    const active = await ctx.store.activeChannel('dev-1', at());
    expect(await ctx.store.markChannel({ channelId: active!.id }, 'invalid', 'host not allowed', at())).toBe(true);
    expect(await ctx.store.markChannel({ channelId: active!.id }, 'invalid', 'again', at())).toBe(false);
    expect(await ctx.store.markChannel({ channelId: 'no-such-id' }, 'gone', 'x', at())).toBe(false);
    expect((await ctx.store.getDevice('dev-1'))?.push.state).toBe('invalid');
  });

  it('does not hand out an expired channel', async () => {
    version = 0;
    await report(URI_A, at());
    expect(await ctx.store.activeChannel('dev-1', at(30 * DAY - 1))).not.toBeNull();
    expect(await ctx.store.activeChannel('dev-1', at(30 * DAY))).toBeNull();
    ctx.setNow(at(31 * DAY).getTime());
    expect((await ctx.store.getDevice('dev-1'))?.push.state).toBe('expired');
  });
}
