/**
 * Replays, MsgID order, messages after the end, a header from another device (PROTOCOL.md a.2; session-admission.ts).
 */
import { describe, expect, it } from 'vitest';
import { alert, answerReply, answersFrom, DEVICE_ID, deviceMessage, package1, serverCommands, status, statusesOf } from '../support/syncml-builders.js';
import { CHANNEL, CHANNEL_PATH, Conversation, PFN, STATUS_PATH } from './conversation.js';

const OS = './DevDetail/SwV';

describe('a repeated message', () => {
  it('gets the identical previous reply, with no effects and no state change', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    const id = c.enqueue({ verb: 'Get', target: OS });
    const m1 = package1();
    const r1 = c.send(m1);
    const before = c.session;
    const again = c.send(m1);
    expect(again.disposition).toBe('replayed');
    expect(again.reply).toEqual(r1.reply);
    expect(again.effects).toEqual([]);
    expect(again.session).toEqual(before);
    expect(c.command(id).attempts).toBe(1);
  });

  it('repeats the final reply of an ended session too', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    const r1 = c.send(package1());
    const m2 = deviceMessage({ msgID: 2 }, answerReply(r1.reply, answersFrom({ [CHANNEL_PATH]: CHANNEL, [STATUS_PATH]: '0' })));
    const r2 = c.send(m2);
    expect(r2.session.ended).toBe(true);
    const again = c.send(m2);
    expect(again).toMatchObject({ disposition: 'replayed', effects: [] });
    expect(again.reply).toEqual(r2.reply);
  });

  it('refuses with 400 a MsgID that goes backwards, answering every command with 400 and changing nothing else', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    const r1 = c.send(package1());
    c.send(deviceMessage({ msgID: 2, final: false }, [status('1', '1', '0', 'SyncHdr', '200')]));
    const stale = c.send(package1());
    expect(stale.disposition).toBe('rejected');
    expect(stale.effects).toEqual([]);
    expect(stale.notes.map((n) => n.code)).toEqual(['msgid-not-increasing']);
    expect(statusesOf(stale.reply).map((s) => [s.cmdRef, s.data])).toEqual([
      ['0', '400'],
      ['1', '400'],
      ['2', '400'],
      ['3', '400'],
    ]);
    expect(stale.reply.body.final).toBe(true);
    // Server MsgIDs stay unique; the session is still open and goes on.
    expect(stale.reply.header.msgID).toBe('3');
    expect(stale.session.ended).toBe(false);
    expect(serverCommands(r1.reply)).toHaveLength(2);
  });

  it('refuses a repeated MsgID whose content differs', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    c.send(package1());
    const other = c.send(package1({ devInfo: { DevId: DEVICE_ID, Man: 'Other' } }));
    expect(other.disposition).toBe('rejected');
    expect(statusesOf(other.reply)[0]?.data).toBe('400');
  });

  it('refuses a MsgID that is not a positive integer', () => {
    const c = new Conversation();
    const out = c.send(deviceMessage({ msgID: 'x1' }, [alert('1', '1201')]));
    expect(out.disposition).toBe('rejected');
    expect(statusesOf(out.reply).map((s) => s.data)).toEqual(['400', '400']);
    expect(out.session.ended).toBe(true);
  });
});

describe('a message after the session ended', () => {
  function endedSession(): Conversation {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    const r1 = c.send(package1({ sessionID: 'A' }));
    c.send(deviceMessage({ msgID: 2, sessionID: 'A' }, answerReply(r1.reply, answersFrom({ [CHANNEL_PATH]: CHANNEL, [STATUS_PATH]: '0' }))));
    expect(c.session?.ended).toBe(true);
    return c;
  }

  it('MsgID 1 opens a new session under the reused SessionID (Windows’ small SessionID counter wraps, a.2)', () => {
    const c = endedSession();
    const r = c.send(package1({ sessionID: 'A', trigger: '1200' }));
    expect(r.disposition).toBe('processed');
    expect(r.reply.header.msgID).toBe('1');
    expect(r.session).toMatchObject({ ended: false, trigger: '1200', startedAt: c.now.toISOString() });
    expect(serverCommands(r.reply).map((x) => x.kind)).toEqual(['Get', 'Get']);
  });

  it('any other MsgID is refused with 403', () => {
    const c = endedSession();
    const r = c.send(deviceMessage({ msgID: 3, sessionID: 'A' }, [status('1', '2', '0', 'SyncHdr', '200'), alert('2', '1226', [])]));
    expect(r.disposition).toBe('rejected');
    expect(statusesOf(r.reply).map((s) => [s.cmdRef, s.data])).toEqual([
      ['0', '403'],
      ['2', '403'],
    ]);
    expect(r.session.ended).toBe(true);
    expect(r.effects).toEqual([]);
  });
});

describe('a SyncHdr Source that is not the session’s device', () => {
  it('is refused with 403', () => {
    const c = new Conversation();
    c.send(package1());
    const r = c.send(deviceMessage({ msgID: 2, deviceId: 'another-device' }, [status('1', '1', '0', 'SyncHdr', '200')]));
    expect(r.disposition).toBe('rejected');
    expect(r.notes[0]?.code).toBe('foreign-source');
    expect(statusesOf(r.reply).map((s) => s.data)).toEqual(['403']);
  });
});
