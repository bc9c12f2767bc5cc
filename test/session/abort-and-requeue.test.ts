/**
 * Nothing a device does loses a queued command: abort (1223), a package closed without the Statuses, a session that
 * stalls (PROTOCOL.md a.5, b; at-least-once delivery).
 */
import { describe, expect, it } from 'vitest';
import type { ItemCommand } from '../../src/syncml/model.js';
import { alert, answerReply, answersFrom, deviceMessage, package1, results, serverCommands, status, statusesOf } from '../support/syncml-builders.js';
import { CHANNEL, CHANNEL_PATH, Conversation, PFN, STATUS_PATH } from './conversation.js';

const A = './DevDetail/Ext/A';
const B = './DevDetail/Ext/B';

describe('session abort (Alert 1223)', () => {
  it('answers Status for the SyncHdr and the Alert only, with Final; ends; requeues what got no Status', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    const a = c.enqueue({ verb: 'Get', target: A });
    const b = c.enqueue({ verb: 'Replace', target: B, data: '1' });
    const r1 = c.send(package1());
    const [, , getA] = serverCommands(r1.reply) as ItemCommand[];
    // The device answered A, then aborts (OMA-DMPRO §8.1: it may include what it executed, and MUST include Final).
    const r2 = c.send(
      deviceMessage({ msgID: 2 }, [
        status('1', '1', '0', 'SyncHdr', '200'),
        status('2', '1', getA?.cmdID ?? '', 'Get', '200'),
        results('3', '1', getA?.cmdID ?? '', A, 'va'),
        alert('4', '1223'),
      ]),
    );
    expect(r2.reply.body.commands).toEqual([
      { kind: 'Status', cmdID: '1', msgRef: '2', cmdRef: '0', cmd: 'SyncHdr', data: '200', items: [] },
      { kind: 'Status', cmdID: '2', msgRef: '2', cmdRef: '4', cmd: 'Alert', data: '200', items: [] },
    ]);
    expect(r2.reply.body.final).toBe(true);
    expect(r2.session.ended).toBe(true);
    expect(c.command(a)).toMatchObject({ state: 'done', outcome: { results: [{ data: 'va' }] } });
    expect(c.command(b).state).toBe('queued');
    expect(c.effectsOf('command.requeued').map((e) => e.commandId)).toEqual([b]);
    expect(c.finish()).toEqual([]);
  });

  it('in package 1 ends the session at once, sending nothing', () => {
    const c = new Conversation();
    c.enqueue({ verb: 'Get', target: A });
    const r = c.send(package1({ extra: [alert('4', '1223')] }));
    expect(serverCommands(r.reply)).toEqual([]);
    expect(statusesOf(r.reply)).toHaveLength(5);
    expect(r.session.ended).toBe(true);
  });
});

describe('a broken session', () => {
  it('a device that closes its package without the Statuses: no new commands (a.5), session ends, commands back to the queue', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    const a = c.enqueue({ verb: 'Get', target: A });
    const b = c.enqueue({ verb: 'Get', target: B });
    const later = c.enqueue({ verb: 'Get', target: './DevDetail/Ext/Later' }, {});
    const r1 = c.send(package1());
    expect(c.command(later).state).toBe('sent');
    const r2 = c.send(deviceMessage({ msgID: 2 }, [status('1', '1', '0', 'SyncHdr', '200'), status('2', '1', '5', 'Get', '404')]));
    expect(serverCommands(r2.reply)).toEqual([]);
    expect(r2.reply.body.final).toBe(true);
    expect(r2.session.ended).toBe(true);
    expect([a, b, later].map((id) => c.command(id).state)).toEqual(['queued', 'queued', 'queued']);

    // The next session delivers them again (at-least-once, attempts counted).
    const r3 = c.send(package1({ sessionID: '2' }));
    expect(serverCommands(r3.reply).map((x) => (x as ItemCommand).items[0]?.target?.locURI)).toEqual([CHANNEL_PATH, STATUS_PATH, A, B, './DevDetail/Ext/Later']);
    c.send(deviceMessage({ msgID: 2, sessionID: '2' }, answerReply(r3.reply, answersFrom({ [A]: '1', [B]: '2', './DevDetail/Ext/Later': '3' }))));
    expect([a, b, later].map((id) => [c.command(id).state, c.command(id).attempts])).toEqual([
      ['done', 2],
      ['done', 2],
      ['done', 2],
    ]);
    expect(r1.reply.body.final).toBe(true);
    expect(c.finish()).toEqual([]);
  });

  it('a command without Status for longer than commandExpiryMs goes back to the queue while the session goes on', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN }, engine: { commandExpiryMs: 60_000 } });
    const a = c.enqueue({ verb: 'Get', target: A });
    c.send(package1());
    c.advance(61_000);
    const r2 = c.send(deviceMessage({ msgID: 2, final: false }, [status('1', '1', '0', 'SyncHdr', '200'), alert('2', '1226', [{ meta: { type: 't', format: 'chr' }, data: { kind: 'text', text: 'x' } }])]));
    expect(r2.effects).toContainEqual({ type: 'command.requeued', commandId: a, at: c.now });
    expect(c.command(a).state).toBe('queued');
    // Its late Status is an unknown reference now, noted and ignored.
    const r3 = c.send(deviceMessage({ msgID: 3 }, [status('1', '2', '0', 'SyncHdr', '200'), status('2', '2', '2', 'Alert', '200'), status('3', '1', '7', 'Get', '200')]));
    expect(r3.notes.map((n) => n.code)).toContain('unknown-status-reference');
    expect(c.command(a).state).toBe('queued');
    expect(r3.session.ended).toBe(true);
  });

  it('a Status for a command never sent is noted, and the session goes on', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    const r1 = c.send(package1());
    const answers = answerReply(r1.reply, answersFrom({ [CHANNEL_PATH]: CHANNEL, [STATUS_PATH]: '0' }));
    const r2 = c.send(deviceMessage({ msgID: 2 }, [...answers, status('9', '1', '42', 'Replace', '200'), status('10', '7', '5', 'Get', '200')]));
    expect(r2.notes.filter((n) => n.code === 'unknown-status-reference').map((n) => n.details)).toEqual([
      { msgRef: '1', cmdRef: '42', cmd: 'Replace', status: '200' },
      { msgRef: '7', cmdRef: '5', cmd: 'Get', status: '200' },
    ]);
    expect(c.channel).toBe(CHANNEL);
    expect(statusesOf(r2.reply)).toHaveLength(1);
    expect(r2.session.ended).toBe(true);
  });

  it('a Status naming another command than the one sent is noted and ignored', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    const a = c.enqueue({ verb: 'Get', target: A });
    c.send(package1());
    const r2 = c.send(deviceMessage({ msgID: 2, final: false }, [status('1', '1', '0', 'SyncHdr', '200'), status('2', '1', '7', 'Replace', '200')]));
    expect(r2.notes.map((n) => n.code)).toContain('status-cmd-mismatch');
    expect(c.command(a).state).toBe('sent');
  });
});
