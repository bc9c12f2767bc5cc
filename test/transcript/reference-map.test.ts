import { describe, expect, it } from 'vitest';
import { describeCommand, matchCommands } from '../../src/transcript/match-commands.js';
import { ReferenceMap } from '../../src/transcript/reference-map.js';
import { checkCommandPatterns } from '../../src/transcript/check-command-patterns.js';
import { CHANNEL_PATH, PFN_PATH, STATUS_PATH, alert, get, item, message, replace, results, status } from './build-syncml.js';

const recorded = message({
  from: 'server',
  msgID: '1',
  commands: [status('1', '1', '0', 'SyncHdr', '200'), replace('2', PFN_PATH, 'P'), get('3', CHANNEL_PATH), get('4', STATUS_PATH)],
});
// The gateway chose another order and numbering.
const actual = message({
  from: 'server',
  msgID: '1',
  commands: [status('1', '1', '0', 'SyncHdr', '200'), get('5', STATUS_PATH), get('6', CHANNEL_PATH), replace('7', PFN_PATH, 'P')],
});

describe('matchCommands', () => {
  it('pairs by verb, target and data, ignoring order and CmdIDs', () => {
    const m = matchCommands(recorded.body.commands, actual.body.commands);
    expect(m.pairs.map((p) => [p.recorded.cmdID, p.actual.cmdID, p.exact])).toEqual([
      ['2', '7', true],
      ['3', '6', true],
      ['4', '5', true],
    ]);
    expect(m.missing).toEqual([]);
    expect(m.unexpected).toEqual([]);
  });

  it('pairs inexactly when only the data differs, and lists what is missing or extra', () => {
    const other = message({ from: 'server', msgID: '1', commands: [replace('2', PFN_PATH, 'Q'), get('3', './DevDetail/FwV')] });
    const m = matchCommands(recorded.body.commands, other.body.commands);
    expect(m.pairs.map((p) => [p.recorded.cmdID, p.actual.cmdID, p.exact])).toEqual([['2', '2', false]]);
    expect(m.missing.map(describeCommand)).toEqual([`Get ${CHANNEL_PATH}`, `Get ${STATUS_PATH}`]);
    expect(m.unexpected.map(describeCommand)).toEqual(['Get ./DevDetail/FwV']);
  });

  it('matches * in recorded targets and data, and Atomic children in order', () => {
    const wild = [replace('2', PFN_PATH, '*'), { kind: 'Atomic' as const, cmdID: '3', commands: [replace('4', './a', '1'), get('5', '*')] }];
    const got = [{ kind: 'Atomic' as const, cmdID: '8', commands: [replace('9', './a', '1'), get('10', './b')] }, replace('11', PFN_PATH, 'anything')];
    const m = matchCommands(wild, got);
    expect(m.pairs.every((p) => p.exact)).toBe(true);
    expect(m.pairs).toHaveLength(2);
    expect(describeCommand(got[0]!)).toBe('Atomic [Replace ./a = "1"; Get ./b]');
  });
});

describe('ReferenceMap', () => {
  const pkg3 = message({
    from: 'device',
    msgID: '2',
    commands: [
      status('1', '1', '0', 'SyncHdr', '200'),
      status('2', '1', '2', 'Replace', '200'),
      status('3', '1', '3', 'Get', '200'),
      results('4', '1', '3', CHANNEL_PATH, 'https://db5.notify.windows.com/?token=AAA'),
      status('5', '1', '4', 'Get', '200'),
      results('6', '1', '4', STATUS_PATH, '0'),
    ],
  });

  it('rewrites the device references to the gateway numbering', () => {
    const map = new ReferenceMap();
    map.learn(recorded, actual);
    const r = map.rewrite(pkg3);
    expect(r.changed).toBe(true);
    expect(r.dropped).toEqual([]);
    expect(r.unknown).toEqual([]);
    expect(r.message.body.commands.map((c) => (c.kind === 'Status' || c.kind === 'Results' ? `${c.kind}:${c.msgRef}/${c.cmdRef}` : c.kind))).toEqual([
      'Status:1/0',
      'Status:1/7',
      'Status:1/6',
      'Results:1/6',
      'Status:1/5',
      'Results:1/5',
    ]);
    expect(pkg3.body.commands[1]).toMatchObject({ cmdRef: '2' }); // the recorded message is not modified
  });

  it('leaves identical numbering alone and maps server MsgIDs for the SyncHdr Status', () => {
    const map = new ReferenceMap();
    map.learn(recorded, recorded);
    expect(map.rewrite(pkg3).changed).toBe(false);

    const shifted = { ...actual, header: { ...actual.header, msgID: '3' } };
    const map2 = new ReferenceMap();
    map2.learn(recorded, shifted);
    const first = map2.rewrite(pkg3).message.body.commands[0];
    expect(first).toMatchObject({ kind: 'Status', msgRef: '3', cmdRef: '0' });
  });

  it('drops answers to recorded commands the gateway never sent, keeps unknown references, forgets on reset', () => {
    const map = new ReferenceMap();
    const partial = message({ from: 'server', msgID: '1', commands: [status('1', '1', '0', 'SyncHdr', '200'), get('2', CHANNEL_PATH)] });
    map.learn(recorded, partial);
    const stray = message({ from: 'device', msgID: '2', commands: [...pkg3.body.commands, status('7', '1', '99', 'Get', '200')] });
    const r = map.rewrite(stray);
    // recorded Replace (1/2) and Get Status (1/4) were not sent: their Status/Results go; Get ChannelURI 1/3 → 1/2
    expect(r.dropped).toEqual(['1/2', '1/4']);
    expect(r.unknown).toEqual(['1/99']);
    expect(r.message.body.commands.map((c) => (c.kind === 'Status' || c.kind === 'Results' ? `${c.kind}:${c.cmdRef}` : c.kind))).toEqual([
      'Status:0',
      'Status:2',
      'Results:2',
      'Status:99',
    ]);
    map.reset();
    expect(map.rewrite(pkg3).changed).toBe(false);
  });

  it('maps Atomic children', () => {
    const rec = message({ from: 'server', msgID: '2', commands: [{ kind: 'Atomic', cmdID: '2', commands: [replace('3', './a', '1'), replace('4', './b', '2')] }] });
    const act = message({ from: 'server', msgID: '2', commands: [{ kind: 'Atomic', cmdID: '5', commands: [replace('6', './a', '1'), replace('7', './b', '2')] }] });
    const map = new ReferenceMap();
    map.learn(rec, act);
    const dev = message({ from: 'device', msgID: '3', commands: [status('1', '2', '2', 'Atomic', '507'), status('2', '2', '3', 'Replace', '216'), status('3', '2', '4', 'Replace', '500')] });
    expect(map.rewrite(dev).message.body.commands.map((c) => (c.kind === 'Status' ? c.cmdRef : ''))).toEqual(['5', '6', '7']);
  });
});

describe('checkCommandPatterns', () => {
  it('finds commands by verb, target and data anywhere in the reply', () => {
    const reply = message({
      from: 'server',
      msgID: '1',
      commands: [status('1', '1', '0', 'SyncHdr', '200'), alert('2', '1222'), { kind: 'Sequence', cmdID: '3', commands: [replace('4', PFN_PATH, 'P')] }, get('5', CHANNEL_PATH)],
    });
    expect(checkCommandPatterns(reply, [{ verb: 'Replace', target: PFN_PATH, data: 'P' }, { verb: 'Alert', data: '1222' }, { verb: 'Get', target: '*' }, { verb: 'Status', data: '200' }], [{ verb: 'Exec' }, { verb: 'Get', target: STATUS_PATH }])).toEqual([]);
    expect(checkCommandPatterns(reply, [{ verb: 'Get', target: STATUS_PATH }], [{ verb: 'Replace', target: PFN_PATH }])).toEqual([
      `reply lacks Get ${STATUS_PATH}`,
      `reply carries Replace ${PFN_PATH}, which it must not`,
    ]);
    const exec = message({ from: 'server', msgID: '1', commands: [{ kind: 'Exec', cmdID: '2', items: [item('./x', 'y')] }] });
    expect(checkCommandPatterns(exec, [{ verb: 'Exec', target: './x', data: 'z' }])).toEqual(['reply lacks Exec ./x = "z"']);
  });
});
