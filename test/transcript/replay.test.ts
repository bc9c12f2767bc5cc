import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSyncML, serializeSyncML } from '../../src/syncml/index.js';
import { parseTranscript } from '../../src/transcript/parse-transcript.js';
import { replayTranscript } from '../../src/transcript/replay.js';
import { formatReplayReport, reportProblems } from '../../src/transcript/replay-report.js';
import { runReplayCommand } from '../../src/transcript/run-replay-command.js';
import { splitSyncMLDocuments } from '../../src/transcript/split-syncml-documents.js';
import { scriptedGateway, type ScriptedCall } from './scripted-gateway.js';

const SERVER = 'https://mdm.contoso.test/ManagementServer/MDM.svc';
const DEV = 'urn:uuid:5c9e4a7e-0000-4000-8000-00000000c0de';
const PUSH = './Vendor/MSFT/DMClient/Provider/contoso/Push';
const CHANNEL = 'https://db5p.notify.windows.com/?token=AwYAAAD';

const hdr = (msgID: string, fromDevice: boolean): string =>
  `<SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1A</SessionID><MsgID>${msgID}</MsgID>` +
  (fromDevice
    ? `<Target><LocURI>${SERVER}</LocURI></Target><Source><LocURI>${DEV}</LocURI></Source>`
    : `<Target><LocURI>${DEV}</LocURI></Target><Source><LocURI>${SERVER}</LocURI></Source>`) +
  '</SyncHdr>';
const doc = (msgID: string, fromDevice: boolean, body: string): string =>
  `<SyncML xmlns="SYNCML:SYNCML1.2">\n${hdr(msgID, fromDevice)}\n<SyncBody>\n${body}\n<Final/></SyncBody></SyncML>`;
const st = (id: string, msgRef: string, ref: string, cmd: string, data: string): string =>
  `<Status><CmdID>${id}</CmdID><MsgRef>${msgRef}</MsgRef><CmdRef>${ref}</CmdRef><Cmd>${cmd}</Cmd><Data>${data}</Data></Status>`;
const get = (id: string, target: string): string => `<Get><CmdID>${id}</CmdID><Item><Target><LocURI>${target}</LocURI></Target></Item></Get>`;
const replacePfn = (id: string): string =>
  `<Replace><CmdID>${id}</CmdID><Item><Target><LocURI>${PUSH}/PFN</LocURI></Target><Meta><Format xmlns="syncml:metinf">chr</Format></Meta><Data>Contoso.MDM_8wekyb3d8bbwe</Data></Item></Replace>`;
const results = (id: string, ref: string, source: string, data: string): string =>
  `<Results><CmdID>${id}</CmdID><MsgRef>1</MsgRef><CmdRef>${ref}</CmdRef><Item><Source><LocURI>${source}</LocURI></Source><Data>${data}</Data></Item></Results>`;

const device1 = doc('1', true, `<Alert><CmdID>1</CmdID><Data>1201</Data></Alert><Replace><CmdID>2</CmdID><Item><Source><LocURI>./DevInfo/DevId</LocURI></Source><Data>${DEV}</Data></Item></Replace>`);
const server1Body = (ids = ['4', '5', '6']): string =>
  [st('1', '1', '0', 'SyncHdr', '200'), st('2', '1', '1', 'Alert', '200'), st('3', '1', '2', 'Replace', '200'), replacePfn(ids[0]!), get(ids[1]!, `${PUSH}/ChannelURI`), get(ids[2]!, `${PUSH}/Status`)].join('');
const server1 = doc('1', false, server1Body());
const device2 = doc(
  '2',
  true,
  [st('1', '1', '0', 'SyncHdr', '200'), st('2', '1', '4', 'Replace', '200'), st('3', '1', '5', 'Get', '200'), results('4', '5', `${PUSH}/ChannelURI`, CHANNEL), st('5', '1', '6', 'Get', '200'), results('6', '6', `${PUSH}/Status`, '0')].join(''),
);
const server2 = doc('2', false, st('1', '2', '0', 'SyncHdr', '200'));
const BODY = [device1, server1, device2, server2].join('\n');

const transcriptOf = (header: string): ReturnType<typeof parseTranscript> =>
  parseTranscript(`---\n${header}\n---\n${BODY}`, { fileName: 'check-in.xml', parse: (t) => parseSyncML(t) });
const codec = { parse: (input: Uint8Array | string) => parseSyncML(input), serialize: serializeSyncML };
/** Answers with the recorded server messages, in order. */
const recordedReplies = [server1, server2];
const echoRecorded = (_: ScriptedCall, n: number) => ({ body: recordedReplies[n - 1] ?? server2 });

describe('replayTranscript', () => {
  it('passes a strict transcript when the replies equal the recording, with the clock stepping per message', async () => {
    const gw = scriptedGateway(echoRecorded);
    const t = transcriptOf('purpose: first check-in\nmode: strict\nsetup: { clock: { start: 2025-02-01T10:00:00Z, step: 5s, advance: { 3: 16d } } }');
    const report = await replayTranscript(t, { startGateway: gw.start, codec });
    expect(reportProblems(report)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.exchanges.map((x) => [x.deviceMessage, x.serverMessage, x.httpStatus, x.sent])).toEqual([
      [1, 2, 200, 'verbatim'],
      [3, 4, 200, 'verbatim'],
    ]);
    expect(gw.calls.map((c) => c.at.toISOString())).toEqual(['2025-02-01T10:00:05.000Z', '2025-02-17T10:00:10.000Z']);
    expect(gw.calls[0]?.contentType).toBe('application/vnd.syncml.dm+xml');
    expect(gw.calls[0]?.body).toBe(splitSyncMLDocuments(BODY)[0]?.text); // sent verbatim
    expect(gw.closed()).toBe(true);
    expect(formatReplayReport(report)).toBe('PASS check-in.xml — first check-in (strict, 2 exchanges)');
  });

  it('replays a headerless capture in strict mode', async () => {
    const t = parseTranscript(`<?xml version="1.0"?>\n${BODY}`, { fileName: 'capture.xml', parse: (x) => parseSyncML(x) });
    const report = await replayTranscript(t, { startGateway: scriptedGateway(echoRecorded).start, codec });
    expect(report).toMatchObject({ ok: true, mode: 'strict' });
    expect(report.purpose).toBeUndefined();
  });

  it('reports a strict mismatch by message number and element path', async () => {
    const gw = scriptedGateway((_, n) => ({ body: n === 1 ? server1.replace(st('3', '1', '2', 'Replace', '200'), st('3', '1', '2', 'Replace', '404')) : server2 }));
    const report = await replayTranscript(transcriptOf('mode: strict'), { startGateway: gw.start, codec });
    expect(report.ok).toBe(false);
    expect(reportProblems(report)).toEqual(['message 2 (server), SyncBody/Status[3]/Data: expected 200, got 404']);
  });

  it('rewrites the device references when the gateway numbers and orders its commands differently', async () => {
    const reordered = doc(
      '1',
      false,
      [st('1', '1', '0', 'SyncHdr', '200'), st('2', '1', '1', 'Alert', '200'), st('3', '1', '2', 'Replace', '200'), get('7', `${PUSH}/Status`), get('8', `${PUSH}/ChannelURI`), replacePfn('9')].join(''),
    );
    const gw = scriptedGateway((_, n) => ({ body: n === 1 ? reordered : server2 }));
    const report = await replayTranscript(transcriptOf('mode: device-only\nmatchCommands: true'), { startGateway: gw.start, codec });
    expect(reportProblems(report)).toEqual([]);
    expect(report.exchanges[1]?.sent).toBe('rewritten');
    const sent = parseSyncML(gw.calls[1]!.body);
    expect(sent.body.commands.map((c) => (c.kind === 'Status' || c.kind === 'Results' ? `${c.kind} ${c.cmdRef}` : c.kind))).toEqual([
      'Status 0',
      'Status 9',
      'Status 8',
      'Results 8',
      'Status 7',
      'Results 7',
    ]);

    // the same reply in strict mode is a mismatch
    const strict = await replayTranscript(transcriptOf('mode: strict'), { startGateway: scriptedGateway((_, n) => ({ body: n === 1 ? reordered : server2 })).start, codec });
    expect(strict.ok).toBe(false);
    expect(reportProblems(strict)[0]).toBe('message 2 (server), SyncBody: expected order [Status, Status, Status, Replace, Get, Get, Final], got [Status, Status, Status, Get, Get, Replace, Final]');
  });

  it('with matchCommands, names commands the reply lacks, and drops the device answers to them', async () => {
    const partial = doc('1', false, [st('1', '1', '0', 'SyncHdr', '200'), st('2', '1', '1', 'Alert', '200'), st('3', '1', '2', 'Replace', '200'), get('4', `${PUSH}/ChannelURI`), get('5', `${PUSH}/Status`)].join(''));
    const gw = scriptedGateway((_, n) => ({ body: n === 1 ? partial : server2 }));
    const report = await replayTranscript(transcriptOf('mode: device-only\nmatchCommands: true'), { startGateway: gw.start, codec });
    expect(reportProblems(report)).toEqual([
      `message 1 (device) → reply: message 2 (server) has Replace ${PUSH}/PFN = "Contoso.MDM_8wekyb3d8bbwe"; the reply does not`,
    ]);
    expect(report.exchanges[1]?.notes).toEqual(["dropped the device's answers to recorded commands the gateway did not send (MsgRef/CmdRef 1/4)"]);
    // recorded Get ChannelURI (5) is the gateway's 4, Get Status (6) its 5; the Status for the PFN Replace (4) is gone
    expect(parseSyncML(gw.calls[1]!.body).body.commands.map((c) => (c.kind === 'Status' || c.kind === 'Results' ? c.cmdRef : ''))).toEqual(['0', '4', '4', '5', '5']);
  });

  it('checks the protocol rules on every reply, and per-message contains/lacks', async () => {
    const gw = scriptedGateway((_, n) => ({ body: n === 1 ? server1 : server2.replace('<MsgID>2</MsgID>', '<MsgID>1</MsgID>') }));
    // options about a reply may sit on the device message (3) or on the recorded server message (2)
    const t = transcriptOf(`mode: device-only\nmessages:\n  2: { contains: [{ verb: Get, target: ${PUSH}/ChannelURI }, { verb: Exec }] }\n  3: { lacks: [{ verb: Status, data: "200" }] }`);
    const report = await replayTranscript(t, { startGateway: gw.start, codec });
    expect(reportProblems(report)).toEqual([
      'message 1 (device) → reply: reply lacks Exec',
      'message 3 (device) → reply: reply carries Status = "200", which it must not',
      'reply to message 3 (device) breaks msgid-sequence: SyncHdr/MsgID is 1, expected 2 (server messages are numbered 1, 2, 3… per session)',
    ]);
    const skipped = transcriptOf('mode: device-only\nmessages: { 3: { skipRules: [msgid-sequence] } }');
    const again = await replayTranscript(skipped, { startGateway: scriptedGateway((_, n) => ({ body: n === 1 ? server1 : server2.replace('<MsgID>2</MsgID>', '<MsgID>1</MsgID>') })).start, codec });
    expect(again.ok).toBe(true);
  });

  it('checks the HTTP status, and does not parse a refused reply', async () => {
    const refuse = (_: ScriptedCall, n: number) => (n === 1 ? { body: server1 } : { status: 400, body: 'session already ended' });
    const expected = await replayTranscript(transcriptOf('mode: device-only\nmessages: { 3: { httpStatus: 400 } }'), { startGateway: scriptedGateway(refuse).start, codec });
    expect(reportProblems(expected)).toEqual([]);
    const unexpected = await replayTranscript(transcriptOf('mode: device-only'), { startGateway: scriptedGateway(refuse).start, codec });
    expect(reportProblems(unexpected)).toEqual(['message 3 (device) → reply: HTTP 400, expected 200: session already ended']);
    const garbage = await replayTranscript(transcriptOf('mode: device-only'), { startGateway: scriptedGateway(() => ({ body: '<html/>' })).start, codec });
    expect(reportProblems(garbage)[0]).toMatch(/^message 1 \(device\) → reply: the reply is not valid SyncML: /);
  });

  it('applies the setup in time and checks the expectations against the stored state', async () => {
    const gw = scriptedGateway(echoRecorded, {
      devices: [{ deviceId: DEV, providerId: 'contoso', enrollmentState: 'enrolled', provisionedPfn: 'Contoso.MDM_8wekyb3d8bbwe', devInfo: {}, pushStatus: 0, channelUri: CHANNEL }],
      commands: [
        { id: 'cmd-1', deviceId: DEV, state: 'done', status: '200', results: [] },
        { id: 'cmd-2', deviceId: DEV, state: 'queued', status: null, results: [] },
      ],
      alerts: [],
      channels: [{ deviceId: DEV, channelUri: CHANNEL, state: 'active' }],
    });
    const header = `mode: device-only
setup:
  defaultProviderId: contoso
  providers:
    - { providerId: contoso, pfn: Contoso.MDM_8wekyb3d8bbwe }
    - { providerId: contoso, pfn: Contoso.MDM2_8wekyb3d8bbwe, beforeMessage: 3 }
  devices: [{ deviceId: "${DEV}", providerId: contoso }]
  commands:
    - { ref: early, spec: { verb: Get, target: ./DevDetail/SwV } }
    - { ref: late, beforeMessage: 3, spec: { verb: Exec, target: ./Vendor/MSFT/Reboot/RebootNow } }
expect:
  devices: [{ provisionedPfn: Contoso.MDM_8wekyb3d8bbwe, channelUri: "${CHANNEL}", pushStatus: 0 }]
  commands: [{ ref: early, state: done }, { ref: late, state: done }]
  alerts: []
  channels: [{ channelUri: "${CHANNEL}", state: active }]`;
    const report = await replayTranscript(transcriptOf(header), { startGateway: gw.start, codec });
    expect(gw.started[0]?.defaultProviderId).toBe('contoso');
    expect(gw.seeds).toEqual([
      { providers: [{ providerId: 'contoso', pfn: 'Contoso.MDM_8wekyb3d8bbwe' }], devices: [{ deviceId: DEV, providerId: 'contoso' }] },
      { commands: [{ deviceId: DEV, spec: { verb: 'Get', target: './DevDetail/SwV' } }] },
      { providers: [{ providerId: 'contoso', pfn: 'Contoso.MDM2_8wekyb3d8bbwe' }] },
      { commands: [{ deviceId: DEV, spec: { verb: 'Exec', target: './Vendor/MSFT/Reboot/RebootNow' } }] },
    ]);
    expect(reportProblems(report)).toEqual(['expect.commands[1] (late).state: expected "done", got "queued"']);
  });

  it('reports a gateway that does not start', async () => {
    const report = await replayTranscript(transcriptOf('mode: strict'), {
      startGateway: async () => {
        throw new Error('port in use');
      },
      codec,
    });
    expect(report.ok).toBe(false);
    expect(report.error).toBe('replay stopped: port in use');
  });
});

describe('runReplayCommand', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'transcripts-'));
    await writeFile(join(dir, 'a-good.xml'), `---\npurpose: good\nmode: strict\n---\n${BODY}`);
    await writeFile(join(dir, 'b-bad.syncml'), `---\npurpose: bad\nmode: strict\n---\n${BODY.replace(st('2', '1', '1', 'Alert', '200'), st('2', '1', '1', 'Alert', '202'))}`);
    await writeFile(join(dir, 'c-broken.xml'), '---\nmode: nope\n---\n');
    await writeFile(join(dir, 'notes.txt'), 'not a transcript');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('replays a directory, prints readable diffs, and exits non-zero on a mismatch', async () => {
    let out = '';
    const code = await runReplayCommand([dir], { startGateway: scriptedGateway(echoRecorded).start, write: (t) => void (out += t) });
    expect(code).toBe(1);
    const lines = out.split('\n');
    expect(lines[0]).toBe(`PASS ${join(dir, 'a-good.xml')} — good (strict, 2 exchanges)`);
    expect(lines).toContain(`FAIL ${join(dir, 'b-bad.syncml')} — bad (strict, 2 exchanges)`);
    expect(lines).toContain('  message 2 (server), SyncBody/Status[2]/Data: expected 202, got 200');
    expect(out).toContain(`FAIL ${join(dir, 'c-broken.xml')}`);
    expect(out).toContain('/mode must be equal to one of the allowed values');
    expect(out).toContain('1 passed, 2 failed (3 transcripts)');
  });

  it('exits 0 when all pass, 2 with nothing to replay, and prints JSON on request', async () => {
    let out = '';
    expect(await runReplayCommand([join(dir, 'a-good.xml')], { startGateway: scriptedGateway(echoRecorded).start, json: true, write: (t) => void (out += t) })).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ file: join(dir, 'a-good.xml'), ok: true, mode: 'strict' });
    expect(await runReplayCommand([], { startGateway: scriptedGateway(echoRecorded).start, write: () => {} })).toBe(2);
  });
});
