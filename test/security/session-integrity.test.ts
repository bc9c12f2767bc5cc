/**
 * Session integrity at the HTTP level (issue 7 §2): a SessionID belongs to the device that opened it (sessions are keyed
 * by (device, SessionID)); MsgIDs must increase; a replayed or out-of-order message gets a defined answer and changes
 * nothing that matters (queued commands, their state and attempts, the device record, channels, alerts). What a refused
 * message does leave behind, by design: the raw exchange in the message log, the device's last-contact time, and the
 * session's server MsgID counter (so every server MsgID stays unique in the session).
 */
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { parseSyncML, serializeSyncML, type Status, type SyncML } from '../../src/syncml/index.js';
import { describeOnBackends, type TestDatabase } from '../support/databases.js';
import { alert, answerReply, answersFrom, deviceMessage, package1, serverCommands } from '../support/syncml-builders.js';
import { startSecureGateway, type SecureGateway } from './secure-gateway.js';

const hdr = (reply: SyncML) => reply.body.commands.find((c): c is Status => c.kind === 'Status' && c.cmdRef === '0')!;

describeOnBackends('session integrity over HTTP', (backend) => {
  let db: TestDatabase;
  let gw: SecureGateway;
  beforeAll(async () => {
    db = await backend.create();
    gw = await startSecureGateway(db, { env: { RATE_LIMIT_DEVICE: '0' } });
  });
  afterAll(async () => {
    await gw.close();
    await db.dispose();
  });
  beforeEach(() => db.reset());

  async function send(message: SyncML | string): Promise<{ reply: SyncML; text: string }> {
    const answer = await gw.post(typeof message === 'string' ? message : serializeSyncML(message));
    expect(answer.status, answer.text).toBe(200);
    return { reply: parseSyncML(answer.text), text: answer.text };
  }

  /** What must not change: commands (state, attempts, status), the device, channels, alerts. */
  async function snapshot(deviceId: string) {
    const q = (sql: string) => db.dataSource.query(db.dialect === 'postgres' ? sql.replace('?', '$1') : sql, [deviceId]);
    return {
      commands: await q('SELECT id, state, attempts, status, msg_id, cmd_id, session_id FROM commands WHERE device_id = ? ORDER BY seq'),
      device: await q('SELECT dev_info, enrollment_state, provisioned_pfn, push_status, last_session_id FROM devices WHERE device_id = ?'),
      channels: await q('SELECT channel_uri, state, last_reported_at FROM channels WHERE device_id = ? ORDER BY first_reported_at'),
      alerts: await q('SELECT alert, data FROM alerts WHERE device_id = ? ORDER BY id'),
    };
  }

  /** A device that checked in once and has two queued commands; returns the reply to package 1 of session `sid`. */
  async function openWithQueue(deviceId: string, sid: string): Promise<SyncML> {
    await gw.checkIn(deviceId);
    for (const target of ['./DevDetail/SwV', './DevDetail/OEM']) {
      expect((await gw.api('POST', `/api/v1/devices/${deviceId}/commands`, { verb: 'Get', target })).status).toBe(202);
    }
    const { reply } = await send(package1({ sessionID: sid, deviceId }));
    expect(serverCommands(reply).length).toBeGreaterThanOrEqual(2);
    return reply;
  }

  it('answers an identical retransmission with the same reply and changes nothing', async () => {
    const first = await openWithQueue('INT-1', '31');
    const message2 = serializeSyncML(deviceMessage({ msgID: 2, sessionID: '31', deviceId: 'INT-1' }, answerReply(first, answersFrom({ './DevDetail/SwV': '10.0' }))));
    const a = await send(message2);
    const before = await snapshot('INT-1');
    const b = await send(message2);
    expect(b.text).toBe(a.text);
    expect(await snapshot('INT-1')).toEqual(before);
    const items = (await gw.api('GET', '/api/v1/devices/INT-1/commands')).body.items as Array<{ state: string }>;
    expect(items.map((c) => c.state).sort()).toEqual(['done', 'failed']); // SwV answered, OEM 404: each exactly once
  });

  it('refuses a MsgID that goes backwards or repeats with other content (400, Statuses only) and changes nothing', async () => {
    const first = await openWithQueue('INT-2', '32');
    const before = await snapshot('INT-2');
    // Same MsgID 1 again with other content (a replay with changes), then MsgID 0.
    for (const msgID of [1, 0]) {
      const { reply } = await send(deviceMessage({ msgID, sessionID: '32', deviceId: 'INT-2' }, [alert('1', '1201'), alert('2', '1226')]));
      expect(hdr(reply).data).toBe('400');
      expect(serverCommands(reply)).toEqual([]);
      expect(reply.body.commands.every((c) => c.kind === 'Status' && c.data === '400')).toBe(true);
    }
    expect(await snapshot('INT-2')).toEqual(before);
    // The session carries on as if nothing had happened.
    const { reply } = await send(deviceMessage({ msgID: 2, sessionID: '32', deviceId: 'INT-2' }, answerReply(first, answersFrom({}))));
    expect(hdr(reply).data).toBe('200');
  });

  it('handles messages out of order: a later MsgID first is accepted, the earlier one afterwards is refused without effect', async () => {
    const first = await openWithQueue('INT-3', '33');
    const m2 = deviceMessage({ msgID: 2, sessionID: '33', deviceId: 'INT-3' }, answerReply(first, answersFrom({ './DevDetail/SwV': 'two' })));
    const m3 = deviceMessage({ msgID: 3, sessionID: '33', deviceId: 'INT-3' }, answerReply(first, answersFrom({ './DevDetail/SwV': 'three' })));
    expect(hdr((await send(m3)).reply).data).toBe('200');
    const before = await snapshot('INT-3');
    // 400 (MsgID not increasing), or 403 when MsgID 3 already ended the session (it answered everything).
    expect(['400', '403']).toContain(hdr((await send(m2)).reply).data);
    expect(await snapshot('INT-3')).toEqual(before);
    const swv = (await gw.api('GET', '/api/v1/devices/INT-3/commands')).body.items.find((c: { target?: string; results?: unknown[] }) => JSON.stringify(c).includes('SwV'));
    expect(JSON.stringify(swv)).toContain('three');
    expect(JSON.stringify(swv)).not.toContain('two');
  });

  it('refuses negative, enormous and non-numeric MsgIDs with 400 (Statuses only, no commands)', async () => {
    const p1 = package1({ sessionID: '1', deviceId: 'INT-4' });
    for (const msgID of ['-1', '99999999999999999999', '1e3', 'abc', '0x10']) {
      const { reply } = await send({ ...p1, header: { ...p1.header, msgID } });
      expect(hdr(reply).data, msgID).toBe('400');
      expect(serverCommands(reply)).toEqual([]);
    }
    expect((await gw.api('GET', '/api/v1/devices/INT-4/commands')).body.items ?? []).toEqual([]);
  });

  it('refuses a message for a session that has ended (403), and leaves the next session unharmed', async () => {
    const replies = await gw.checkIn('INT-5', { sessionId: '35' });
    const last = replies[replies.length - 1]!;
    const before = await snapshot('INT-5');
    const late = deviceMessage({ msgID: replies.length + 1, sessionID: '35', deviceId: 'INT-5' }, answerReply(last, answersFrom({})));
    const { reply } = await send(late);
    expect(hdr(reply).data).toBe('403');
    expect(await snapshot('INT-5')).toEqual(before);
    expect((await gw.checkIn('INT-5', { sessionId: '35' })).length).toBeGreaterThan(0);
  });

  it('keeps a SessionID to the device that opened it: another device using it gets a session of its own', async () => {
    const first = await openWithQueue('INT-6', '36');
    const before = await snapshot('INT-6');
    // INT-7 answers INT-6's reply under INT-6's SessionID: it is INT-7's message, in INT-7's (new) session.
    const { reply } = await send(deviceMessage({ msgID: 2, sessionID: '36', deviceId: 'INT-7' }, answerReply(first, answersFrom({}))));
    expect(hdr(reply).data).toBe('200');
    expect(await snapshot('INT-6')).toEqual(before);
    const cmds = (await gw.api('GET', '/api/v1/devices/INT-6/commands')).body.items;
    expect(cmds.every((c: { state: string }) => c.state === 'sent')).toBe(true);
    // INT-6 completes its own session normally.
    const own = await send(deviceMessage({ msgID: 2, sessionID: '36', deviceId: 'INT-6' }, answerReply(first, answersFrom({}))));
    expect(hdr(own.reply).data).toBe('200');
    const after = (await gw.api('GET', '/api/v1/devices/INT-6/commands')).body.items;
    expect(after.every((c: { state: string }) => c.state === 'done' || c.state === 'failed')).toBe(true);
  });
});
