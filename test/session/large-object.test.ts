/**
 * Large objects from the device (PROTOCOL.md a.6, OMA-DMPRO §7): MoreData chunks → 213 and Alert 1222, reassembly,
 * Size check → 424, a new command before the last chunk → Alert 1225. 213 answers even a Results chunk (§7: "on
 * receipt of a data object with <MoreData/>"); so does the 424 for a last Results chunk whose size does not match (§7
 * "error status 424"), which the transcript checker's no-status-for-results rule does not expect — that one
 * conversation skips the rule.
 */
import { describe, expect, it } from 'vitest';
import type { SessionOutput } from '../../src/session/engine.js';
import type { Alert, ItemCommand, Results } from '../../src/syncml/model.js';
import { alert, answerReply, answersFrom, deviceMessage, genericAlert, package1, results, serverCommands, status, statusesOf } from '../support/syncml-builders.js';
import { CHANNEL, CHANNEL_PATH, Conversation, PFN, STATUS_PATH } from './conversation.js';

const BIG = './Vendor/MSFT/DeviceStatus/Large';
const value = 'ABCDEFGHIJ'.repeat(30); // 300 bytes in three chunks of 100
const chunks = [value.slice(0, 100), value.slice(100, 200), value.slice(200)];

/** Session where reply 1 carries the plan and a Get of BIG; returns the Get's CmdID. */
function start(c: Conversation): { r1: SessionOutput; getId: string; id: string } {
  const id = c.enqueue({ verb: 'Get', target: BIG });
  const r1 = c.send(package1());
  const getId = (serverCommands(r1.reply)[2] as ItemCommand).cmdID;
  return { r1, getId, id };
}

function firstChunkMessage(getId: string, size = 300): ReturnType<typeof deviceMessage> {
  return deviceMessage({ msgID: 2, final: false }, [
    status('1', '1', '0', 'SyncHdr', '200'),
    status('2', '1', '5', 'Get', '200'),
    results('3', '1', '5', CHANNEL_PATH, CHANNEL),
    status('4', '1', '6', 'Get', '200'),
    results('5', '1', '6', STATUS_PATH, '0'),
    status('6', '1', getId, 'Get', '200'),
    results('7', '1', getId, BIG, chunks[0] as string, { moreData: true, size }),
  ]);
}

const chunkMessage = (msgID: number, getId: string, data: string, more: boolean, final = !more) =>
  deviceMessage({ msgID, final }, [status('1', String(msgID - 1), '0', 'SyncHdr', '200'), status('2', String(msgID - 1), '3', 'Alert', '200'), results('3', '1', getId, BIG, data, { moreData: more })]);

describe('a large object from the device', () => {
  it('answers each chunk with 213 and Alert 1222, reassembles, and completes the Get with the whole value', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    const { getId, id } = start(c);
    const r2 = c.send(firstChunkMessage(getId));
    expect(statusesOf(r2.reply).map((s) => [s.cmdRef, s.cmd, s.data])).toEqual([
      ['0', 'SyncHdr', '200'],
      ['7', 'Results', '213'],
    ]);
    expect(serverCommands(r2.reply)).toEqual([{ kind: 'Alert', cmdID: '3', data: '1222', items: [] }]);
    expect(r2.reply.body.final).toBe(false);
    expect(c.command(id).state).toBe('sent');

    const r3 = c.send(chunkMessage(3, getId, chunks[1] as string, true));
    expect(statusesOf(r3.reply).map((s) => s.data)).toEqual(['200', '213']);
    expect(serverCommands(r3.reply).map((x) => (x as Alert).data)).toEqual(['1222']);

    const r4 = c.send(chunkMessage(4, getId, chunks[2] as string, false));
    expect(c.command(id)).toMatchObject({ state: 'done', outcome: { status: '200', results: [{ source: BIG, data: value }] } });
    expect(statusesOf(r4.reply).map((s) => s.cmdRef)).toEqual(['0']);
    expect(r4.session.ended).toBe(true);
    expect(c.finish()).toEqual([]);
  });

  it('answers 424 when the reassembled size differs from the first chunk’s Meta Size, and commits nothing', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN }, skipRules: ['no-status-for-results'] });
    const { getId, id } = start(c);
    c.send(firstChunkMessage(getId, 299));
    c.send(chunkMessage(3, getId, chunks[1] as string, true));
    const r4 = c.send(chunkMessage(4, getId, chunks[2] as string, false));
    expect(statusesOf(r4.reply).map((s) => [s.cmdRef, s.cmd, s.data])).toEqual([
      ['0', 'SyncHdr', '200'],
      ['3', 'Results', '424'],
    ]);
    // Nothing concluded from the lost Results: the Get goes back to the queue for the next session.
    expect(c.command(id).state).toBe('queued');
    expect(c.effectsOf('command.completed')).toEqual([]);
    expect(r4.session.ended).toBe(true);
    expect(c.finish()).toEqual([]);
  });

  it('sends Alert 1225 with the object’s URI when a new command comes before the last chunk, then handles that command', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    const { getId, id } = start(c);
    c.send(firstChunkMessage(getId));
    const r3 = c.send(
      deviceMessage({ msgID: 3 }, [status('1', '2', '0', 'SyncHdr', '200'), genericAlert('2', [{ type: 'com.example.event', format: 'chr', data: 'x' }])]),
    );
    expect(statusesOf(r3.reply).map((s) => [s.cmdRef, s.cmd, s.data])).toEqual([
      ['0', 'SyncHdr', '200'],
      ['2', 'Alert', '200'],
    ]);
    expect(serverCommands(r3.reply)).toEqual([{ kind: 'Alert', cmdID: '3', data: '1225', items: [{ source: { locURI: BIG } }] }]);
    expect(c.effectsOf('alert.received')).toContainEqual(expect.objectContaining({ alert: '1226', alertType: 'com.example.event' }));
    expect(c.command(id).state).toBe('queued');
    expect(r3.reply.body.final).toBe(true);
    expect(r3.session.ended).toBe(false);
    const r4 = c.send(deviceMessage({ msgID: 4 }, [status('1', '3', '0', 'SyncHdr', '200'), status('2', '3', '3', 'Alert', '200')]));
    expect(r4.session.ended).toBe(true);
    expect(c.finish()).toEqual([]);
  });

  it('abandons the object with 1225 when the device closes its package before the last chunk', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    const { getId, id } = start(c);
    const message = firstChunkMessage(getId);
    const r2 = c.send({ ...message, body: { ...message.body, final: true } });
    expect(serverCommands(r2.reply)).toEqual([{ kind: 'Alert', cmdID: '3', data: '1225', items: [{ source: { locURI: BIG } }] }]);
    expect(r2.notes.map((n) => n.code)).toContain('chunk-abandoned');
    expect(c.command(id).state).toBe('queued');
    // The 1225 needs the device's Status, so the session ends only after it.
    expect(r2.reply.body.final).toBe(true);
    expect(r2.session.ended).toBe(false);
    const r3 = c.send(deviceMessage({ msgID: 3 }, [status('1', '2', '0', 'SyncHdr', '200'), status('2', '2', '3', 'Alert', '200')]));
    expect(r3.session.ended).toBe(true);
    expect(c.finish()).toEqual([]);
  });

  it('refuses an object larger than maxObjectBytes with 413', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN }, engine: { maxObjectBytes: 150 } });
    const { getId, id } = start(c);
    c.send(firstChunkMessage(getId));
    const r3 = c.send(chunkMessage(3, getId, chunks[1] as string, true, false));
    expect(statusesOf(r3.reply).map((s) => s.data)).toEqual(['200', '413']);
    expect(c.session?.data['chunk']).toBeNull();
    // Its Results are lost: the Get goes back to the queue, and not again in this session.
    expect(c.command(id).state).toBe('queued');
    expect(c.session?.data['heldBack']).toEqual([id]);
  });

  it('reassembles a chunked generic alert and stores it whole', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    const first: Alert = alert('4', '1226', [{ source: { locURI: './Vendor/MSFT/Big' }, meta: { type: 'com.example.big', format: 'xml', size: 8 }, data: { kind: 'text', text: '<a>' }, moreData: true }]);
    const r1 = c.send(package1({ final: false, extra: [first] }));
    expect(statusesOf(r1.reply).map((s) => [s.cmdRef, s.data])).toEqual([
      ['0', '200'],
      ['1', '200'],
      ['2', '200'],
      ['3', '200'],
      ['4', '213'],
    ]);
    expect(serverCommands(r1.reply).map((x) => x.kind)).toEqual(['Alert']);
    const last: Alert = alert('2', '1226', [{ source: { locURI: './Vendor/MSFT/Big' }, data: { kind: 'text', text: '1</a>' } }]);
    const r2 = c.send(deviceMessage({ msgID: 2 }, [status('1', '1', '0', 'SyncHdr', '200'), last]));
    expect(statusesOf(r2.reply).map((s) => [s.cmdRef, s.cmd, s.data])).toEqual([
      ['0', 'SyncHdr', '200'],
      ['2', 'Alert', '200'],
    ]);
    expect(c.effectsOf('alert.received').at(-1)).toMatchObject({ alert: '1226', alertType: 'com.example.big', data: '<a>1</a>', source: './Vendor/MSFT/Big' });
    // The device's package 1 is complete now: the plan goes out.
    expect(serverCommands(r2.reply).map((x) => x.kind)).toEqual(['Get', 'Get']);
    expect(c.finish()).toEqual([]);
  });
});

describe('Results bookkeeping', () => {
  it('Results for a finished command are noted and ignored', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    const { r1, getId, id } = start(c);
    const answers = answerReply(r1.reply, answersFrom({ [CHANNEL_PATH]: CHANNEL, [STATUS_PATH]: '0', [BIG]: 'v' }));
    const r2 = c.send(deviceMessage({ msgID: 2, final: false }, answers));
    expect(c.command(id).state).toBe('done');
    const late: Results = results('1', '1', getId, BIG, 'again');
    const r3 = c.send(deviceMessage({ msgID: 3 }, [status('9', '2', '0', 'SyncHdr', '200'), late]));
    expect(r3.notes.map((n) => n.code)).toContain('unknown-results-reference');
    expect(c.command(id).outcome?.results).toEqual([{ source: BIG, data: 'v' }]);
    expect(r2.reply.body.final).toBe(false);
  });
});
