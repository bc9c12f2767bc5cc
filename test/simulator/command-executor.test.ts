import { describe, expect, it } from 'vitest';
import type { Command, Results, Status, SyncML } from '../../src/syncml/model.js';
import { executeServerMessage, type ExecutorHost } from '../support/simulator/command-executor.js';
import { buildDeviceTree, pushPaths, type DeviceProfile } from '../support/simulator/device-tree.js';
import { add, alert, atomic, del, exec, get, replace, sequence, serverMessage } from '../support/simulator/scripted-server.js';

const profile: DeviceProfile = {
  deviceId: 'DEV-1',
  providerId: 'omadm-gateway',
  manufacturer: 'Contoso',
  model: 'Sim',
  dmVersion: '1.3',
  language: 'en-US',
  swVersion: '10.0.22631.4317',
  deviceName: 'SIM-1',
  pfnMode: 'replace-creates',
  largeObjectBytes: 10,
};
const push = pushPaths('omadm-gateway');
const camera = './Vendor/MSFT/Policy/Config/Camera/AllowCamera';

const deviceMsg: SyncML = {
  header: { verDTD: '1.2', verProto: 'DM/1.2', sessionID: '1', msgID: '1', target: { locURI: 'https://srv' }, source: { locURI: 'DEV-1' } },
  body: { commands: [], final: true },
};

function host(overrides: Partial<ExecutorHost> = {}): ExecutorHost & { execs: string[] } {
  const execs: string[] = [];
  return {
    tree: buildDeviceTree(profile),
    runExec: (uri) => {
      execs.push(uri);
      return { status: '200' };
    },
    afterCommand: async () => undefined,
    sequenceOnError: 'continue',
    execs,
    ...overrides,
  };
}

async function run(commands: Command[], h = host()) {
  const msg = serverMessage(deviceMsg, 1, { commands });
  const ex = await executeServerMessage(msg, h);
  const statuses = ex.replies.filter((c): c is Status => c.kind === 'Status');
  return { msg, ex, h, statuses, codes: statuses.map((s) => `${s.cmd}:${s.data}`) };
}

describe('command executor', () => {
  it('answers each command with one Status in order, and Results after a successful Get', async () => {
    const { ex, msg, codes } = await run([get('./DevInfo/Man'), replace(camera, '0', 'int'), get('./Nope/Here'), add(camera, '1', 'int'), del('./DevInfo/Man')]);
    // serverMessage put the SyncHdr Status of the device message first: it gets no Status back.
    expect(codes).toEqual(['Get:200', 'Replace:200', 'Get:404', 'Add:418', 'Delete:405']);
    const getCmd = msg.body.commands[1]!;
    expect(ex.replies[0]).toMatchObject({ kind: 'Status', msgRef: '1', cmdRef: getCmd.kind === 'Unknown' ? '' : getCmd.cmdID, cmd: 'Get' });
    const results = ex.replies[1] as Results;
    expect(results).toMatchObject({ kind: 'Results', msgRef: '1', cmdRef: (getCmd as { cmdID: string }).cmdID });
    expect(results.items).toEqual([{ source: { locURI: './DevInfo/Man' }, meta: { format: 'chr', type: 'text/plain' }, data: { kind: 'text', text: 'Contoso' } }]);
    expect(ex.replies.filter((c) => c.kind === 'Results')).toHaveLength(1);
  });

  it('uses per-item Statuses with TargetRef only when the items differ', async () => {
    const { statuses, ex } = await run([get('./DevInfo/Man', './DevInfo/Nope', './DevInfo/Mod')]);
    expect(statuses.map((s) => [s.data, s.targetRef])).toEqual([
      ['200', ['./DevInfo/Man']],
      ['404', ['./DevInfo/Nope']],
      ['200', ['./DevInfo/Mod']],
    ]);
    const results = ex.replies.find((c): c is Results => c.kind === 'Results')!;
    expect(results.items.map((i) => i.source?.locURI)).toEqual(['./DevInfo/Man', './DevInfo/Mod']);
    const same = await run([get('./DevInfo/Man', './DevInfo/Mod')]);
    expect(same.statuses).toHaveLength(1);
    expect(same.statuses[0]!.targetRef).toBeUndefined();
  });

  it('returns ChannelURI with no Data while no PFN is set, and Push/Status 4', async () => {
    const { ex } = await run([get(push.channelUri, push.status)]);
    const results = ex.replies.find((c): c is Results => c.kind === 'Results')!;
    expect(results.items[0]).toEqual({ source: { locURI: push.channelUri }, meta: { format: 'chr', type: 'text/plain' } });
    expect(results.items[1]!.data).toEqual({ kind: 'text', text: '4' });
    expect(results.items[1]!.meta?.format).toBe('int');
  });

  it('Atomic success applies every child: 200 for the Atomic and each child', async () => {
    const h = host();
    const { codes } = await run([atomic(replace(camera, '0', 'int'), add('./Vendor/MSFT/Policy/Config/A/B', '1', 'int'))], h);
    expect(codes).toEqual(['Atomic:200', 'Replace:200', 'Add:200']);
    expect(h.tree.read(camera)).toBe('0');
    expect(h.tree.read('./Vendor/MSFT/Policy/Config/A/B')).toBe('1');
  });

  it('Atomic failure rolls everything back: 507, the failing child keeps its code, the others 216', async () => {
    const h = host();
    const { codes, ex } = await run([atomic(replace(camera, '0', 'int'), add('./Vendor/MSFT/Policy/Config/A/B', '1', 'int'), replace('./DevInfo/Man', 'x'), del('./Vendor/MSFT/Policy/Config/Update'))], h);
    expect(codes).toEqual(['Atomic:507', 'Replace:216', 'Add:216', 'Replace:405', 'Delete:216']);
    expect(h.tree.read(camera)).toBe('1');
    expect(h.tree.exists('./Vendor/MSFT/Policy/Config/A')).toBe(false);
    expect(h.tree.exists('./Vendor/MSFT/Policy/Config/Update/ActiveHoursStart')).toBe(true);
    expect(ex.executed.filter((e) => e.parentCmdID).map((e) => e.status)).toEqual(['216', '216', '405', '216']);
  });

  it('Get or a nested Atomic inside an Atomic → 500 and the Atomic fails (OMA-SUP)', async () => {
    expect((await run([atomic(replace(camera, '0', 'int'), get('./DevInfo/Man'))])).codes).toEqual(['Atomic:507', 'Replace:216', 'Get:500']);
    expect((await run([atomic(atomic(replace(camera, '0', 'int')))])).codes).toEqual(['Atomic:507', 'Atomic:500']);
  });

  it('Add then Replace of the same node inside one Atomic → 500', async () => {
    const { codes } = await run([atomic(add('./Vendor/MSFT/Policy/Config/A/B', '1', 'int'), replace('./Vendor/MSFT/Policy/Config/A/B', '2', 'int'))]);
    expect(codes).toEqual(['Atomic:507', 'Add:216', 'Replace:500']);
  });

  it('Sequence runs children in order and goes on after a failure by default', async () => {
    const h = host();
    const { codes, ex } = await run([sequence(replace(camera, '0', 'int'), get('./Nope'), get(camera))], h);
    expect(codes).toEqual(['Sequence:200', 'Replace:200', 'Get:404', 'Get:200']);
    const results = ex.replies.find((c): c is Results => c.kind === 'Results')!;
    expect(results.items[0]!.data).toEqual({ kind: 'text', text: '0' });
  });

  it('Sequence with sequenceOnError "stop" answers 215 for the children after a failure', async () => {
    const h = host({ sequenceOnError: 'stop' });
    const { codes } = await run([sequence(replace(camera, '0', 'int'), get('./Nope'), replace(camera, '1', 'int'))], h);
    expect(codes).toEqual(['Sequence:200', 'Replace:200', 'Get:404', 'Replace:215']);
    expect(h.tree.read(camera)).toBe('0');
  });

  it('Exec runs the device operation on an Exec node; 405 on a node without Exec; 404 when missing', async () => {
    const h = host();
    const { codes } = await run([exec('./Device/Vendor/MSFT/Reboot/RebootNow'), exec('./DevInfo/Man'), exec('./Vendor/MSFT/Nope')], h);
    expect(codes).toEqual(['Exec:200', 'Exec:405', 'Exec:404']);
    expect(h.execs).toEqual(['./Device/Vendor/MSFT/Reboot/RebootNow']);
  });

  it('Exec that unenrolls aborts at once: no replies', async () => {
    const h = host({ runExec: () => ({ status: '200', abortSession: 'unenroll' }) });
    const { ex } = await run([get('./DevInfo/Man'), exec('./Vendor/MSFT/DMClient/Provider/omadm-gateway/Unenroll', 'omadm-gateway'), get('./DevInfo/Mod')], h);
    expect(ex.abort).toBe('unenroll');
    expect(ex.executed.map((e) => `${e.kind}:${e.status}`)).toEqual(['Get:200', 'Exec:200']);
  });

  it('server alerts: 1222 → 200 and noted; 1223 aborts; user interaction → 406', async () => {
    const a = await run([alert('1222')]);
    expect(a.codes).toEqual(['Alert:200']);
    expect(a.ex.nextMessageRequested).toBe(true);
    expect((await run([alert('1101')])).codes).toEqual(['Alert:406']);
    const abort = await run([alert('1223'), get('./DevInfo/Man')]);
    expect(abort.ex.abort).toBe('server-abort');
    expect(abort.ex.replies).toEqual([]);
  });

  it('400 for an unknown element and for a command without CmdID; no Status for Results or Status', async () => {
    const msg = serverMessage(deviceMsg, 1, { commands: [] });
    msg.body.commands.push(
      { kind: 'Unknown', name: 'Map', cmdID: '7' },
      { kind: 'Get', cmdID: '', items: [{ target: { locURI: './DevInfo/Man' } }] },
      { kind: 'Results', cmdID: '9', cmdRef: '1', items: [] },
    );
    const ex = await executeServerMessage(msg, host());
    expect(ex.replies.map((c) => (c.kind === 'Status' ? `${c.cmd}:${c.cmdRef}:${c.data}` : c.kind))).toEqual(['Map:7:400', 'Get::400']);
    expect(ex.serverStatuses.map((s) => s.cmdRef)).toEqual(['0']);
  });

  it('NoResp suppresses the Status but the command still runs', async () => {
    const h = host();
    const cmd = replace(camera, '0', 'int');
    cmd.noResp = true;
    const { ex } = await run([cmd], h);
    expect(ex.replies).toEqual([]);
    expect(h.tree.read(camera)).toBe('0');
  });

  it('calls afterCommand after each top-level command and notes successful writes', async () => {
    const writes: string[] = [];
    let after = 0;
    const h = host({ noteWrite: (u) => writes.push(u), afterCommand: async () => void after++ });
    await run([replace(push.pfn, 'PFN!App'), replace('./DevInfo/Man', 'x'), get('./DevInfo/Man')], h);
    expect(writes).toEqual([push.pfn]);
    expect(after).toBe(3);
  });
});
