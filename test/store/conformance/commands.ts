import { expect, it } from 'vitest';
import { CommandNotCancellableError, CommandNotFoundError, UnknownDeviceError } from '../../../src/store/errors.js';
import type { StoreContext } from '../conformance.js';
import { at, checkIn, MINUTE, sessionState } from '../fixtures.js';

export function commandCases(ctx: StoreContext): void {
  const send = (commandId: string, sessionId: string, version: number | null, when = at(), ended = false) =>
    ctx.store.commitExchange({
      session: sessionState('dev-1', sessionId, { ended, updatedAt: when.toISOString() }),
      expectedVersion: version,
      effects: [{ type: 'command.sent', commandId, sessionId, msgID: '1', cmdID: '3', at: when }],
    });

  it('refuses a command for a device that never checked in', async () => {
    await expect(ctx.store.enqueueCommand('ghost', { verb: 'Get', target: './DevInfo/Man' })).rejects.toBeInstanceOf(UnknownDeviceError);
  });

  it('queues commands with a per-device sequence and returns their view', async () => {
    await checkIn(ctx.store, 'dev-1');
    await checkIn(ctx.store, 'dev-2');
    const spec = { verb: 'Sequence' as const, commands: [{ verb: 'Get' as const, target: './A' }, { verb: 'Exec' as const, target: './B', data: 'x', type: 'text/plain' }] };
    const first = await ctx.store.enqueueCommand('dev-1', spec, { expiresAt: at(MINUTE), addFallbackToReplace: true });
    const second = await ctx.store.enqueueCommand('dev-1', { verb: 'Get', target: './C' });
    const other = await ctx.store.enqueueCommand('dev-2', { verb: 'Get', target: './C' });
    expect([first.seq, second.seq, other.seq]).toEqual([1, 2, 1]);
    expect(first).toEqual({
      id: first.id,
      deviceId: 'dev-1',
      seq: 1,
      spec,
      state: 'queued',
      attempts: 0,
      createdAt: at(),
      expiresAt: at(MINUTE),
      addFallbackToReplace: true,
      msgID: null,
      cmdID: null,
      sessionId: null,
      status: null,
      outcome: null,
      sentAt: null,
      completedAt: null,
    });
    expect(await ctx.store.getCommand('dev-1', first.id)).toEqual(first);
    expect(await ctx.store.getCommand('dev-2', first.id)).toBeNull();
  });

  it('gives concurrent enqueues distinct sequence numbers', async () => {
    await checkIn(ctx.store, 'dev-1');
    const made = await Promise.all(Array.from({ length: 12 }, (_, i) => ctx.store.enqueueCommand('dev-1', { verb: 'Get', target: `./N/${i}` })));
    expect(made.map((c) => c.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('lists commands newest first with a cursor and a state filter', async () => {
    await checkIn(ctx.store, 'dev-1');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await ctx.store.enqueueCommand('dev-1', { verb: 'Get', target: `./N/${i}` })).id);
    await ctx.store.cancelCommand('dev-1', ids[1]!);
    const page1 = await ctx.store.listCommands('dev-1', { limit: 2 });
    const page2 = await ctx.store.listCommands('dev-1', { limit: 2, cursor: page1.nextCursor });
    const page3 = await ctx.store.listCommands('dev-1', { limit: 2, cursor: page2.nextCursor });
    expect([...page1.items, ...page2.items, ...page3.items].map((c) => c.id)).toEqual([...ids].reverse());
    expect(page3.nextCursor).toBeNull();
    expect((await ctx.store.listCommands('dev-1', { state: 'cancelled' })).items.map((c) => c.id)).toEqual([ids[1]]);
    expect((await ctx.store.listCommands('dev-1', { state: ['queued', 'cancelled'] })).items).toHaveLength(5);
  });

  it('cancels only a queued command', async () => {
    await checkIn(ctx.store, 'dev-1');
    const queued = await ctx.store.enqueueCommand('dev-1', { verb: 'Get', target: './A' });
    const sent = await ctx.store.enqueueCommand('dev-1', { verb: 'Get', target: './B' });
    await send(sent.id, '1', 1);
    ctx.setNow(at(MINUTE).getTime());
    expect(await ctx.store.cancelCommand('dev-1', queued.id)).toMatchObject({ state: 'cancelled', completedAt: at(MINUTE) });
    await expect(ctx.store.cancelCommand('dev-1', sent.id)).rejects.toBeInstanceOf(CommandNotCancellableError);
    await expect(ctx.store.cancelCommand('dev-1', queued.id)).rejects.toMatchObject({ state: 'cancelled' });
    await expect(ctx.store.cancelCommand('dev-1', 'nope')).rejects.toBeInstanceOf(CommandNotFoundError);
    await expect(ctx.store.cancelCommand('dev-2', sent.id)).rejects.toBeInstanceOf(CommandNotFoundError);
  });

  it('expires queued and sent commands past their expiry, nothing else', async () => {
    await checkIn(ctx.store, 'dev-1');
    const q = await ctx.store.enqueueCommand('dev-1', { verb: 'Get', target: './A' }, { expiresAt: at(MINUTE) });
    const s = await ctx.store.enqueueCommand('dev-1', { verb: 'Get', target: './B' }, { expiresAt: at(MINUTE) });
    const later = await ctx.store.enqueueCommand('dev-1', { verb: 'Get', target: './C' }, { expiresAt: at(10 * MINUTE) });
    const forever = await ctx.store.enqueueCommand('dev-1', { verb: 'Get', target: './D' });
    await send(s.id, '1', 1);
    expect(await ctx.store.expireCommands(at(MINUTE))).toBe(2);
    const states = await Promise.all([q, s, later, forever].map(async (c) => (await ctx.store.getCommand('dev-1', c.id))?.state));
    expect(states).toEqual(['expired', 'expired', 'queued', 'queued']);
    expect((await ctx.store.getCommand('dev-1', q.id))?.completedAt).toEqual(at(MINUTE));
    expect(await ctx.store.expireCommands(at(MINUTE))).toBe(0);
  });

  it('requeues commands whose session never answered, not those of a live session', async () => {
    await checkIn(ctx.store, 'dev-1');
    const abandoned = await ctx.store.enqueueCommand('dev-1', { verb: 'Get', target: './A' });
    const ended = await ctx.store.enqueueCommand('dev-1', { verb: 'Get', target: './B' });
    const live = await ctx.store.enqueueCommand('dev-1', { verb: 'Get', target: './C' });
    const recent = await ctx.store.enqueueCommand('dev-1', { verb: 'Get', target: './D' });
    await send(abandoned.id, '1', 1, at());
    await send(ended.id, '2', null, at(), true);
    await send(live.id, '3', null, at());
    await ctx.store.commitExchange({ session: sessionState('dev-1', '3', { updatedAt: at(20 * MINUTE).toISOString() }), expectedVersion: 1, effects: [] });
    await send(recent.id, '4', null, at(20 * MINUTE));
    expect(await ctx.store.requeueStaleSent(at(10 * MINUTE))).toBe(2);
    const states = await Promise.all([abandoned, ended, live, recent].map(async (c) => (await ctx.store.getCommand('dev-1', c.id))?.state));
    expect(states).toEqual(['queued', 'queued', 'sent', 'sent']);
    expect(await ctx.store.getCommand('dev-1', abandoned.id)).toMatchObject({ attempts: 1, msgID: null, cmdID: null, sessionId: null });
  });

  it('offers a command left sent by an older session as pending again when the device opens another session', async () => {
    await checkIn(ctx.store, 'dev-1');
    const orphan = await ctx.store.enqueueCommand('dev-1', { verb: 'Get', target: './A' });
    const queued = await ctx.store.enqueueCommand('dev-1', { verb: 'Get', target: './B' });
    await send(orphan.id, 'old', null);
    // Within the session that sent it, it is outstanding (not pending); from any other session it is pending again.
    const same = await ctx.store.loadForMessage('dev-1', 'old', 10);
    expect(same.pending.map((c) => c.id)).toEqual([queued.id]);
    const next = await ctx.store.loadForMessage('dev-1', 'new', 10);
    expect(next.pending.map((c) => [c.id, c.state])).toEqual([
      [orphan.id, 'queued'],
      [queued.id, 'queued'],
    ]);
    await ctx.store.commitExchange({
      session: sessionState('dev-1', 'new'),
      expectedVersion: null,
      effects: [{ type: 'command.sent', commandId: orphan.id, sessionId: 'new', msgID: '1', cmdID: '2', at: at() }],
    });
    expect(await ctx.store.getCommand('dev-1', orphan.id)).toMatchObject({ state: 'sent', attempts: 2, sessionId: 'new' });
  });
}
