/**
 * The DMClient push plan in every session (PROTOCOL.md d.1, f; DESIGN.md): PFN when the device lacks it, ChannelURI and
 * Push/Status always; their answers become push.* effects.
 */
import { describe, expect, it } from 'vitest';
import { pushStatusMeaning } from '../../src/csp/push-status-meaning.js';
import { answerReply, answersFrom, DEV_INFO, DEVICE_ID, deviceMessage, package1, statusesOf, verbsAndTargets } from '../support/syncml-builders.js';
import { CHANNEL, CHANNEL_PATH, Conversation, PFN, PFN_PATH, STATUS_PATH } from './conversation.js';

describe('first check-in (Alert 1201 + DevInfo)', () => {
  it('answers package 1 in order, provisions the PFN and reads ChannelURI and Push/Status, then ends the session', () => {
    const c = new Conversation({ device: null });
    const r1 = c.send(package1());

    // a.2: SessionID echoed, Target/Source swapped, server MsgID 1.
    expect(r1.reply.header).toMatchObject({ verDTD: '1.2', verProto: 'DM/1.2', sessionID: '1', msgID: '1', target: { locURI: DEVICE_ID } });
    // a.3: Status for SyncHdr first, then one per command in order.
    expect(statusesOf(r1.reply).map((s) => [s.cmdID, s.msgRef, s.cmdRef, s.cmd, s.data])).toEqual([
      ['1', '1', '0', 'SyncHdr', '200'],
      ['2', '1', '1', 'Alert', '200'],
      ['3', '1', '2', 'Alert', '200'],
      ['4', '1', '3', 'Replace', '200'],
    ]);
    // d.1: the push plan as separate commands, after the Statuses, CmdIDs continuing.
    expect(verbsAndTargets(r1.reply)).toEqual([
      ['Replace', PFN_PATH],
      ['Get', CHANNEL_PATH],
      ['Get', STATUS_PATH],
    ]);
    expect(r1.reply.body.commands.map((cmd) => cmd.cmdID)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    const pfnReplace = r1.reply.body.commands[4];
    expect(pfnReplace).toMatchObject({ kind: 'Replace', items: [{ meta: { format: 'chr' }, data: { kind: 'text', text: PFN } }] });
    expect(r1.reply.body.final).toBe(true);
    expect(r1.session.ended).toBe(false);
    expect(r1.session.trigger).toBe('1201');
    expect(r1.effects[0]).toEqual({ type: 'device.seen', deviceId: DEVICE_ID, at: c.now, devInfo: DEV_INFO });
    expect(c.effectsOf('alert.received')).toEqual([
      expect.objectContaining({ alert: '1224', alertType: 'com.microsoft/MDM/LoginStatus', format: 'chr', data: 'user' }),
    ]);

    const r2 = c.send(deviceMessage({ msgID: 2 }, answerReply(r1.reply, answersFrom({ [CHANNEL_PATH]: CHANNEL, [STATUS_PATH]: '0' }))));
    expect(r2.effects.map((e) => e.type)).toEqual(['push.pfnProvisioned', 'push.channelReported', 'push.statusReported']);
    expect(c.device?.provisionedPfn).toBe(PFN);
    expect(c.channel).toBe(CHANNEL);
    expect(c.pushStatus).toBe(0);
    // OMA-DMPRO §8: nothing more to send → Status for the SyncHdr only (never for Status/Results) + Final; session ends.
    expect(r2.reply.header.msgID).toBe('2');
    expect(r2.reply.body.commands).toEqual([{ kind: 'Status', cmdID: '1', msgRef: '2', cmdRef: '0', cmd: 'SyncHdr', data: '200', items: [] }]);
    expect(r2.reply.body.final).toBe(true);
    expect(r2.session.ended).toBe(true);
    expect(c.finish()).toEqual([]);
  });

  it('sends no PFN when the provider has none', () => {
    const c = new Conversation({ pfn: null });
    expect(verbsAndTargets(c.send(package1()).reply)).toEqual([
      ['Get', CHANNEL_PATH],
      ['Get', STATUS_PATH],
    ]);
  });
});

describe('later check-ins', () => {
  it('does not resend a PFN the device holds, but reads ChannelURI and Status again', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    const r1 = c.send(package1({ sessionID: '7' }));
    expect(verbsAndTargets(r1.reply)).toEqual([
      ['Get', CHANNEL_PATH],
      ['Get', STATUS_PATH],
    ]);
    c.send(deviceMessage({ msgID: 2, sessionID: '7' }, answerReply(r1.reply, answersFrom({ [CHANNEL_PATH]: CHANNEL, [STATUS_PATH]: '0' }))));
    expect(c.effectsOf('push.pfnProvisioned')).toEqual([]);
    expect(c.channel).toBe(CHANNEL);
    expect(c.finish()).toEqual([]);
  });

  it('sends the new PFN to every device after the provider changes it', () => {
    const c = new Conversation({ device: { provisionedPfn: 'Old.PFN_123' } });
    const r1 = c.send(package1());
    expect(verbsAndTargets(r1.reply)[0]).toEqual(['Replace', PFN_PATH]);
  });

  it('reports a renewed ChannelURI (the device renews after 15 days and checks in, f)', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    const renewed = 'https://db5p.notify.windows.com/?token=NEW';
    const r1 = c.send(package1({ sessionID: '20' }));
    c.send(deviceMessage({ msgID: 2, sessionID: '20' }, answerReply(r1.reply, answersFrom({ [CHANNEL_PATH]: renewed, [STATUS_PATH]: '0' }))));
    expect(c.effectsOf('push.channelReported')).toEqual([{ type: 'push.channelReported', deviceId: DEVICE_ID, channelUri: renewed, at: c.now }]);
  });

  it('reports a null ChannelURI when the Get answers 404 or an empty value', () => {
    for (const answers of [answersFrom({ [STATUS_PATH]: '4' }), answersFrom({ [CHANNEL_PATH]: '', [STATUS_PATH]: '4' })]) {
      const c = new Conversation({ device: { provisionedPfn: PFN } });
      const r1 = c.send(package1());
      c.send(deviceMessage({ msgID: 2 }, answerReply(r1.reply, answers)));
      expect(c.effectsOf('push.channelReported').map((e) => e.channelUri)).toEqual([null]);
      expect(c.pushStatus).toBe(4);
    }
  });

  it.each([0, 1, 2, 3, 4, 5, 6, 7, 8])('stores Push/Status %i with its documented meaning', (value) => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    const r1 = c.send(package1());
    c.send(deviceMessage({ msgID: 2 }, answerReply(r1.reply, answersFrom({ [CHANNEL_PATH]: CHANNEL, [STATUS_PATH]: String(value) }))));
    expect(c.effectsOf('push.statusReported')).toEqual([{ type: 'push.statusReported', deviceId: DEVICE_ID, pushStatus: value, at: c.now }]);
    expect(pushStatusMeaning(value)).not.toMatch(/not documented/);
  });

  it('notes an unreadable Push/Status instead of storing it', () => {
    const c = new Conversation({ device: { provisionedPfn: PFN } });
    const r1 = c.send(package1());
    const r2 = c.send(deviceMessage({ msgID: 2 }, answerReply(r1.reply, answersFrom({ [CHANNEL_PATH]: CHANNEL, [STATUS_PATH]: 'n/a' }))));
    expect(c.effectsOf('push.statusReported')).toEqual([]);
    expect(r2.notes.map((n) => n.code)).toContain('push-inconclusive');
  });
});

describe('PFN fallback (d.1: Replace on a missing node errors)', () => {
  it('404 on Replace → Add in the next package → 200 provisions', () => {
    const c = new Conversation();
    const r1 = c.send(package1());
    const r2 = c.send(deviceMessage({ msgID: 2 }, answerReply(r1.reply, answersFrom({ [CHANNEL_PATH]: CHANNEL, [STATUS_PATH]: '0' }, { [PFN_PATH]: '404' }))));
    expect(verbsAndTargets(r2.reply)).toEqual([['Add', PFN_PATH]]);
    expect(r2.reply.body.final).toBe(true);
    expect(r2.session.ended).toBe(false);
    const r3 = c.send(deviceMessage({ msgID: 3 }, answerReply(r2.reply, answersFrom({}))));
    expect(r3.effects).toEqual([{ type: 'push.pfnProvisioned', deviceId: DEVICE_ID, pfn: PFN, at: c.now }]);
    expect(r3.session.ended).toBe(true);
    expect(c.finish()).toEqual([]);
  });

  it('418 on the Add → Replace once more; a third failure rejects the PFN', () => {
    const c = new Conversation();
    const r1 = c.send(package1());
    const r2 = c.send(deviceMessage({ msgID: 2 }, answerReply(r1.reply, answersFrom({ [CHANNEL_PATH]: CHANNEL, [STATUS_PATH]: '0' }, { [PFN_PATH]: '404' }))));
    const r3 = c.send(deviceMessage({ msgID: 3 }, answerReply(r2.reply, answersFrom({}, { [PFN_PATH]: '418' }))));
    expect(verbsAndTargets(r3.reply)).toEqual([['Replace', PFN_PATH]]);
    const r4 = c.send(deviceMessage({ msgID: 4 }, answerReply(r3.reply, answersFrom({}, { [PFN_PATH]: '500' }))));
    expect(r4.effects).toEqual([{ type: 'push.pfnRejected', deviceId: DEVICE_ID, pfn: PFN, status: '500', at: c.now }]);
    expect(r4.session.ended).toBe(true);
    expect(c.finish()).toEqual([]);
  });
});
