import { describe, expect, it } from 'vitest';
import { parseSyncML } from '../../src/syncml/index.js';
import { parseTranscript } from '../../src/transcript/parse-transcript.js';
import { assignSides, normaliseServerUri } from '../../src/transcript/assign-sides.js';
import { message } from './build-syncml.js';

const SERVER = 'https://mdm.contoso.test/omadm/WindowsPhone.ashx';
const hdr = (msgID: string, target: string, source: string): string =>
  `<SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>${msgID}</MsgID>` +
  `<Target><LocURI>${target}</LocURI></Target><Source><LocURI>${source}</LocURI></Source></SyncHdr>`;
const fromDevice = (msgID: string, body: string, target = SERVER): string =>
  `<SyncML xmlns="SYNCML:SYNCML1.2">${hdr(msgID, target, 'dev-1')}<SyncBody>${body}<Final/></SyncBody></SyncML>`;
const fromServer = (msgID: string, body: string): string =>
  `<SyncML xmlns='SYNCML:SYNCML1.2'>\n  ${hdr(msgID, 'dev-1', SERVER)}\n  <SyncBody>${body}<Final/></SyncBody>\n</SyncML>`;
const alert1201 = '<Alert><CmdID>1</CmdID><Data>1201</Data></Alert>';
const hdrStatus = (ref: string): string => `<Status><CmdID>1</CmdID><MsgRef>${ref}</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`;

const parse = (text: string): ReturnType<typeof parseSyncML> => parseSyncML(text);

describe('parseTranscript', () => {
  it('reads a headerless capture: strict by default, sides from the server URI', () => {
    const capture = [
      '<?xml version="1.0" encoding="utf-8"?>',
      fromDevice('1', alert1201, `${SERVER}?mode=Maintenance&amp;Platform=WoA`),
      '<!-- reply -->',
      fromServer('1', hdrStatus('1')),
      fromDevice('2', hdrStatus('1')),
      fromServer('2', hdrStatus('2')),
    ].join('\n');
    const t = parseTranscript(capture, { fileName: 'cap.xml', parse });
    expect(t.hasHeader).toBe(false);
    expect(t.mode).toBe('strict');
    expect(t.serverUri).toBe(`${SERVER}?mode=Maintenance&Platform=WoA`);
    expect(t.messages.map((m) => `${m.index}:${m.side}:${m.line}`)).toEqual(['1:device:2', '2:server:4', '3:device:8', '4:server:9']);
    expect(t.messages[1]?.syncml.body.commands[0]).toMatchObject({ kind: 'Status', cmdRef: '0' });
  });

  it('reads the header, numbers lines of the whole file, and lets the CLI override the mode', () => {
    const text = `---\npurpose: a check-in\nmode: device-only\n---\n${fromDevice('1', alert1201)}\n${fromServer('1', hdrStatus('1'))}\n`;
    const t = parseTranscript(text, { parse });
    expect(t.header.purpose).toBe('a check-in');
    expect(t.mode).toBe('device-only');
    expect(t.messages[0]?.line).toBe(5);
    expect(parseTranscript(text, { parse, mode: 'strict' }).mode).toBe('strict');
  });

  it('names the message that is not SyncML', () => {
    const text = `${fromDevice('1', alert1201)}\n<SyncML xmlns="SYNCML:SYNCML1.2"><SyncBody/></SyncML>`;
    expect(() => parseTranscript(text, { fileName: 'bad.xml', parse })).toThrow(/bad\.xml:2: message 2 is not valid SyncML/);
  });

  it('rejects header options for messages the file does not hold, and unknown command refs', () => {
    const one = fromDevice('1', alert1201);
    expect(() => parseTranscript(`---\nmessages: { 3: { from: device } }\n---\n${one}`, { parse })).toThrow(/options for message 3, but the file holds 1/);
    expect(() => parseTranscript(`---\nexpect: { commands: [{ ref: x }] }\n---\n${one}`, { parse })).toThrow(/names x, which setup.commands does not queue/);
    expect(() =>
      parseTranscript(`---\nsetup: { commands: [{ ref: x, beforeMessage: 2, spec: { verb: Get, target: ./a } }] }\n---\n${one}${fromServer('1', hdrStatus('1'))}`, { parse }),
    ).toThrow(/queued before message 2, which is not a device message/);
    expect(() => parseTranscript('<!-- empty -->', { parse })).toThrow(/no <SyncML> document found/);
  });

  it('uses an explicit serverUri and per-message side overrides', () => {
    const odd = `<SyncML xmlns="SYNCML:SYNCML1.2">${hdr('1', 'somewhere', 'dev-1')}<SyncBody>${alert1201}<Final/></SyncBody></SyncML>`;
    const t = parseTranscript(`---\nserverUri: ${SERVER}\nmessages: { 1: { from: device } }\n---\n${odd}${fromServer('1', hdrStatus('1'))}`, { parse });
    expect(t.messages.map((m) => m.side)).toEqual(['device', 'server']);
  });
});

describe('assignSides', () => {
  it('alternates when neither side names the server, and refuses a server message that answers nothing', () => {
    const dev = message({ from: 'device', msgID: '1', commands: [] });
    const srv = message({ from: 'server', msgID: '1', commands: [] });
    expect(assignSides([dev, srv, dev], 'https://unrelated.test/')).toEqual(['device', 'server', 'device']);
    expect(() => assignSides([srv], srv.header.source.locURI)).toThrow(/message 1 is from the server but does not follow a device message/);
  });

  it('normalises server URIs', () => {
    expect(normaliseServerUri('HTTPS://MDM.Contoso.test/omadm/?mode=Machine')).toBe('https://mdm.contoso.test/omadm');
    expect(normaliseServerUri('urn:uuid:x')).toBe('urn:uuid:x');
  });
});
