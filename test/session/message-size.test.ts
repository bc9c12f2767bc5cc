/**
 * Packaging under the device's MaxMsgSize (PROTOCOL.md a.5): whole commands only, a package split over messages
 * without Final until its last message, continued when the device asks with Alert 1222; MaxObjSize (a.6).
 */
import { describe, expect, it } from 'vitest';
import { createSyncMLMeasure } from '../../src/session/measure.js';
import { serializeSyncML } from '../../src/syncml/index.js';
import type { Command, SyncML } from '../../src/syncml/model.js';
import { alert, answerReply, answersFrom, deviceMessage, package1, serverCommands, status, verbsAndTargets } from '../support/syncml-builders.js';
import { CHANNEL, CHANNEL_PATH, Conversation, PFN, STATUS_PATH } from './conversation.js';

/** Fixed sizes keep the arithmetic readable: envelope 500, Status/Alert 100, any other command 300 (+ 100 per child). */
const sized = {
  measureEnvelope: () => 500,
  measure: (c: Command): number => (c.kind === 'Status' || c.kind === 'Alert' ? 100 : 300 + (c.kind === 'Atomic' || c.kind === 'Sequence' ? 100 * c.commands.length : 0)),
};

function bytes(reply: SyncML): number {
  return reply.body.commands.reduce((n, c) => n + sized.measure(c), sized.measureEnvelope());
}

const node = (n: number) => `./DevDetail/Ext/Node${n}`;

describe('a server package split under a small MaxMsgSize', () => {
  it('sends what fits without Final, continues on Alert 1222, closes with Final', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN }, engine: sized });
    const ids = [1, 2, 3].map((n) => c.enqueue({ verb: 'Get', target: node(n) }));
    // 500 envelope + 4 Statuses (400) + 2 commands (600) = 1500 ≤ 1600; a third command would make 1800.
    const r1 = c.send(package1({ maxMsgSize: 1600 }));
    expect(verbsAndTargets(r1.reply)).toEqual([
      ['Get', CHANNEL_PATH],
      ['Get', STATUS_PATH],
    ]);
    expect(r1.reply.body.final).toBe(false);
    expect(bytes(r1.reply)).toBeLessThanOrEqual(1600);
    expect(ids.map((id) => c.command(id).state)).toEqual(['queued', 'queued', 'queued']);

    // The device answers this message and asks for the next one (a.5), without Final.
    const answers = answerReply(r1.reply, answersFrom({ [CHANNEL_PATH]: CHANNEL, [STATUS_PATH]: '0' }));
    const r2 = c.send(deviceMessage({ msgID: 2, final: false }, [...answers, alert(String(answers.length + 1), '1222')]));
    expect(c.channel).toBe(CHANNEL);
    expect(verbsAndTargets(r2.reply)).toEqual([1, 2, 3].map((n) => ['Get', node(n)]));
    expect(r2.reply.body.final).toBe(true);
    expect(bytes(r2.reply)).toBeLessThanOrEqual(1600);
    expect(r2.reply.body.commands.map((x) => x.cmdID)).toEqual(['1', '2', '3', '4', '5']);

    const r3 = c.send(deviceMessage({ msgID: 3 }, answerReply(r2.reply, answersFrom({ [node(1)]: 'a', [node(2)]: 'b', [node(3)]: 'c' }))));
    expect(ids.map((id) => c.command(id).state)).toEqual(['done', 'done', 'done']);
    expect(r3.session.ended).toBe(true);
    expect(c.finish()).toEqual([]);
  });

  it('keeps MaxMsgSize for the rest of the session and honours a new value', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN }, engine: sized });
    [1, 2, 3, 4].forEach((n) => c.enqueue({ verb: 'Get', target: node(n) }));
    const r1 = c.send(package1({ maxMsgSize: 1600 }));
    const answers = answerReply(r1.reply, answersFrom({ [CHANNEL_PATH]: CHANNEL, [STATUS_PATH]: '0' }));
    // No Meta in this header: 1600 still holds → 500 + 200 + 3×300 = 1600, the fourth waits.
    const r2 = c.send(deviceMessage({ msgID: 2, final: false }, [...answers, alert(String(answers.length + 1), '1222')]));
    expect(serverCommands(r2.reply)).toHaveLength(3);
    expect(r2.reply.body.final).toBe(false);
    const more = [status('1', '2', '0', 'SyncHdr', '200'), alert('2', '1222')];
    const r3 = c.send(deviceMessage({ msgID: 3, final: false, maxMsgSize: 5000 }, more));
    expect(verbsAndTargets(r3.reply)).toEqual([['Get', node(4)]]);
    expect(r3.reply.body.final).toBe(true);
  });

  it('never splits an Atomic: it waits for a message it fits in whole', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN }, engine: sized });
    const id = c.enqueue({ verb: 'Atomic', commands: [1, 2, 3].map((n) => ({ verb: 'Replace' as const, target: node(n), data: 'x' })) });
    // Atomic = 600. 500 + 400 + 600 (plan) = 1500; the Atomic would make 2100 > 1700.
    const r1 = c.send(package1({ maxMsgSize: 1700 }));
    expect(serverCommands(r1.reply).map((x) => x.kind)).toEqual(['Get', 'Get']);
    const answers = answerReply(r1.reply, answersFrom({ [CHANNEL_PATH]: CHANNEL, [STATUS_PATH]: '0' }));
    const r2 = c.send(deviceMessage({ msgID: 2, final: false }, [...answers, alert(String(answers.length + 1), '1222')]));
    expect(serverCommands(r2.reply).map((x) => x.kind)).toEqual(['Atomic']);
    expect(c.command(id).state).toBe('sent');
  });

  it('holds back a command that fits in no message under MaxMsgSize; the others go', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN }, engine: sized });
    const big = c.enqueue({ verb: 'Atomic', commands: Array.from({ length: 20 }, (_, n) => ({ verb: 'Replace' as const, target: node(n), data: 'x' })) });
    const small = c.enqueue({ verb: 'Get', target: node(99) });
    const r1 = c.send(package1({ maxMsgSize: 2000 }));
    expect(verbsAndTargets(r1.reply).map(([, t]) => t)).toEqual([CHANNEL_PATH, STATUS_PATH, node(99)]);
    expect(r1.notes.map((n) => n.code)).toContain('command-held-back');
    expect(c.command(big).state).toBe('queued');
    expect(c.command(small).state).toBe('sent');
    c.send(deviceMessage({ msgID: 2 }, answerReply(r1.reply, answersFrom({ [node(99)]: 'v' }))));
    // Not retried within this session (it would never fit); it stays queued for a later session.
    expect(c.command(big).state).toBe('queued');
    expect(c.session?.ended).toBe(true);
  });

  it('holds back a command whose data exceeds the device MaxObjSize (a.6)', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN }, engine: sized });
    const id = c.enqueue({ verb: 'Replace', target: node(1), data: 'x'.repeat(2000) });
    const r1 = c.send(package1({ maxObjSize: 1024 }));
    expect(verbsAndTargets(r1.reply).map(([, t]) => t)).toEqual([CHANNEL_PATH, STATUS_PATH]);
    expect(c.command(id).state).toBe('queued');
  });

  it('limits server commands per message (maxCommandsPerMessage) the same way', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN }, engine: { maxCommandsPerMessage: 2 } });
    c.enqueue({ verb: 'Get', target: node(1) });
    const r1 = c.send(package1());
    expect(serverCommands(r1.reply)).toHaveLength(2);
    expect(r1.reply.body.final).toBe(false);
  });
});

describe('with the real serializer', () => {
  it('every serialized reply stays within the device MaxMsgSize, and every command is delivered once', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN }, engine: createSyncMLMeasure(serializeSyncML) });
    const ids = Array.from({ length: 12 }, (_, n) => c.enqueue({ verb: 'Replace', target: node(n), data: 'v'.repeat(60), format: 'chr' }));
    const max = 1500;
    let reply = c.send(package1({ maxMsgSize: max })).reply;
    const sizes = [Buffer.byteLength(serializeSyncML(reply))];
    for (let msgID = 2; !c.session?.ended; msgID++) {
      const answers = answerReply(reply, answersFrom({ [CHANNEL_PATH]: CHANNEL, [STATUS_PATH]: '0' }));
      const more = !reply.body.final;
      reply = c.send(deviceMessage({ msgID, final: !more }, more ? [...answers, alert(String(answers.length + 1), '1222')] : answers)).reply;
      sizes.push(Buffer.byteLength(serializeSyncML(reply)));
      expect(msgID).toBeLessThan(20);
    }
    expect(Math.max(...sizes)).toBeLessThanOrEqual(max);
    expect(sizes.length).toBeGreaterThan(3);
    expect(ids.map((id) => [c.command(id).state, c.command(id).attempts])).toEqual(ids.map(() => ['done', 1]));
    expect(c.finish()).toEqual([]);
  });
});
