import { describe, expect, it } from 'vitest';
import { checkReplyRules, type RuleViolation } from '../../src/transcript/check-reply-rules.js';
import type { Command, SyncML } from '../../src/syncml/model.js';
import {
  CHANNEL_PATH,
  DEVICE,
  SERVER,
  STATUS_PATH,
  alert,
  devInfoReplace,
  get,
  item,
  message,
  results,
  status,
} from './build-syncml.js';

const pkg1 = message({ from: 'device', msgID: '1', commands: [alert('1', '1201'), devInfoReplace('2')] });
const goodReply = (): SyncML =>
  message({
    from: 'server',
    msgID: '1',
    commands: [status('1', '1', '0', 'SyncHdr', '200'), status('2', '1', '1', 'Alert', '200'), status('3', '1', '2', 'Replace', '200'), get('4', CHANNEL_PATH)],
  });

const rules = (v: RuleViolation[]): string[] => v.map((x) => x.rule);

describe('checkReplyRules', () => {
  it('accepts a correct package 2', () => {
    expect(checkReplyRules(pkg1, goodReply(), { expectedMsgID: '1' })).toEqual([]);
  });

  it('checks VerDTD/VerProto, SessionID echo, MsgID sequence and the swapped Target/Source', () => {
    const reply = goodReply();
    reply.header.verProto = 'DM/1.1';
    reply.header.sessionID = '9';
    reply.header.msgID = '2';
    reply.header.target = { locURI: SERVER };
    reply.header.source = { locURI: 'https://elsewhere.test/' };
    const v = checkReplyRules(pkg1, reply, { expectedMsgID: '1' });
    expect(rules(v)).toEqual(['version', 'session-id-echo', 'msgid-sequence', 'target-source-swapped', 'target-source-swapped']);
    expect(v[2]?.message).toBe('SyncHdr/MsgID is 2, expected 1 (server messages are numbered 1, 2, 3… per session)');
  });

  it('compares the server URI without the query string Windows appends', () => {
    const device = message({ from: 'device', msgID: '1', commands: [alert('1', '1201')] });
    device.header.target = { locURI: `${SERVER}?mode=Maintenance&Platform=WoA` };
    const reply = message({ from: 'server', msgID: '1', commands: [status('1', '1', '0', 'SyncHdr', '200'), status('2', '1', '1', 'Alert', '200')] });
    expect(checkReplyRules(device, reply)).toEqual([]);
  });

  it('requires the SyncHdr Status first, with CmdRef 0, the device MsgID and Cmd SyncHdr', () => {
    const reply = goodReply();
    reply.body.commands = [reply.body.commands[1]!, reply.body.commands[0]!, ...reply.body.commands.slice(2)];
    expect(rules(checkReplyRules(pkg1, reply))).toContain('synchdr-status-first');

    const wrongRef = goodReply();
    wrongRef.body.commands[0] = status('1', '3', '0', 'Sync', '200');
    expect(checkReplyRules(pkg1, wrongRef).map((v) => v.message)).toEqual([
      "SyncBody/Status[1]/MsgRef is 3, must be the device's MsgID 1",
      'SyncBody/Status[1]/Cmd is Sync, must be SyncHdr',
    ]);

    const twice = goodReply();
    twice.body.commands.splice(1, 0, status('9', '1', '0', 'SyncHdr', '200'));
    expect(checkReplyRules(pkg1, twice).map((v) => v.message)).toContain('2 Status elements answer the SyncHdr (CmdRef 0); exactly one must');
  });

  it('requires exactly one Status per device command, in order, with the right Cmd', () => {
    const missing = goodReply();
    missing.body.commands.splice(2, 1);
    expect(checkReplyRules(pkg1, missing).map((v) => v.message)).toEqual([
      'no Status for CmdID 2 (device commands 1,2, Status CmdRefs 1)',
    ]);

    const swapped = goodReply();
    swapped.body.commands = [swapped.body.commands[0]!, swapped.body.commands[2]!, swapped.body.commands[1]!, swapped.body.commands[3]!];
    expect(checkReplyRules(pkg1, swapped).map((v) => v.message)).toEqual(['Statuses are out of order (device commands 1,2, Status CmdRefs 2,1)']);

    const doubled = goodReply();
    doubled.body.commands.splice(3, 0, status('7', '1', '2', 'Replace', '200'));
    expect(checkReplyRules(pkg1, doubled).map((v) => v.message)).toEqual([
      'more than one Status for CmdRef 2 (device commands 1,2, Status CmdRefs 1,2,2)',
    ]);

    const wrongCmd = goodReply();
    wrongCmd.body.commands[2] = status('3', '1', '2', 'Add', '200');
    expect(checkReplyRules(pkg1, wrongCmd).map((v) => v.message)).toEqual(['Status for CmdRef 2 has Cmd Add, the command is Replace']);

    const otherMsg = goodReply();
    otherMsg.body.commands[2] = status('3', '4', '2', 'Replace', '200');
    expect(rules(checkReplyRules(pkg1, otherMsg))).toEqual(['status-per-command', 'status-per-command']);
  });

  it('expects a Status for a device container and then for each of its children', () => {
    const atomic = message({
      from: 'device',
      msgID: '1',
      commands: [alert('1', '1201'), { kind: 'Atomic', cmdID: '2', commands: [devInfoReplace('3'), devInfoReplace('4')] }],
    });
    const reply = message({
      from: 'server',
      msgID: '1',
      commands: [status('1', '1', '0', 'SyncHdr', '200'), status('2', '1', '1', 'Alert', '200'), status('3', '1', '2', 'Atomic', '200'), status('4', '1', '3', 'Replace', '200'), status('5', '1', '4', 'Replace', '200')],
    });
    expect(checkReplyRules(atomic, reply)).toEqual([]);
    reply.body.commands.splice(3, 2);
    expect(checkReplyRules(atomic, reply).map((v) => v.message)).toEqual(['no Status for CmdID 3, 4 (device commands 1,2,3,4, Status CmdRefs 1,2)']);
  });

  it('gives no Status to Results or Status, and none to NoResp commands', () => {
    const pkg3 = message({
      from: 'device',
      msgID: '2',
      commands: [status('1', '1', '0', 'SyncHdr', '200'), status('2', '1', '4', 'Get', '200'), results('3', '1', '4', CHANNEL_PATH, 'https://x'), { kind: 'Alert', cmdID: '4', data: '1224', noResp: true, items: [] }],
    });
    const fine = message({ from: 'server', msgID: '2', commands: [status('1', '2', '0', 'SyncHdr', '200')] });
    expect(checkReplyRules(pkg3, fine, { expectedMsgID: '2' })).toEqual([]);

    const bad = message({
      from: 'server',
      msgID: '2',
      commands: [status('1', '2', '0', 'SyncHdr', '200'), status('2', '2', '3', 'Results', '200'), status('3', '2', '4', 'Alert', '200')],
    });
    expect(checkReplyRules(pkg3, bad).map((v) => `${v.rule}: ${v.message}`)).toEqual([
      "no-status-for-results: Status CmdID 2 answers the device's Results CmdID 3; Results and Status get no Status",
      'status-per-command: Status for unknown CmdRef 4 (device commands none, Status CmdRefs 4)',
    ]);
  });

  it('checks CmdIDs: present, not "0", unique across nesting', () => {
    const reply = goodReply();
    reply.body.commands.push(
      { kind: 'Atomic', cmdID: '5', commands: [get('4', STATUS_PATH), { kind: 'Delete', cmdID: '0', items: [item('./a')] }] },
      { kind: 'Exec', cmdID: ' ', items: [item('./b')] },
    );
    expect(checkReplyRules(pkg1, reply).map((v) => v.message)).toEqual([
      'SyncBody/Atomic[1]/Get[1] repeats CmdID 4',
      'SyncBody/Atomic[1]/Delete[1] has CmdID "0"',
      'SyncBody/Exec[1] has no CmdID',
    ]);
  });

  it('requires Final unless a next-message response, a chunk, or a package the device continues with 1222', () => {
    const noFinal = goodReply();
    noFinal.body.final = false;
    expect(rules(checkReplyRules(pkg1, noFinal))).toEqual(['final']);
    const continuation = message({ from: 'device', msgID: '2', commands: [status('1', '1', '0', 'SyncHdr', '200'), alert('2', '1222')], final: false });
    expect(checkReplyRules(pkg1, noFinal, { nextDeviceMessage: continuation })).toEqual([]);

    const chunk = goodReply();
    chunk.body.commands.push({ kind: 'Replace', cmdID: '9', items: [item('./big', 'AAAA', { moreData: true })] });
    expect(rules(checkReplyRules(pkg1, chunk))).toEqual(['final']);
    chunk.body.final = false;
    expect(checkReplyRules(pkg1, chunk)).toEqual([]);
  });

  it('requires the next-message response while the device package is unfinished (large object upload)', () => {
    const chunk1 = message({
      from: 'device',
      msgID: '2',
      final: false,
      commands: [status('1', '1', '0', 'SyncHdr', '200'), { kind: 'Replace', cmdID: '2', items: [item(undefined, 'AAAA', { source: { locURI: './x' }, moreData: true })] } as Command],
    });
    const good = message({ from: 'server', msgID: '2', final: false, commands: [status('1', '2', '0', 'SyncHdr', '200'), status('2', '2', '2', 'Replace', '213'), alert('3', '1222')] });
    expect(checkReplyRules(chunk1, good)).toEqual([]);

    const finalAndCommands = message({ from: 'server', msgID: '2', commands: [status('1', '2', '0', 'SyncHdr', '213'), status('2', '2', '2', 'Replace', '213'), get('3', CHANNEL_PATH)] });
    expect(checkReplyRules(chunk1, finalAndCommands).map((v) => `${v.rule}: ${v.message}`)).toEqual([
      "next-message-response: the device's package is not finished (no Final), so the reply must ask for the next message with Alert 1222",
      'next-message-response: a next-message response carries only Status and Alert 1222, not Get',
    ]);

    const finalOn1222 = message({ from: 'server', msgID: '2', commands: [...good.body.commands] });
    expect(rules(checkReplyRules(chunk1, finalOn1222))).toEqual(['final']);
  });

  it('expects 213 for a Results chunk (MoreData), but no Status for the last chunk', () => {
    const chunked = { kind: 'Results' as const, cmdID: '3', msgRef: '1', cmdRef: '6', items: [item(undefined, 'AAAA', { source: { locURI: './big' }, moreData: true })] };
    const dev = message({ from: 'device', msgID: '2', final: false, commands: [status('1', '1', '0', 'SyncHdr', '200'), status('2', '1', '6', 'Get', '200'), chunked] });
    const good = message({ from: 'server', msgID: '2', final: false, commands: [status('1', '2', '0', 'SyncHdr', '200'), status('2', '2', '3', 'Results', '213'), alert('3', '1222')] });
    expect(checkReplyRules(dev, good)).toEqual([]);
    const none = message({ from: 'server', msgID: '2', final: false, commands: [status('1', '2', '0', 'SyncHdr', '200'), alert('3', '1222')] });
    expect(checkReplyRules(dev, none).map((v) => v.message)).toEqual(['no Status for CmdID 3 (device commands 3, Status CmdRefs none)']);
    const last = message({ from: 'device', msgID: '3', commands: [{ ...chunked, items: [item(undefined, 'BB', { source: { locURI: './big' } })] }] });
    const lastReply = message({ from: 'server', msgID: '3', commands: [status('1', '3', '0', 'SyncHdr', '200')] });
    expect(checkReplyRules(last, lastReply)).toEqual([]);
    // a size mismatch on the last chunk is answered 424 (a.6), the one Status a finished Results may get
    const mismatch = message({ from: 'server', msgID: '3', commands: [status('1', '3', '0', 'SyncHdr', '200'), status('2', '3', '3', 'Results', '424')] });
    expect(checkReplyRules(last, mismatch)).toEqual([]);
    const other = message({ from: 'server', msgID: '3', commands: [status('1', '3', '0', 'SyncHdr', '200'), status('2', '3', '3', 'Results', '200')] });
    expect(rules(checkReplyRules(last, other))).toEqual(['no-status-for-results']);
  });

  it('requires a Status-only reply to an abort (1223)', () => {
    const abort = message({ from: 'device', msgID: '2', commands: [status('1', '1', '0', 'SyncHdr', '200'), alert('2', '1223')] });
    const fine = message({ from: 'server', msgID: '2', commands: [status('1', '2', '0', 'SyncHdr', '200'), status('2', '2', '2', 'Alert', '200')] });
    expect(checkReplyRules(abort, fine)).toEqual([]);
    const more = message({ from: 'server', msgID: '2', commands: [...fine.body.commands, get('3', CHANNEL_PATH)] });
    expect(checkReplyRules(abort, more).map((v) => v.message)).toEqual([
      'the device aborted the session (Alert 1223); the reply must carry Status only, not Get',
    ]);
  });

  it('skips the rules a transcript says do not apply', () => {
    const reply = goodReply();
    reply.header.msgID = '5';
    reply.body.final = false;
    expect(checkReplyRules(pkg1, reply, { expectedMsgID: '1', skip: ['msgid-sequence', 'final'] })).toEqual([]);
  });

  it('uses the device id from the device message', () => {
    expect(goodReply().header.target.locURI).toBe(DEVICE);
  });
});
