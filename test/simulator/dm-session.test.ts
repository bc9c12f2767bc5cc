import { describe, expect, it } from 'vitest';
import type { Alert, Command, ItemCommand, Results, Status, SyncML } from '../../src/syncml/model.js';
import type { ExecutorHost } from '../support/simulator/command-executor.js';
import { buildDeviceTree, LARGE_OBJECT_PATH, largeText, type DeviceProfile } from '../support/simulator/device-tree.js';
import { runDmSession, type DmTransport, type SessionParams } from '../support/simulator/dm-session.js';
import { alert, exec, get, replace, scriptedServer, SERVER_URL, serverMessage, type Step } from '../support/simulator/scripted-server.js';

const profile: DeviceProfile = {
  deviceId: '6F9619FF-8B86-D011-B42D-00C04FC964FF',
  providerId: 'omadm-gateway',
  manufacturer: 'Contoso',
  model: 'Sim',
  dmVersion: '1.3',
  language: 'en-US',
  swVersion: '10.0.22631.4317',
  deviceName: 'SIM-1',
  pfnMode: 'replace-creates',
  largeObjectBytes: 5000,
};

function host(): ExecutorHost {
  return {
    tree: buildDeviceTree(profile),
    runExec: (uri) => (uri.endsWith('/Unenroll') ? { status: '200', abortSession: 'unenroll' } : { status: '200' }),
    afterCommand: async () => undefined,
    sequenceOnError: 'continue',
  };
}

function session(transport: DmTransport, extra: Partial<SessionParams> = {}) {
  return runDmSession({
    transport,
    host: host(),
    deviceId: profile.deviceId,
    serverUrl: SERVER_URL,
    sessionId: '7',
    trigger: '1201',
    loginStatus: 'user',
    devInfo: [
      { locURI: './DevInfo/DevId', value: profile.deviceId },
      { locURI: './DevInfo/Man', value: 'Contoso' },
      { locURI: './DevInfo/Mod', value: 'Sim' },
      { locURI: './DevInfo/DmV', value: '1.3' },
      { locURI: './DevInfo/Lang', value: 'en-US' },
    ],
    genericAlerts: [],
    ...extra,
  });
}

const kinds = (m: SyncML) => m.body.commands.map((c) => (c.kind === 'Status' ? `Status:${c.cmd}:${c.data}` : c.kind === 'Alert' ? `Alert:${c.data}` : c.kind));

describe('DM session (device side)', () => {
  it('sends package 1: Alert 1201, 1224 LoginStatus, Replace DevInfo, Final; ends when the server sends no commands', async () => {
    const server = scriptedServer([]);
    const report = await session(server, { maxMsgSize: 65536 });
    expect(report).toMatchObject({ endedBy: 'completed', messagesSent: 1, violations: [] });
    const [p1] = server.received;
    expect(p1!.header).toEqual({
      verDTD: '1.2',
      verProto: 'DM/1.2',
      sessionID: '7',
      msgID: '1',
      target: { locURI: SERVER_URL },
      source: { locURI: profile.deviceId },
      meta: { maxMsgSize: 65536 },
    });
    expect(p1!.body.final).toBe(true);
    expect(kinds(p1!)).toEqual(['Alert:1201', 'Alert:1224', 'Replace']);
    const login = p1!.body.commands[1] as Alert;
    expect(login.items[0]).toEqual({ meta: { type: 'com.microsoft/MDM/LoginStatus', format: 'chr' }, data: { kind: 'text', text: 'user' } });
    const devInfo = p1!.body.commands[2] as ItemCommand;
    expect(devInfo.items.map((i) => i.source?.locURI)).toEqual(['./DevInfo/DevId', './DevInfo/Man', './DevInfo/Mod', './DevInfo/DmV', './DevInfo/Lang']);
    expect(p1!.body.commands.map((c) => (c.kind === 'Unknown' ? '' : c.cmdID))).toEqual(['1', '2', '3']);
  });

  it('opens with 1200 when woken, and carries generic alerts in package 1', async () => {
    const server = scriptedServer([]);
    await session(server, { trigger: '1200', genericAlerts: [{ type: 'com.microsoft:mdm.unenrollment.userrequest', format: 'int', data: '1' }] });
    expect(kinds(server.received[0]!)).toEqual(['Alert:1200', 'Alert:1224', 'Alert:1226', 'Replace']);
    const generic = server.received[0]!.body.commands[2] as Alert;
    expect(generic.items[0]).toMatchObject({ meta: { type: 'com.microsoft:mdm.unenrollment.userrequest', format: 'int' }, data: { text: '1' } });
  });

  it('answers with the SyncHdr Status first, a Status per command in order and Results; then ends', async () => {
    const server = scriptedServer([() => [get('./DevDetail/SwV'), replace('./Vendor/MSFT/Policy/Config/Camera/AllowCamera', '0', 'int'), get('./Nope')]]);
    const report = await session(server);
    expect(report.messagesSent).toBe(2);
    const m2 = server.received[1]!;
    expect(m2.header.msgID).toBe('2');
    expect(m2.body.final).toBe(true);
    expect(kinds(m2)).toEqual(['Status:SyncHdr:200', 'Status:Get:200', 'Results', 'Status:Replace:200', 'Status:Get:404']);
    const hdr = m2.body.commands[0] as Status;
    expect(hdr).toMatchObject({ msgRef: '1', cmdRef: '0' });
    const serverGet = server.replies[0]!.body.commands.find((c) => c.kind === 'Get') as ItemCommand;
    expect((m2.body.commands[1] as Status).cmdRef).toBe(serverGet.cmdID);
    expect((m2.body.commands[2] as Results).items[0]!.data).toEqual({ kind: 'text', text: '10.0.22631.4317' });
    expect(report.executed.map((e) => `${e.kind}:${e.status}`)).toEqual(['Get:200', 'Replace:200', 'Get:404']);
    expect(report.violations).toEqual([]);
  });

  it('in a multi-message server package answers with Alert 1222 and no Final until the server sends Final', async () => {
    const server = scriptedServer([() => ({ commands: [get('./DevInfo/Man')], final: false }), () => [get('./DevInfo/Mod')]]);
    const report = await session(server);
    expect(report.messagesSent).toBe(3);
    const m2 = server.received[1]!;
    expect(kinds(m2)).toEqual(['Status:SyncHdr:200', 'Status:Get:200', 'Results', 'Alert:1222']);
    expect(m2.body.final).toBe(false);
    const m3 = server.received[2]!;
    expect(kinds(m3)).toEqual(['Status:SyncHdr:200', 'Status:Get:200', 'Results']);
    expect(m3.body.final).toBe(true);
  });

  it('keeps asking with 1222 over several non-final server messages', async () => {
    const server = scriptedServer([
      () => ({ commands: [get('./DevInfo/Man')], final: false }),
      () => ({ commands: [get('./DevInfo/Mod')], final: false }),
      () => [get('./DevInfo/Lang')],
    ]);
    const report = await session(server);
    expect(server.received.slice(1).map((m) => [m.body.final, m.body.commands.some((c) => c.kind === 'Alert' && c.data === '1222')])).toEqual([
      [false, true],
      [false, true],
      [true, false],
    ]);
    expect(report.violations).toEqual([]);
  });

  it('sends a large object in MoreData chunks: Size in the first, no Final until the last, statuses after it', async () => {
    const server = scriptedServer([() => [get(LARGE_OBJECT_PATH), get('./DevInfo/Lang')]]);
    const report = await session(server, { largeObjectChunkBytes: 1000 });
    expect(report.endedBy).toBe('completed');
    expect(report.largeObjectChunks).toBe(5);
    const chunkMsgs = server.received.slice(1);
    expect(chunkMsgs).toHaveLength(5);
    expect(chunkMsgs.map((m) => m.body.final)).toEqual([false, false, false, false, true]);
    const chunks = chunkMsgs.map((m) => m.body.commands.find((c): c is Results => c.kind === 'Results' && c.items[0]?.source?.locURI === LARGE_OBJECT_PATH)!.items[0]!);
    expect(chunks.map((c) => c.moreData ?? false)).toEqual([true, true, true, true, false]);
    expect(chunks[0]!.meta?.size).toBe(5000);
    expect(chunks.slice(1).every((c) => c.meta?.size === undefined && c.meta?.format === 'chr')).toBe(true);
    const text = chunks.map((c) => (c.data?.kind === 'text' ? c.data.text : '')).join('');
    expect(text).toBe(largeText(profile.deviceId, 5000));
    // The server's "Next Message" replies (213 + 1222, no Final) are answered with the next chunk.
    expect(kinds(server.replies[1]!)).toEqual(['Status:SyncHdr:200', 'Status:Results:213', 'Alert:1222']);
    expect(kinds(chunkMsgs[1]!)).toEqual(['Status:SyncHdr:200', 'Status:Alert:200', 'Results']);
    // The Get after the large object is answered after the last chunk.
    expect(kinds(chunkMsgs[4]!)).toEqual(['Status:SyncHdr:200', 'Status:Alert:200', 'Results', 'Status:Get:200', 'Results']);
    expect(report.violations).toEqual([]);
  });

  it('derives the chunk size from the MaxMsgSize the server declares', async () => {
    const server = scriptedServer([() => ({ commands: [get(LARGE_OBJECT_PATH)], maxMsgSize: 3048 })]);
    const report = await session(server);
    expect(report.largeObjectChunks).toBe(5);
  });

  it('ends without a reply when the server sends Alert 1223', async () => {
    const server = scriptedServer([() => [alert('1223')]]);
    const report = await session(server);
    expect(report).toMatchObject({ endedBy: 'server-abort', messagesSent: 1 });
  });

  it('aborts with its own Alert 1223 and Final, and does not answer the server after that', async () => {
    const server = scriptedServer([() => [get('./DevInfo/Man')], () => [get('./DevInfo/Mod')]]);
    const report = await session(server, { abortAfterServerMessages: 1 });
    expect(report).toMatchObject({ endedBy: 'device-abort', messagesSent: 2 });
    expect(kinds(server.received[1]!)).toEqual(['Status:SyncHdr:200', 'Alert:1223']);
    expect(server.received[1]!.body.final).toBe(true);
  });

  it('stops on 401 to its SyncHdr', async () => {
    const server = scriptedServer([]);
    const transport: DmTransport = {
      exchange: async (m) => serverMessage(m, 1, { commands: [], headerStatus: '401' }),
    };
    expect((await session(transport)).endedBy).toBe('auth-failed');
    expect(server.received).toHaveLength(0);
  });

  it('ends at once with no reply on an Unenroll Exec', async () => {
    const server = scriptedServer([() => [exec('./Vendor/MSFT/DMClient/Provider/omadm-gateway/Unenroll', 'omadm-gateway')]]);
    const report = await session(server);
    expect(report).toMatchObject({ endedBy: 'unenroll', messagesSent: 1 });
  });

  it('follows RespURI for the next message', async () => {
    const steps: Step[] = [() => [get('./DevInfo/Man')]];
    const inner = scriptedServer(steps);
    const transport: DmTransport & { urls: string[] } = {
      urls: [],
      async exchange(m, url) {
        this.urls.push(url);
        const reply = await inner.exchange(m, url);
        return { ...reply, header: { ...reply.header, respURI: `${SERVER_URL}?s=abc` } };
      },
    };
    await session(transport);
    expect(transport.urls).toEqual([SERVER_URL, `${SERVER_URL}?s=abc`]);
  });

  it('reports server protocol violations: no Status for its commands, wrong SessionID, SyncHdr Status not first', async () => {
    const transport: DmTransport = {
      async exchange(m) {
        const reply = serverMessage(m, 1, { commands: [] });
        const body: Command[] = reply.body.commands.filter((c) => !(c.kind === 'Status' && c.cmd === 'Replace')).reverse();
        return { header: { ...reply.header, sessionID: '99' }, body: { commands: body, final: true } };
      },
    };
    const report = await session(transport);
    expect(report.violations.join('\n')).toMatch(/SessionID 99/);
    expect(report.violations.join('\n')).toMatch(/first element is not the Status for SyncHdr/);
    expect(report.violations.join('\n')).toMatch(/no Status for our Replace/);
    expect(report.violations.join('\n')).toMatch(/out of command order/);
  });

  it('reports a transport failure as an error, and stops a server that never ends', async () => {
    const failing: DmTransport = { exchange: async () => Promise.reject(new Error('ECONNREFUSED')) };
    expect(await session(failing)).toMatchObject({ endedBy: 'error', error: 'ECONNREFUSED' });
    const endless = scriptedServer(Array.from({ length: 50 }, () => () => [get('./DevInfo/Man')]));
    expect((await session(endless, { maxMessages: 5 })).endedBy).toBe('too-many-messages');
  });
});
