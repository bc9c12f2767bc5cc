/**
 * Content negotiation on the SyncML endpoint (issue 9): WBXML in → WBXML out with the same content type, XML in → XML
 * out; an unreadable WBXML envelope is the same tier as unreadable XML (400/413 with a short text/plain reason, the
 * WbxmlError code in the log); the store keeps the exchanged bytes and the operator API shows them with a readable
 * XML rendering beside the base64 (every API answer is checked against the OpenAPI document by the harness).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseSyncML, serializeSyncML } from '../../src/syncml/index.js';
import { CONTENT_TYPE_WBXML, type SyncML } from '../../src/syncml/model.js';
import { decodeWbxml, encodeWbxml } from '../../src/syncml/wbxml/index.js';
import { describeOnBackends, type TestDatabase } from '../support/databases.js';
import { answerReply, answersFrom, deviceMessage, package1, serverCommands, statusesOf, verbsAndTargets } from '../support/syncml-builders.js';
import { startTestGateway, SYNCML_TYPE, type TestGateway } from './gateway-harness.js';

/** Signs of a leaked stack trace or internal detail in a reply body (reasons say "at byte N", so frames are matched by line). */
const LEAK = /^\s+at |\.ts:\d|node_modules|\/work\/|Error:/m;

describeOnBackends('SyncML endpoint in WBXML', (backend) => {
  let db: TestDatabase;
  let t: TestGateway;

  beforeAll(async () => {
    db = await backend.create();
    t = await startTestGateway(db, { env: { SYNCML_BODY_LIMIT: '16kb' } });
    await t.putProvider();
  });
  afterAll(async () => {
    await t?.close();
    await db?.dispose();
  });

  /** POST WBXML bytes; the reply body as bytes. */
  const postWbxml = async (bytes: Uint8Array, contentType = CONTENT_TYPE_WBXML) => {
    const response = await fetch(`${t.url}/ManagementServer/MDM.svc`, { method: 'POST', headers: { 'content-type': contentType }, body: bytes });
    return { status: response.status, headers: response.headers, bytes: new Uint8Array(await response.arrayBuffer()) };
  };

  const refusals = () => t.logs.lines().filter((l) => l.msg === 'syncml request refused');

  it('answers WBXML with WBXML of the same content type, and XML with XML', async () => {
    const wb = await postWbxml(encodeWbxml(package1({ deviceId: 'dev-wb-1', sessionID: '3' })));
    expect(wb.status).toBe(200);
    expect(wb.headers.get('content-type')).toBe(CONTENT_TYPE_WBXML);
    // WBXML 1.3, public id -//SYNCML//DTD SyncML 1.2//EN (0x1201 as mb_u_int32 0x A4 01), UTF-8 (106)
    expect([...wb.bytes.subarray(0, 4)]).toEqual([0x03, 0xa4, 0x01, 0x6a]);
    const reply = decodeWbxml(wb.bytes);
    expect(reply.header).toMatchObject({ sessionID: '3', msgID: '1', target: { locURI: 'dev-wb-1' } });
    expect(statusesOf(reply)[0]).toMatchObject({ cmdRef: '0', cmd: 'SyncHdr', data: '200' });
    expect(verbsAndTargets(reply).map(([verb, target]) => `${verb} ${target.replace(/^.*\/Push\//, 'Push/')}`)).toEqual(
      expect.arrayContaining(['Replace Push/PFN', 'Get Push/ChannelURI', 'Get Push/Status']),
    );

    const xml = await t.syncml(serializeSyncML(package1({ deviceId: 'dev-wb-2', sessionID: '3' })));
    expect(xml.status).toBe(200);
    expect(xml.headers.get('content-type')).toBe(SYNCML_TYPE);
    expect(parseSyncML(xml.text).header.target.locURI).toBe('dev-wb-2');
  });

  it('a whole check-in over WBXML provisions push; the API shows the exchanged bytes and a readable XML rendering', async () => {
    const deviceId = 'dev-wb-3';
    const channel = t.fake.channelUri('ch-dev-wb-3');
    // The device's own encoding (WBXML 1.2 with a string table) is not what the gateway would write: the stored
    // request must be these bytes, not a re-encoding.
    const sent: Uint8Array[] = [];
    const received: Uint8Array[] = [];
    let message: SyncML = package1({ deviceId, sessionID: '7', devInfo: { DevId: deviceId, Man: 'Contoso', Mod: 'WB', DmV: '1.3', Lang: 'en-US' } });
    for (let msgID = 2; ; msgID++) {
      expect(msgID).toBeLessThan(10);
      const bytes = encodeWbxml(message, { stringTable: true, version: 0x02 });
      sent.push(bytes);
      const r = await postWbxml(bytes);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe(CONTENT_TYPE_WBXML);
      received.push(r.bytes);
      const reply = decodeWbxml(r.bytes);
      if (serverCommands(reply).length === 0) break;
      const base = verbsAndTargets(reply).map(([, target]) => target).find((target) => target.endsWith('/Push/PFN'))?.replace(/\/PFN$/, '') ?? '';
      message = deviceMessage({ msgID, sessionID: '7', deviceId }, answerReply(reply, answersFrom({ [`${base}/ChannelURI`]: channel, [`${base}/Status`]: '0' })));
    }

    const device = await t.api('GET', `/api/v1/devices/${deviceId}`);
    expect(device.body.push).toMatchObject({ pfnProvisioned: true, channelUri: channel, status: 0, usable: true });
    expect(device.body.devInfo).toMatchObject({ Mod: 'WB' });

    const page = await t.api('GET', `/api/v1/devices/${deviceId}/sessions/7/messages`);
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(sent.length);
    page.body.items.forEach((item: any, k: number) => {
      expect(item.contentType).toBe(CONTENT_TYPE_WBXML);
      for (const [side, original] of [['request', sent[k]!], ['reply', received[k]!]] as const) {
        const body = item[side];
        expect(body).toMatchObject({ encoding: 'base64', bytes: original.byteLength });
        expect(new Uint8Array(Buffer.from(body.body, 'base64'))).toEqual(original);
        expect(typeof body.xml).toBe('string');
        expect(parseSyncML(body.xml)).toEqual(decodeWbxml(original));
      }
    });
  });

  it('a well-formed WBXML message with a bad command gets a SyncML Status in a 200, in WBXML', async () => {
    const m = package1({ deviceId: 'dev-wb-4', sessionID: '4', extra: [{ kind: 'Unknown', name: 'Frobnicate', cmdID: '4' }] });
    const r = await postWbxml(encodeWbxml(m));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe(CONTENT_TYPE_WBXML);
    expect(statusesOf(decodeWbxml(r.bytes)).find((s) => s.cmdRef === '4')?.data).toMatch(/^[45]\d\d$/);
  });

  const valid = encodeWbxml(package1({ deviceId: 'dev-wb-5', sessionID: '5' }));
  it.each([
    ['an empty body', new Uint8Array(), /empty body/, undefined],
    ['truncated WBXML', valid.subarray(0, 40), /: truncated at byte \d+: /, 'truncated'],
    ['XML sent as WBXML', new TextEncoder().encode(serializeSyncML(package1({ deviceId: 'dev-wb-5' }))), /unsupported-version at byte 0/, 'unsupported-version'],
    ['a public id that is not SyncML (SI 1.0)', Uint8Array.from([0x03, 0x05, 0x6a, 0x00, 0x45, 0x01]), /unsupported-public-id at byte 1/, 'unsupported-public-id'],
    ['a charset other than UTF-8', Uint8Array.from([0x03, 0xa4, 0x01, 0x04, 0x00]), /unsupported-charset/, 'unsupported-charset'],
    ['bytes after the root element', Uint8Array.from([...valid, 0x45, 0x01]), /trailing-data/, 'trailing-data'],
    ['a string table longer than the input', Uint8Array.from([0x03, 0xa4, 0x01, 0x6a, 0x8f, 0x7f, 0x00]), /length-out-of-range|truncated/, undefined],
  ])('answers %s with 400 and a short plain reason, and logs the code', async (_name, body, reason, code) => {
    t.logs.clear();
    const r = await postWbxml(body as Uint8Array);
    const text = Buffer.from(r.bytes).toString('utf8');
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(text).toMatch(/^not a well-formed SyncML message: /);
    expect(text).toMatch(reason);
    expect(text.length).toBeLessThan(300);
    expect(text).not.toMatch(LEAK);
    const logged = refusals();
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 'warn', kind: 'syncml-malformed' });
    if (code) expect(logged[0]).toMatchObject({ code });
    else if (body.byteLength > 0) expect(logged[0]!.code).toEqual(expect.any(String));
  });

  it('answers WBXML over SYNCML_BODY_LIMIT with 413', async () => {
    const big = package1({
      deviceId: 'dev-wb-6',
      extra: [{ kind: 'Replace', cmdID: '9', items: [{ source: { locURI: './DevInfo/Ext' }, data: { kind: 'text', text: 'x'.repeat(20 * 1024) } }] }],
    });
    const r = await postWbxml(encodeWbxml(big));
    expect(r.status).toBe(413);
    expect(Buffer.from(r.bytes).toString('utf8')).toMatch(/^SyncML message too large/);
  });

  it('WBXML sent with the XML content type is malformed XML (the content type decides the codec)', async () => {
    t.logs.clear();
    const r = await t.syncml(valid, SYNCML_TYPE);
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/^not a well-formed SyncML message: (invalid-utf8|malformed)/);
    expect(refusals()[0]).toMatchObject({ code: expect.stringMatching(/^(invalid-utf8|malformed)$/) });
  });
});
