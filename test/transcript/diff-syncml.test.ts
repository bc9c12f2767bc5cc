import { describe, expect, it } from 'vitest';
import { canonicalSyncML } from '../../src/transcript/canonical-syncml.js';
import { diffSyncML, formatDifference } from '../../src/transcript/diff-syncml.js';
import type { SyncML } from '../../src/syncml/model.js';
import { CHANNEL_PATH, PFN_PATH, STATUS_PATH, alert, get, item, message, replace, status } from './build-syncml.js';

function serverReply(overrides: { statuses?: string[]; msgID?: string } = {}): SyncML {
  const [hdr = '200', alertStatus = '200', devInfo = '200'] = overrides.statuses ?? [];
  return message({
    from: 'server',
    msgID: overrides.msgID ?? '1',
    commands: [
      status('1', '1', '0', 'SyncHdr', hdr),
      status('2', '1', '2', 'Alert', alertStatus),
      status('3', '1', '3', 'Replace', devInfo),
      replace('4', PFN_PATH, 'Contoso.MDM_8wekyb3d8bbwe'),
      get('5', CHANNEL_PATH),
      get('6', STATUS_PATH),
    ],
  });
}

describe('canonicalSyncML', () => {
  it('builds the element tree in DTD order', () => {
    const tree = canonicalSyncML(serverReply());
    expect(tree.children.map((c) => c.name)).toEqual(['SyncHdr', 'SyncBody']);
    expect(tree.children[0]?.children.map((c) => c.name)).toEqual(['VerDTD', 'VerProto', 'SessionID', 'MsgID', 'Target', 'Source']);
    expect(tree.children[1]?.children.map((c) => c.name)).toEqual(['Status', 'Status', 'Status', 'Replace', 'Get', 'Get', 'Final']);
    expect(tree.children[1]?.children[3]?.children.map((c) => c.name)).toEqual(['CmdID', 'Item']);
  });

  it('trims text and compacts embedded XML', () => {
    const a = message({ from: 'server', msgID: '1', commands: [{ kind: 'Exec', cmdID: '2', items: [item('./x', '  spaced  ')] }] });
    const b = message({
      from: 'server',
      msgID: '1',
      commands: [{ kind: 'Exec', cmdID: '2', items: [{ target: { locURI: './x' }, data: { kind: 'xml', xml: '\n <a>\n  <b>1</b>\n </a>\n' } }] }],
    });
    const c = message({
      from: 'server',
      msgID: '1',
      commands: [{ kind: 'Exec', cmdID: '2', items: [{ target: { locURI: './x' }, data: { kind: 'xml', xml: '<a><b>1</b></a>' } }] }],
    });
    expect(diffSyncML(a, message({ from: 'server', msgID: '1', commands: [{ kind: 'Exec', cmdID: '2', items: [item('./x', 'spaced')] }] }))).toEqual([]);
    expect(diffSyncML(b, c)).toEqual([]);
  });
});

describe('diffSyncML', () => {
  it('finds nothing between equal messages', () => {
    expect(diffSyncML(serverReply(), serverReply())).toEqual([]);
  });

  it('names the element path of a changed value', () => {
    const diffs = diffSyncML(serverReply(), serverReply({ statuses: ['200', '200', '404'] }));
    expect(diffs).toEqual([{ path: 'SyncBody/Status[3]/Data', expected: '200', actual: '404' }]);
    expect(formatDifference(4, diffs[0]!)).toBe('message 4 (server), SyncBody/Status[3]/Data: expected 200, got 404');
  });

  it('lets * in the recorded message match any text, but not a missing element', () => {
    const recorded = serverReply({ msgID: '*' });
    expect(diffSyncML(recorded, serverReply({ msgID: '7' }))).toEqual([]);
    const withWild = message({ from: 'server', msgID: '1', commands: [get('*', CHANNEL_PATH)] });
    expect(diffSyncML(withWild, message({ from: 'server', msgID: '1', commands: [get('12', CHANNEL_PATH)] }))).toEqual([]);
    const noCmdRef = message({ from: 'server', msgID: '1', commands: [{ kind: 'Status', cmdID: '1', cmdRef: '0', cmd: 'SyncHdr', data: '*', items: [] }] });
    const got = message({ from: 'server', msgID: '1', commands: [{ kind: 'Status', cmdID: '1', cmdRef: '0', cmd: 'SyncHdr', data: '200', items: [], msgRef: '1' }] });
    // MsgRef present only in the reply: an unexpected element, even though everything else matches
    expect(diffSyncML(noCmdRef, got)).toEqual([{ path: 'SyncBody/Status[1]/MsgRef', expected: 'nothing', actual: '<MsgRef> 1' }]);
  });

  it('reports missing and unexpected commands with a summary', () => {
    const expected = serverReply();
    const actual = serverReply();
    actual.body.commands.splice(3, 1); // no Replace PFN
    actual.body.commands.push({ kind: 'Exec', cmdID: '9', items: [item('./Vendor/MSFT/Reboot/RebootNow')] });
    const lines = diffSyncML(expected, actual).map((d) => formatDifference(2, d));
    expect(lines).toContain(`message 2 (server), SyncBody/Replace[1]: expected <Replace CmdID=4 Target=${PFN_PATH}>, missing`);
    expect(lines).toContain('message 2 (server), SyncBody/Exec[1]: unexpected <Exec CmdID=9 Target=./Vendor/MSFT/Reboot/RebootNow>');
  });

  it('reports a reordering as an order difference and the values it moves', () => {
    const expected = message({ from: 'server', msgID: '1', commands: [get('2', CHANNEL_PATH), replace('3', PFN_PATH, 'p')] });
    const actual = message({ from: 'server', msgID: '1', commands: [replace('3', PFN_PATH, 'p'), get('2', CHANNEL_PATH)] });
    expect(diffSyncML(expected, actual)).toEqual([{ path: 'SyncBody', expected: 'order [Get, Replace, Final]', actual: '[Replace, Get, Final]' }]);
    // two Gets swapped: same names, so the moved values show
    const gets = (a: string, b: string): SyncML => message({ from: 'server', msgID: '1', commands: [get('2', a), get('3', b)] });
    expect(diffSyncML(gets(CHANNEL_PATH, STATUS_PATH), gets(STATUS_PATH, CHANNEL_PATH)).map((d) => d.path)).toEqual([
      'SyncBody/Get[1]/Item[1]/Target/LocURI',
      'SyncBody/Get[2]/Item[1]/Target/LocURI',
    ]);
  });

  it('compares flags, Meta and header fields', () => {
    const expected = serverReply();
    const actual = serverReply();
    actual.body.final = false;
    actual.header.meta = { maxMsgSize: 4096 };
    const cmd = actual.body.commands[3];
    if (cmd?.kind === 'Replace') cmd.items[0]!.meta = { format: 'int' };
    expect(diffSyncML(expected, actual)).toEqual([
      { path: 'SyncHdr/Meta', expected: 'nothing', actual: '<Meta>' },
      { path: 'SyncBody/Replace[1]/Item[1]/Meta/Format', expected: 'chr', actual: 'int' },
      { path: 'SyncBody/Final', expected: '<Final>', actual: 'nothing' },
    ]);
  });

  it('descends into Atomic and quotes values with spaces', () => {
    const atomic = (data: string): SyncML =>
      message({ from: 'server', msgID: '1', commands: [{ kind: 'Atomic', cmdID: '2', commands: [replace('3', './a', data), alert('4', '1222')] }] });
    expect(diffSyncML(atomic('x y'), atomic('x z')).map((d) => formatDifference(3, d))).toEqual([
      'message 3 (server), SyncBody/Atomic[1]/Replace[1]/Item[1]/Data: expected "x y", got "x z"',
    ]);
  });
});
