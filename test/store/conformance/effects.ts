import { expect, it } from 'vitest';
import { StaleSessionError, type SessionEffect } from '../../../src/session/ports.js';
import type { StoreContext } from '../conformance.js';
import { at, checkIn, DAY, MINUTE, SECOND, seen, sessionState, T0 } from '../fixtures.js';

export function effectCases(ctx: StoreContext): void {
  const commit = (version: number | null, effects: SessionEffect[], sessionId = '1', ended = false) =>
    ctx.store.commitExchange({ session: sessionState('dev-1', sessionId, { ended }), expectedVersion: version, effects });

  it('device.seen replaces DevInfo when given, keeps it otherwise, and only moves last seen forward', async () => {
    await commit(null, [seen('dev-1', at(), { DevId: 'dev-1', Man: 'Contoso', Mod: 'A' })]);
    await commit(1, [seen('dev-1', at(MINUTE), {})]);
    expect(await ctx.store.getDevice('dev-1')).toMatchObject({ devInfo: { DevId: 'dev-1', Man: 'Contoso', Mod: 'A' }, lastSeenAt: at(MINUTE) });
    await commit(2, [seen('dev-1', at(SECOND), { DevId: 'dev-1', Man: 'Fabrikam' })]);
    const device = await ctx.store.getDevice('dev-1');
    expect(device).toMatchObject({ devInfo: { DevId: 'dev-1', Man: 'Fabrikam' }, firstSeenAt: at(), lastSeenAt: at(MINUTE), lastSessionId: '1' });
  });

  it('device.unenrolled marks the device unenrolled', async () => {
    await commit(null, [seen('dev-1', at()), { type: 'device.unenrolled', deviceId: 'dev-1', at: at() }]);
    expect((await ctx.store.loadForMessage('dev-1', '1', 0)).device?.enrollmentState).toBe('unenrolled');
  });

  it('command.completed stores state, status and results; a later Status for it is ignored', async () => {
    await checkIn(ctx.store, 'dev-1');
    const cmd = await ctx.store.enqueueCommand('dev-1', { verb: 'Get', target: './DevDetail/SwV' });
    await commit(1, [{ type: 'command.sent', commandId: cmd.id, sessionId: '1', msgID: '1', cmdID: '5', at: at(SECOND) }]);
    const outcome = { status: '200', results: [{ source: './DevDetail/SwV', format: 'chr', data: '10.0.26100' }] };
    await commit(2, [{ type: 'command.completed', commandId: cmd.id, state: 'done', outcome, at: at(2 * SECOND) }]);
    await commit(3, [{ type: 'command.completed', commandId: cmd.id, state: 'failed', outcome: { status: '500', results: [] }, at: at(3 * SECOND) }]);
    expect(await ctx.store.getCommand('dev-1', cmd.id)).toMatchObject({
      state: 'done',
      status: '200',
      outcome,
      attempts: 1,
      msgID: '1',
      cmdID: '5',
      sessionId: '1',
      sentAt: at(SECOND),
      completedAt: at(2 * SECOND),
    });
  });

  it('command.completed keeps the children outcomes of an Atomic', async () => {
    await checkIn(ctx.store, 'dev-1');
    const cmd = await ctx.store.enqueueCommand('dev-1', {
      verb: 'Atomic',
      commands: [
        { verb: 'Add', target: './Vendor/MSFT/A', data: '1', format: 'int' },
        { verb: 'Replace', target: './Vendor/MSFT/B', data: 'x' },
      ],
    });
    await commit(1, [{ type: 'command.sent', commandId: cmd.id, sessionId: '1', msgID: '1', cmdID: '3', at: at() }]);
    const outcome = { status: '507', results: [], children: [{ status: '216', results: [] }, { status: '404', results: [] }] };
    await commit(2, [{ type: 'command.completed', commandId: cmd.id, state: 'failed', outcome, at: at() }]);
    expect(await ctx.store.getCommand('dev-1', cmd.id)).toMatchObject({ state: 'failed', status: '507', outcome });
  });

  it('command.respecified replaces the spec of a live command', async () => {
    await checkIn(ctx.store, 'dev-1');
    const cmd = await ctx.store.enqueueCommand('dev-1', { verb: 'Add', target: './Vendor/MSFT/A', data: '1' }, { addFallbackToReplace: true });
    const replace = { verb: 'Replace' as const, target: './Vendor/MSFT/A', data: '1' };
    await commit(1, [{ type: 'command.respecified', commandId: cmd.id, spec: replace, at: at() }]);
    expect(await ctx.store.getCommand('dev-1', cmd.id)).toMatchObject({ spec: replace, addFallbackToReplace: true, state: 'queued' });
  });

  it('applies effects in order within one commit (requeue, then send again)', async () => {
    await checkIn(ctx.store, 'dev-1');
    const cmd = await ctx.store.enqueueCommand('dev-1', { verb: 'Get', target: './DevInfo/Mod' });
    await commit(1, [{ type: 'command.sent', commandId: cmd.id, sessionId: '1', msgID: '1', cmdID: '3', at: at() }]);
    await commit(2, [
      { type: 'command.requeued', commandId: cmd.id, at: at(MINUTE) },
      { type: 'command.sent', commandId: cmd.id, sessionId: '1', msgID: '2', cmdID: '4', at: at(MINUTE) },
    ]);
    expect(await ctx.store.getCommand('dev-1', cmd.id)).toMatchObject({ state: 'sent', attempts: 2, msgID: '2', cmdID: '4' });
  });

  it('refuses to mark a cancelled command sent: the commit is stale and nothing is applied', async () => {
    await checkIn(ctx.store, 'dev-1');
    const a = await ctx.store.enqueueCommand('dev-1', { verb: 'Get', target: './A' });
    const b = await ctx.store.enqueueCommand('dev-1', { verb: 'Get', target: './B' });
    await ctx.store.cancelCommand('dev-1', b.id);
    const sending = commit(1, [
      { type: 'command.sent', commandId: a.id, sessionId: '1', msgID: '1', cmdID: '3', at: at() },
      { type: 'command.sent', commandId: b.id, sessionId: '1', msgID: '1', cmdID: '4', at: at() },
    ]);
    await expect(sending).rejects.toBeInstanceOf(StaleSessionError);
    expect((await ctx.store.getCommand('dev-1', a.id))?.state).toBe('queued');
    expect((await ctx.store.getCommand('dev-1', b.id))?.state).toBe('cancelled');
  });

  it('batches hundreds of effects of one message', async () => {
    await checkIn(ctx.store, 'dev-1');
    // 510 queued commands in one INSERT (more than one batch of 500); enqueueing them one by one would only be slow.
    const ids = Array.from({ length: 510 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const tuples = ids.map((id, i) => `('${id}', 'dev-1', ${i + 1}, '{"verb":"Get","target":"./N/${i}"}', 'queued', 0, FALSE, ${T0})`);
    await ctx.db.dataSource.query(
      `INSERT INTO commands (id, device_id, seq, spec, state, attempts, add_fallback_to_replace, created_at) VALUES ${tuples.join(', ')}`,
    );
    // 990 alerts: two INSERT batches, and below the default retention of 1,000 per device, so a sampled trim
    // (history-retention.ts, about one insert in 32) cannot remove any of them.
    const alerts: SessionEffect[] = Array.from({ length: 990 }, (_, i) => ({
      type: 'alert.received',
      deviceId: 'dev-1',
      sessionId: '1',
      alert: '1224',
      data: `event ${i}`,
      at: at(),
    }));
    await commit(1, [...ids.map((id, i) => ({ type: 'command.sent' as const, commandId: id, sessionId: '1', msgID: '1', cmdID: String(i + 2), at: at() })), ...alerts]);
    const sent = await ctx.store.listCommands('dev-1', { state: 'sent', limit: 500 });
    expect(sent.items).toHaveLength(500);
    expect(sent.nextCursor).not.toBeNull();
    expect((await ctx.store.loadForMessage('dev-1', '1', 1000)).pending).toEqual([]);
    let alertCount = 0;
    for (let cursor: string | null = null; ; ) {
      const page = await ctx.store.listAlerts({ deviceId: 'dev-1', limit: 500, cursor });
      alertCount += page.items.length;
      if (!(cursor = page.nextCursor)) break;
    }
    expect(alertCount).toBe(990);
  });

  it('stores oversized device-supplied strings as they are (no database length limits)', async () => {
    const long = (c: string) => c.repeat(600);
    const deviceId = `dev-${long('d')}`;
    await ctx.store.commitExchange({
      session: sessionState(deviceId, long('s'), { trigger: long('9') }),
      expectedVersion: null,
      effects: [
        seen(deviceId, at(), { DevId: long('x') }),
        { type: 'alert.received', deviceId, sessionId: long('s'), alert: long('1'), alertType: long('t'), at: at() },
        { type: 'push.channelReported', deviceId, channelUri: `https://a.notify.windows.com/?token=${long('c')}`, at: at() },
      ],
    });
    const load = await ctx.store.loadForMessage(deviceId, long('s'), 0);
    expect(load.session?.trigger).toBe(long('9'));
    expect((await ctx.store.listAlerts({ deviceId })).items[0]?.alert).toBe(long('1'));
    const cmd = await ctx.store.enqueueCommand(deviceId, { verb: 'Get', target: './A' });
    await ctx.store.commitExchange({
      session: sessionState(deviceId, long('s')),
      expectedVersion: 1,
      effects: [{ type: 'command.sent', commandId: cmd.id, sessionId: long('s'), msgID: long('m'), cmdID: long('c'), at: at() }],
    });
    await ctx.store.commitExchange({
      session: sessionState(deviceId, long('s')),
      expectedVersion: 2,
      effects: [{ type: 'command.completed', commandId: cmd.id, state: 'failed', outcome: { status: long('5'), results: [] }, at: at() }],
    });
    expect((await ctx.store.getCommand(deviceId, cmd.id))?.status).toBe(long('5'));
  });

  it('push.pfnProvisioned records the PFN; push.pfnRejected clears it', async () => {
    await commit(null, [seen('dev-1', at()), { type: 'push.pfnProvisioned', deviceId: 'dev-1', pfn: 'Contoso.PFN_1', at: at() }]);
    expect((await ctx.store.loadForMessage('dev-1', '1', 0)).device?.provisionedPfn).toBe('Contoso.PFN_1');
    await commit(1, [{ type: 'push.pfnRejected', deviceId: 'dev-1', pfn: 'Contoso.PFN_1', status: '500', at: at() }]);
    expect((await ctx.store.loadForMessage('dev-1', '1', 0)).device?.provisionedPfn).toBeNull();
  });

  it('push.pollProvisioned records the confirmed Poll schedule hash; a rolled-back push.pollRejected keeps it, an unknown one clears it', async () => {
    const hash = (ch: string) => ch.repeat(64);
    const load = async () => (await ctx.store.loadForMessage('dev-1', '1', 0)).device?.provisionedPollHash;
    await commit(null, [seen('dev-1', at())]);
    expect(await load()).toBeNull();
    await commit(1, [{ type: 'push.pollProvisioned', deviceId: 'dev-1', pollHash: hash('a'), at: at() }]);
    expect(await load()).toBe(hash('a'));
    expect((await ctx.store.getDevice('dev-1'))?.provisionedPollHash).toBe(hash('a'));
    await commit(2, [{ type: 'push.pollRejected', deviceId: 'dev-1', pollHash: hash('b'), status: '507', deviceState: 'unchanged', at: at() }]);
    expect(await load()).toBe(hash('a'));
    await commit(3, [{ type: 'push.pollRejected', deviceId: 'dev-1', pollHash: hash('b'), status: '516', deviceState: 'unknown', at: at() }]);
    expect(await load()).toBeNull();
    // Several in one message: the last one counts.
    await commit(4, [
      { type: 'push.pollProvisioned', deviceId: 'dev-1', pollHash: hash('c'), at: at() },
      { type: 'push.pollProvisioned', deviceId: 'dev-1', pollHash: hash('d'), at: at() },
    ]);
    expect(await load()).toBe(hash('d'));
  });

  it('device.unenrolled forgets the confirmed Poll schedule (the device drops its DM client configuration)', async () => {
    await commit(null, [seen('dev-1', at()), { type: 'push.pollProvisioned', deviceId: 'dev-1', pollHash: 'f'.repeat(64), at: at() }]);
    await commit(1, [{ type: 'device.unenrolled', deviceId: 'dev-1', at: at() }]);
    expect((await ctx.store.loadForMessage('dev-1', '1', 0)).device).toMatchObject({ enrollmentState: 'unenrolled', provisionedPollHash: null });
  });

  it('device.unenrolled forgets the provisioned PFN; a later session with DevInfo (re-enrolment) makes the device enrolled again', async () => {
    await commit(null, [seen('dev-1', at(), { DevId: 'dev-1' }), { type: 'push.pfnProvisioned', deviceId: 'dev-1', pfn: 'PFN', at: at() }]);
    await commit(1, [{ type: 'device.unenrolled', deviceId: 'dev-1', at: at() }]);
    expect((await ctx.store.loadForMessage('dev-1', '1', 0)).device).toMatchObject({ enrollmentState: 'unenrolled', provisionedPfn: null });
    await ctx.store.commitExchange({ session: sessionState('dev-1', '2'), expectedVersion: null, effects: [seen('dev-1', at(DAY), { DevId: 'dev-1' })] });
    expect((await ctx.store.loadForMessage('dev-1', '2', 0)).device).toMatchObject({ enrollmentState: 'enrolled', provisionedPfn: null });
  });

  it('device column effects in one message end as applied in order, on the touched device and on one the message does not touch', async () => {
    await checkIn(ctx.store, 'dev-2');
    const pfn = (deviceId: string, value: string): SessionEffect => ({ type: 'push.pfnProvisioned', deviceId, pfn: value, at: at() });
    const poll = (deviceId: string, value: string): SessionEffect => ({ type: 'push.pollProvisioned', deviceId, pollHash: value, at: at() });
    const unenrolled = (deviceId: string): SessionEffect => ({ type: 'device.unenrolled', deviceId, at: at() });
    const status = (deviceId: string, value: number, when: Date): SessionEffect => ({ type: 'push.statusReported', deviceId, pushStatus: value, at: when });
    // dev-1 (the session's device, created by this commit): a PFN, then unenrolled (PFN and Poll hash forgotten), then a
    // new PFN; a Poll hash before the unenrolment stays forgotten. dev-2 (known, not touched by this message) likewise.
    const effects = (deviceId: string) => [pfn(deviceId, 'A'), poll(deviceId, 'h1'), status(deviceId, 1, at(SECOND)), unenrolled(deviceId), pfn(deviceId, 'B'), status(deviceId, 2, at(MINUTE))];
    await commit(null, [seen('dev-1', at(), { DevId: 'dev-1' }), ...effects('dev-1'), ...effects('dev-2')]);
    for (const deviceId of ['dev-1', 'dev-2']) {
      const device = await ctx.store.getDevice(deviceId);
      expect(device).toMatchObject({ enrollmentState: 'unenrolled', provisionedPfn: 'B', provisionedPollHash: null, push: { status: 2, statusAt: at(MINUTE) } });
    }
    expect((await ctx.store.getDevice('dev-1'))?.devInfo).toEqual({ DevId: 'dev-1' });
    // A later message with other effects leaves those columns as they are.
    await commit(1, [seen('dev-1', at(DAY)), poll('dev-1', 'h2')]);
    expect(await ctx.store.getDevice('dev-1')).toMatchObject({ enrollmentState: 'unenrolled', provisionedPfn: 'B', provisionedPollHash: 'h2', push: { status: 2 }, lastSeenAt: at(DAY) });
  });

  it('push.statusReported stores Push/Status with its time', async () => {
    await commit(null, [{ type: 'push.statusReported', deviceId: 'dev-1', pushStatus: 0, at: at(MINUTE) }]);
    expect((await ctx.store.getDevice('dev-1'))?.push).toMatchObject({ status: 0, statusAt: at(MINUTE) });
    await commit(1, [{ type: 'push.statusReported', deviceId: 'dev-1', pushStatus: 5, at: at(DAY) }]);
    expect((await ctx.store.getDevice('dev-1'))?.push).toMatchObject({ status: 5, statusAt: at(DAY) });
  });

  it('alert.received stores every field', async () => {
    await commit(null, [
      {
        type: 'alert.received',
        deviceId: 'dev-1',
        sessionId: '1',
        alert: '1226',
        alertType: 'com.microsoft:mdm.unenrollment.userrequest',
        format: 'int',
        mark: 'informational',
        source: './Vendor/MSFT/DMClient',
        data: '1',
        at: at(SECOND),
      },
      { type: 'alert.received', deviceId: 'dev-1', sessionId: '1', alert: '1224', at: at(SECOND) },
    ]);
    const alerts = (await ctx.store.listAlerts({ deviceId: 'dev-1' })).items;
    expect(alerts.map((a) => a.alert)).toEqual(['1224', '1226']);
    expect(alerts[1]).toMatchObject({
      deviceId: 'dev-1',
      sessionId: '1',
      alertType: 'com.microsoft:mdm.unenrollment.userrequest',
      format: 'int',
      mark: 'informational',
      source: './Vendor/MSFT/DMClient',
      data: '1',
      receivedAt: at(SECOND),
    });
    expect(alerts[0]).toMatchObject({ alertType: null, format: null, mark: null, source: null, data: null });
  });

  it("session.serverInitiated marks the device's newest sent wake woke with its latency", async () => {
    await checkIn(ctx.store, 'dev-1', '1', at(), [{ type: 'push.channelReported', deviceId: 'dev-1', channelUri: 'https://a.notify.windows.com/?token=1', at: at() }]);
    const { wake } = await ctx.store.requestWake({ deviceId: 'dev-1', at: at(MINUTE) });
    await ctx.store.claimWakes({ workerId: 'w1', limit: 10, leaseMs: MINUTE, now: at(MINUTE) });
    await ctx.store.markWakeSent(wake.id, { sentAt: at(MINUTE + SECOND), outcome: 'received', workerId: 'w1' });
    await ctx.store.commitExchange({
      session: sessionState('dev-1', '2', { trigger: '1200' }),
      expectedVersion: null,
      effects: [seen('dev-1', at(MINUTE + 4 * SECOND)), { type: 'session.serverInitiated', deviceId: 'dev-1', sessionId: '2', at: at(MINUTE + 4 * SECOND) }],
    });
    expect(await ctx.store.getWake(wake.id)).toMatchObject({ state: 'woke', wokeAt: at(MINUTE + 4 * SECOND), latencyMs: 3 * SECOND });
  });

  it('stores the raw exchange and keeps the newest N per device (trimming on every insert: exact)', async () => {
    const store = ctx.open({ messageRetention: 3, historyTrimEvery: 1 });
    const raw = (deviceId: string, n: number) => ({
      deviceId,
      sessionId: '1',
      msgID: String(n),
      at: at(n * SECOND),
      contentType: 'application/vnd.syncml.dm+xml',
      request: Buffer.from(`<SyncML>request ${n}</SyncML>`),
      reply: Buffer.from(`<SyncML>reply ${n}</SyncML>`),
    });
    for (const deviceId of ['dev-1', 'dev-2']) {
      await store.commitExchange({ session: sessionState(deviceId, '1'), expectedVersion: null, effects: [], raw: raw(deviceId, 1) });
      for (let n = 2; n <= 5; n++) {
        if (deviceId === 'dev-2' && n > 2) break;
        await store.commitExchange({ session: sessionState(deviceId, '1'), expectedVersion: n - 1, effects: [], raw: raw(deviceId, n) });
      }
    }
    const kept = (await store.listMessages('dev-1', '1')).items;
    expect(kept.map((m) => m.msgID)).toEqual(['3', '4', '5']);
    expect(Buffer.from(kept[2]!.request).toString()).toBe('<SyncML>request 5</SyncML>');
    expect(Buffer.from(kept[2]!.reply).toString()).toBe('<SyncML>reply 5</SyncML>');
    expect(kept[2]).toMatchObject({ deviceId: 'dev-1', sessionId: '1', contentType: 'application/vnd.syncml.dm+xml', at: at(5 * SECOND) });
    expect((await store.listMessages('dev-2', '1')).items.map((m) => m.msgID)).toEqual(['1', '2']);
  });
}
