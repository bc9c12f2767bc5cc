/**
 * Delivering the operator's queue: in order, after the push plan; done/failed only on Status (with Results);
 * Atomic/Sequence as one container; 418 fallback to Replace (PROTOCOL.md a.3, a.4, a.5).
 */
import { describe, expect, it } from 'vitest';
import type { SessionOutput } from '../../src/session/engine.js';
import type { Container, ItemCommand } from '../../src/syncml/model.js';
import { answerReply, answersFrom, DEVICE_ID, deviceMessage, package1, results, serverCommands, status, verbsAndTargets } from '../support/syncml-builders.js';
import { CHANNEL, CHANNEL_PATH, Conversation, PFN, STATUS_PATH } from './conversation.js';

const OS_VERSION = './DevDetail/SwV';
const DEVICE_NAME = './DevDetail/Ext/Microsoft/DeviceName';
const POLICY = './Device/Vendor/MSFT/Policy/Config/Camera/AllowCamera';

/** A session past package 1 for a device that already holds the PFN: reply 1 carries the plan + queued commands. */
function woken(c: Conversation): SessionOutput {
  return c.send(package1({ trigger: '1200' }));
}

describe('a woken session (Alert 1200) delivering queued commands', () => {
  it('sends a queued Get and Replace after the plan, stores their Status and Results, and ends', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    const get = c.enqueue({ verb: 'Get', target: OS_VERSION });
    const replace = c.enqueue({ verb: 'Replace', target: DEVICE_NAME, data: 'KIOSK-7', format: 'chr' });
    const r1 = c.send(package1({ trigger: '1200' }));
    expect(r1.session.trigger).toBe('1200');
    expect(r1.effects).toContainEqual({ type: 'session.serverInitiated', deviceId: DEVICE_ID, sessionId: '1', at: c.now });
    expect(verbsAndTargets(r1.reply)).toEqual([
      ['Get', CHANNEL_PATH],
      ['Get', STATUS_PATH],
      ['Get', OS_VERSION],
      ['Replace', DEVICE_NAME],
    ]);
    expect(c.effectsOf('command.sent')).toEqual([
      { type: 'command.sent', commandId: get, sessionId: '1', msgID: '1', cmdID: '7', at: c.now },
      { type: 'command.sent', commandId: replace, sessionId: '1', msgID: '1', cmdID: '8', at: c.now },
    ]);
    const sentReplace = serverCommands(r1.reply)[3] as ItemCommand;
    expect(sentReplace.items).toEqual([{ target: { locURI: DEVICE_NAME }, meta: { format: 'chr' }, data: { kind: 'text', text: 'KIOSK-7' } }]);

    const r2 = c.send(deviceMessage({ msgID: 2 }, answerReply(r1.reply, answersFrom({ [CHANNEL_PATH]: CHANNEL, [STATUS_PATH]: '0', [OS_VERSION]: '10.0.26100.1' }))));
    expect(c.command(get)).toMatchObject({ state: 'done', outcome: { status: '200', results: [{ source: OS_VERSION, data: '10.0.26100.1' }] } });
    expect(c.command(replace)).toMatchObject({ state: 'done', outcome: { status: '200', results: [] } });
    expect(r2.session.ended).toBe(true);
    expect(c.finish()).toEqual([]);
  });

  it('marks a command failed on an error Status', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    const id = c.enqueue({ verb: 'Replace', target: POLICY, data: '0', format: 'int' });
    const r1 = woken(c);
    c.send(deviceMessage({ msgID: 2 }, answerReply(r1.reply, answersFrom({ [CHANNEL_PATH]: CHANNEL, [STATUS_PATH]: '0' }, { [POLICY]: '405' }))));
    expect(c.command(id)).toMatchObject({ state: 'failed', outcome: { status: '405', results: [] } });
  });

  it('keeps Results that arrive before their Status, and a Status that arrives in a later message', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    const id = c.enqueue({ verb: 'Get', target: OS_VERSION });
    const r1 = woken(c);
    const getId = (serverCommands(r1.reply)[2] as ItemCommand).cmdID;
    // Message 2 (not final): plan answers, and the Results of the Get before any Status for it.
    const r2 = c.send(
      deviceMessage({ msgID: 2, final: false }, [
        status('1', '1', '0', 'SyncHdr', '200'),
        status('2', '1', '5', 'Get', '404'),
        status('3', '1', '6', 'Get', '200'),
        results('4', '1', '6', STATUS_PATH, '0'),
        results('5', '1', getId, OS_VERSION, '10.0.22631'),
      ]),
    );
    expect(c.command(id).state).toBe('sent');
    expect(serverCommands(r2.reply)).toEqual([{ kind: 'Alert', cmdID: '2', data: '1222', items: [] }]);
    expect(r2.reply.body.final).toBe(false);
    const r3 = c.send(deviceMessage({ msgID: 3 }, [status('1', '2', '0', 'SyncHdr', '200'), status('2', '2', '2', 'Alert', '200'), status('3', '1', getId, 'Get', '200')]));
    expect(c.command(id)).toMatchObject({ state: 'done', outcome: { status: '200', results: [{ source: OS_VERSION, data: '10.0.22631' }] } });
    expect(r3.session.ended).toBe(true);
    expect(c.finish()).toEqual([]);
  });

  it('matches Results without MsgRef as MsgRef 1 (MS-MDM §2.2.7.8)', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    const id = c.enqueue({ verb: 'Get', target: OS_VERSION });
    const r1 = woken(c);
    const getId = (serverCommands(r1.reply)[2] as ItemCommand).cmdID;
    c.send(
      deviceMessage({ msgID: 2 }, [
        status('1', '1', '0', 'SyncHdr', '200'),
        status('2', '1', '5', 'Get', '404'),
        status('3', '1', '6', 'Get', '404'),
        status('4', undefined, getId, 'Get', '200'),
        results('5', undefined, getId, OS_VERSION, '10.0'),
      ]),
    );
    expect(c.command(id)).toMatchObject({ state: 'done', outcome: { results: [{ data: '10.0' }] } });
  });

  it('does not send a command that expired in the queue', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    c.enqueue({ verb: 'Get', target: OS_VERSION }, { expiresAt: new Date(c.now.getTime() - 1) });
    expect(verbsAndTargets(woken(c).reply).map(([, t]) => t)).not.toContain(OS_VERSION);
  });

  it('puts at most maxOutstanding commands in one package; the rest go in the next package', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN }, engine: { maxOutstanding: 3 } });
    const ids = [1, 2, 3].map((n) => c.enqueue({ verb: 'Get', target: `./DevDetail/Ext/N${n}` }));
    const r1 = woken(c);
    expect(verbsAndTargets(r1.reply).map(([, t]) => t)).toEqual([CHANNEL_PATH, STATUS_PATH, './DevDetail/Ext/N1']);
    const r2 = c.send(deviceMessage({ msgID: 2 }, answerReply(r1.reply, answersFrom({ './DevDetail/Ext/N1': 'a' }))));
    expect(verbsAndTargets(r2.reply).map(([, t]) => t)).toEqual(['./DevDetail/Ext/N2', './DevDetail/Ext/N3']);
    expect(r2.reply.body.final).toBe(true);
    const r3 = c.send(deviceMessage({ msgID: 3 }, answerReply(r2.reply, answersFrom({ './DevDetail/Ext/N2': 'b', './DevDetail/Ext/N3': 'c' }))));
    expect(ids.map((id) => c.command(id).state)).toEqual(['done', 'done', 'done']);
    expect(r3.session.ended).toBe(true);
    expect(c.finish()).toEqual([]);
  });
});

describe('Atomic and Sequence (a.4)', () => {
  const atomic = {
    verb: 'Atomic' as const,
    commands: [
      { verb: 'Replace' as const, target: POLICY, data: '0', format: 'int' },
      { verb: 'Add' as const, target: './Vendor/MSFT/Example/Node', data: 'x' },
    ],
  };

  it('sends the children inside one container with CmdIDs after the container', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    c.enqueue(atomic);
    const sent = serverCommands(woken(c).reply)[2] as Container;
    expect(sent.kind).toBe('Atomic');
    expect([sent.cmdID, ...sent.commands.map((x) => x.cmdID)]).toEqual(['7', '8', '9']);
    expect(sent.commands.map((x) => x.kind)).toEqual(['Replace', 'Add']);
  });

  it('done with every child status when the Atomic succeeds', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    const id = c.enqueue(atomic);
    const r1 = woken(c);
    c.send(deviceMessage({ msgID: 2 }, answerReply(r1.reply, answersFrom({ [CHANNEL_PATH]: CHANNEL, [STATUS_PATH]: '0' }))));
    expect(c.command(id)).toMatchObject({
      state: 'done',
      outcome: { status: '200', results: [], children: [{ status: '200', results: [] }, { status: '200', results: [] }] },
    });
  });

  it('failed with 507 and the children rolled back (216) or failing', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    const id = c.enqueue(atomic);
    const r1 = woken(c);
    c.send(
      deviceMessage({ msgID: 2 }, answerReply(r1.reply, answersFrom({ [CHANNEL_PATH]: CHANNEL, [STATUS_PATH]: '0' }, { Atomic: '507', [POLICY]: '216', './Vendor/MSFT/Example/Node': '418' }))),
    );
    expect(c.command(id)).toMatchObject({ state: 'failed', outcome: { status: '507', children: [{ status: '216' }, { status: '418' }] } });
  });

  it('a Sequence with a Get collects the Results of its child', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    const id = c.enqueue({ verb: 'Sequence', commands: [{ verb: 'Replace', target: DEVICE_NAME, data: 'A' }, { verb: 'Get', target: DEVICE_NAME }] });
    const r1 = woken(c);
    c.send(deviceMessage({ msgID: 2 }, answerReply(r1.reply, answersFrom({ [CHANNEL_PATH]: CHANNEL, [STATUS_PATH]: '0', [DEVICE_NAME]: 'A' }))));
    expect(c.command(id)).toMatchObject({
      state: 'done',
      outcome: { status: '200', children: [{ status: '200' }, { status: '200', results: [{ source: DEVICE_NAME, data: 'A' }] }] },
    });
  });

  it('concludes a container whose children got no Status when the device closes its package', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    const id = c.enqueue(atomic);
    const r1 = woken(c);
    const container = serverCommands(r1.reply)[2] as Container;
    c.send(
      deviceMessage({ msgID: 2 }, [
        status('1', '1', '0', 'SyncHdr', '200'),
        status('2', '1', '5', 'Get', '404'),
        status('3', '1', '6', 'Get', '404'),
        status('4', '1', container.cmdID, 'Atomic', '500'),
      ]),
    );
    expect(c.command(id)).toMatchObject({ state: 'failed', outcome: { status: '500', children: [{ status: '' }, { status: '' }] } });
  });
});

describe('418 on Add with addFallbackToReplace', () => {
  it('respecifies the command as a Replace and sends it again in the next package', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    const node = './Vendor/MSFT/Example/Node';
    const id = c.enqueue({ verb: 'Add', target: node, data: 'v2', format: 'chr' }, { addFallbackToReplace: true });
    const r1 = woken(c);
    const r2 = c.send(deviceMessage({ msgID: 2 }, answerReply(r1.reply, answersFrom({ [CHANNEL_PATH]: CHANNEL, [STATUS_PATH]: '0' }, { [node]: '418' }))));
    expect(r2.effects.filter((e) => e.type.startsWith('command.'))).toEqual([
      { type: 'command.respecified', commandId: id, spec: { verb: 'Replace', target: node, data: 'v2', format: 'chr' }, at: c.now },
      { type: 'command.requeued', commandId: id, at: c.now },
      { type: 'command.sent', commandId: id, sessionId: '1', msgID: '2', cmdID: '2', at: c.now },
    ]);
    expect(verbsAndTargets(r2.reply)).toEqual([['Replace', node]]);
    c.send(deviceMessage({ msgID: 3 }, answerReply(r2.reply, answersFrom({}))));
    expect(c.command(id)).toMatchObject({ state: 'done', attempts: 2, spec: { verb: 'Replace' } });
    expect(c.finish()).toEqual([]);
  });

  it('without the opt-in, 418 fails the Add', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    const node = './Vendor/MSFT/Example/Node';
    const id = c.enqueue({ verb: 'Add', target: node, data: 'v2' });
    const r1 = woken(c);
    c.send(deviceMessage({ msgID: 2 }, answerReply(r1.reply, answersFrom({ [CHANNEL_PATH]: CHANNEL, [STATUS_PATH]: '0' }, { [node]: '418' }))));
    expect(c.command(id)).toMatchObject({ state: 'failed', outcome: { status: '418' } });
  });
});
