/**
 * WBXML transcripts (docs/transcripts.md "WBXML"): armoured WBXML blocks (base64 or hex) beside XML documents, the
 * `encoding` header, and the replay runner speaking application/vnd.syncml.dm+wbxml — verbatim blocks, XML-written
 * messages converted through the model, rewritten references re-encoded, replies required in WBXML.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSyncML, serializeSyncML } from '../../src/syncml/index.js';
import { CONTENT_TYPE_WBXML, CONTENT_TYPE_XML } from '../../src/syncml/model.js';
import { decodeWbxml, encodeWbxml } from '../../src/syncml/wbxml/index.js';
import { parseTranscript } from '../../src/transcript/parse-transcript.js';
import { parseTranscriptHeader } from '../../src/transcript/parse-transcript-header.js';
import { replayTranscript, type ReplayCodec } from '../../src/transcript/replay.js';
import { formatReplayReport } from '../../src/transcript/replay-report.js';
import { splitTranscriptMessages } from '../../src/transcript/split-transcript-messages.js';
import { startInProcessGateway } from '../../src/transcript/start-in-process-gateway.js';
import { splitFrontMatter } from '../../src/transcript/split-front-matter.js';

const corpus = join(import.meta.dirname, '..', 'transcripts');
const checkInXml = readFileSync(join(corpus, '01-first-checkin-push-provisioning.xml'), 'utf8');
const xmlDocs = splitTranscriptMessages(splitFrontMatter(checkInXml).body).map((d) => d.text);
const codec: ReplayCodec = {
  parse: (input) => parseSyncML(input),
  serialize: serializeSyncML,
  wbxml: { decode: (bytes) => decodeWbxml(bytes), encode: (message) => encodeWbxml(message) },
};
const parseOptions = { parse: (text: string) => parseSyncML(text), decodeWbxml: (bytes: Uint8Array) => decodeWbxml(bytes) };

const base64Block = (bytes: Uint8Array): string => ['-----BEGIN WBXML-----', ...(Buffer.from(bytes).toString('base64').match(/.{1,76}/g) ?? []), '-----END WBXML-----'].join('\n');
const hexBlock = (bytes: Uint8Array): string => ['-----BEGIN WBXML HEX-----', ...(Buffer.from(bytes).toString('hex').match(/.{1,32}/g) ?? []).map((l) => l.replace(/(..)/g, '$1 ').trim()), '-----END WBXML HEX-----'].join('\n');
const wbxmlOf = (xml: string): Uint8Array => encodeWbxml(parseSyncML(xml));

describe('splitTranscriptMessages', () => {
  it('reads base64 and hex blocks between XML documents and comments, in file order, with their lines', () => {
    const one = wbxmlOf(xmlDocs[0]!);
    const two = wbxmlOf(xmlDocs[1]!);
    const body = ['<!-- device -->', base64Block(one), '', '<!-- server -->', hexBlock(two), xmlDocs[2]!, '-----BEGIN WBXML-----\r', Buffer.from(one).toString('base64'), '-----END WBXML-----  '].join('\n');
    const docs = splitTranscriptMessages(body, { lineOffset: 10 });
    expect(docs.map((d) => d.kind)).toEqual(['wbxml', 'wbxml', 'xml', 'wbxml']);
    expect(docs[0]).toMatchObject({ kind: 'wbxml', bytes: one, line: 12 });
    expect(docs[1]).toMatchObject({ kind: 'wbxml', bytes: two });
    expect(docs[2]).toMatchObject({ kind: 'xml', text: xmlDocs[2] });
    expect(docs[3]).toMatchObject({ kind: 'wbxml', bytes: one });
    expect(docs[2]!.line).toBe(11 + body.split('\n').findIndex((l) => l.startsWith('<SyncML')));
  });

  it.each([
    ['an unclosed block', '-----BEGIN WBXML-----\nAwA=\n', /:1: "-----BEGIN WBXML-----" is never closed/],
    ['a block closed by the other kind', '-----BEGIN WBXML-----\nAwA=\n-----END WBXML HEX-----', /:3: "-----END WBXML HEX-----" does not close/],
    ['a block opened inside a block', '-----BEGIN WBXML-----\nAwA=\n-----BEGIN WBXML-----\nAwA=\n-----END WBXML-----', /:1: .* is never closed/],
    ['an empty block', '-----BEGIN WBXML-----\n\n-----END WBXML-----', /:1: empty WBXML block/],
    ['a hex dump in a base64 block', '-----BEGIN WBXML-----\n03 a4 01 6a\n-----END WBXML-----', /not base64/],
    ['base64 with a wrong length', '-----BEGIN WBXML-----\nAwA\n-----END WBXML-----', /not base64/],
    ['an odd number of hex digits', '-----BEGIN WBXML HEX-----\n03a401 6\n-----END WBXML HEX-----', /pairs of hex digits/],
    ['an xxd dump with offsets', '-----BEGIN WBXML HEX-----\n00000000: 03a4 016a  ...j\n-----END WBXML HEX-----', /pairs of hex digits/],
    ['text between documents', '-----BEGIN WBXML-----\nAwA=\n-----END WBXML-----\nhello', /:4: text outside a <SyncML> document/],
  ])('refuses %s, naming the line', (_name, body, message) => {
    expect(() => splitTranscriptMessages(body, { fileName: 'cap.syncml' })).toThrow(message);
  });
});

describe('parseTranscript with WBXML', () => {
  const blocks = xmlDocs.map((x) => base64Block(wbxmlOf(x))).join('\n');

  it('a file with a WBXML block replays in WBXML unless the header says otherwise; messages keep their form and bytes', () => {
    const t = parseTranscript(blocks, parseOptions);
    expect(t.encoding).toBe('wbxml');
    expect(t.messages.map((m) => `${m.index}:${m.side}:${m.encoding}`)).toEqual(['1:device:wbxml', '2:server:wbxml', '3:device:wbxml', '4:server:wbxml']);
    expect(t.messages[0]!.bytes).toEqual(wbxmlOf(xmlDocs[0]!));
    expect(t.messages[0]!.syncml).toEqual(parseSyncML(xmlDocs[0]!));
    expect(parseTranscript(`---\nencoding: xml\n---\n${blocks}`, parseOptions).encoding).toBe('xml');
    expect(parseTranscript(`---\nencoding: wbxml\n---\n${xmlDocs.join('\n')}`, parseOptions).encoding).toBe('wbxml');
    expect(parseTranscript(xmlDocs.join('\n'), parseOptions).encoding).toBe('xml');
  });

  it('names a block that is not SyncML, and refuses WBXML without a decoder', () => {
    const truncated = base64Block(wbxmlOf(xmlDocs[0]!).subarray(0, 40));
    expect(() => parseTranscript(`${xmlDocs[0]}\n${truncated}`, { ...parseOptions, fileName: 'cap.syncml' })).toThrow(/cap\.syncml:\d+: message 2 is not valid SyncML: .*truncated/);
    expect(() => parseTranscript(blocks, { parse: parseOptions.parse, fileName: 'cap.syncml' })).toThrow(/cap\.syncml:1: message 1 is WBXML, and no WBXML decoder was given/);
  });

  it('the header schema knows encoding: xml or wbxml', () => {
    expect(parseTranscriptHeader('encoding: wbxml')).toEqual({ encoding: 'wbxml' });
    expect(() => parseTranscriptHeader('encoding: binary')).toThrow(/encoding must be equal to one of the allowed values/);
  });
});

describe('replaying WBXML against the in-process gateway', () => {
  /** fetch that records what went on the wire. */
  const recording = () => {
    const sent: Array<{ contentType: string; firstByte: number }> = [];
    const replies: string[] = [];
    const spy: typeof fetch = async (input, init) => {
      const body = init?.body as Uint8Array;
      sent.push({ contentType: new Headers(init?.headers).get('content-type') ?? '', firstByte: body[0]! });
      const response = await fetch(input, init);
      replies.push(response.headers.get('content-type') ?? '');
      return response;
    };
    return { sent, replies, spy };
  };

  it('an XML-written transcript with encoding: wbxml goes out converted, in WBXML, and passes', async () => {
    const text = checkInXml.replace(/\nmode: device-only\n/, '\nmode: device-only\nencoding: wbxml\n');
    const { sent, replies, spy } = recording();
    const report = await replayTranscript(parseTranscript(text, parseOptions), { startGateway: (o) => startInProcessGateway(o), codec, fetch: spy });
    if (!report.ok) expect.fail(formatReplayReport(report, { verbose: true }));
    expect(report.exchanges.map((x) => x.sent)).toEqual(['converted', 'converted']);
    expect(sent).toEqual([
      { contentType: CONTENT_TYPE_WBXML, firstByte: 0x03 },
      { contentType: CONTENT_TYPE_WBXML, firstByte: 0x03 },
    ]);
    expect(replies).toEqual([CONTENT_TYPE_WBXML, CONTENT_TYPE_WBXML]);
    // Reports show a WBXML reply as XML.
    expect(parseSyncML(report.exchanges[0]!.replyText!).header.msgID).toBe('1');
  });

  it('WBXML blocks go out byte for byte; references the gateway numbers differently are rewritten and re-encoded', async () => {
    // The recorded server gives the PFN Replace CmdID 15; the device answers 15. The gateway uses 5: the runner
    // rewrites the device's CmdRef and encodes the rewritten message in WBXML.
    const server1 = xmlDocs[1]!.replace('<CmdID>5</CmdID>', '<CmdID>15</CmdID>');
    const device2 = xmlDocs[2]!.replace('<CmdRef>5</CmdRef>', '<CmdRef>15</CmdRef>');
    const header = splitFrontMatter(checkInXml).header!;
    const text = `---\n${header}\n---\n${[xmlDocs[0]!, server1, device2, xmlDocs[3]!].map((x) => base64Block(wbxmlOf(x))).join('\n')}`;
    const { sent, spy } = recording();
    const report = await replayTranscript(parseTranscript(text, parseOptions), { startGateway: (o) => startInProcessGateway(o), codec, fetch: spy });
    if (!report.ok) expect.fail(formatReplayReport(report, { verbose: true }));
    expect(report.exchanges.map((x) => x.sent)).toEqual(['verbatim', 'rewritten']);
    expect(sent.map((s) => s.contentType)).toEqual([CONTENT_TYPE_WBXML, CONTENT_TYPE_WBXML]);
  });

  it('a reply in XML to a WBXML request fails the exchange', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': CONTENT_TYPE_XML });
      res.end(xmlDocs[1]);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ManagementServer/MDM.svc`;
      const gateway = { url, seed: async () => ({ commandIds: [] }), inspect: async () => ({ devices: [], commands: [], alerts: [], channels: [] }), close: async () => undefined };
      const t = parseTranscript(base64Block(wbxmlOf(xmlDocs[0]!)), parseOptions);
      const report = await replayTranscript(t, { startGateway: async () => gateway, codec });
      expect(report.ok).toBe(false);
      expect(report.exchanges[0]!.failures).toEqual([`the reply's content type is "${CONTENT_TYPE_XML}", not ${CONTENT_TYPE_WBXML} (the request's)`]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a WBXML transcript and a codec without WBXML: the replay stops with a clear error', async () => {
    const t = parseTranscript(base64Block(wbxmlOf(xmlDocs[0]!)), parseOptions);
    const report = await replayTranscript(t, { startGateway: () => Promise.reject(new Error('not reached')), codec: { parse: codec.parse, serialize: codec.serialize } });
    expect(report.error).toMatch(/this transcript is WBXML, and the replay was given no WBXML codec/);
  });
});
