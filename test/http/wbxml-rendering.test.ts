/**
 * The operator API's view of stored WBXML messages: base64 of the original bytes and a readable XML rendering
 * (decode → serializeSyncML); when a message cannot be rendered, `xml` is null and `xmlError` says why. Every shape is
 * checked against schemas/api/message-list.schema.json.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { schemasDir } from '../../src/config/index.js';
import { messageBody } from '../../src/http/api/api-bodies.js';
import { isWbxmlContentType, renderWbxmlAsXml } from '../../src/http/api/wbxml-rendering.js';
import { createSchemaRegistry } from '../../src/http/schema-registry.js';
import { parseSyncML } from '../../src/syncml/index.js';
import { CONTENT_TYPE_WBXML, type SyncML } from '../../src/syncml/model.js';
import { encodeWbxml } from '../../src/syncml/wbxml/index.js';
import type { StoredMessage } from '../../src/store/views.js';
import { package1 } from '../support/syncml-builders.js';
import { el, leaf, message } from '../syncml/wbxml/wbxml-bytes.js';

const registry = createSchemaRegistry(join(schemasDir, 'api'));
const checkPage = (items: unknown[]) => registry.check('message-list', { items: JSON.parse(JSON.stringify(items)), nextCursor: null });

const stored = (request: Uint8Array, reply: Uint8Array, contentType = CONTENT_TYPE_WBXML): StoredMessage => ({
  id: '1',
  deviceId: 'dev-r',
  sessionId: '1',
  msgID: '1',
  contentType,
  at: new Date('2025-01-06T09:00:00Z'),
  request,
  reply,
});

describe('WBXML messages in the operator API', () => {
  const checkIn: SyncML = package1({ deviceId: 'dev-r' });

  it('recognises the WBXML content type with parameters and in any case, and nothing else', () => {
    expect(isWbxmlContentType(CONTENT_TYPE_WBXML)).toBe(true);
    expect(isWbxmlContentType('Application/VND.SyncML.DM+WBXML; charset=utf-8')).toBe(true);
    expect(isWbxmlContentType('application/vnd.syncml.dm+xml')).toBe(false);
    expect(isWbxmlContentType('application/vnd.syncml+wbxml')).toBe(false);
  });

  it('renders a message as the XML serializer writes it', () => {
    const rendered = renderWbxmlAsXml(encodeWbxml(checkIn, { stringTable: true }));
    expect(rendered.xml).not.toBeNull();
    expect(parseSyncML(rendered.xml!)).toEqual(checkIn);
  });

  it('keeps base64 of the original bytes beside the rendering, per the schema', () => {
    const request = encodeWbxml(checkIn, { version: 0x01, stringTable: true });
    const body = messageBody(stored(request, encodeWbxml(checkIn)));
    expect(body.request).toMatchObject({ encoding: 'base64', body: Buffer.from(request).toString('base64'), bytes: request.byteLength, xml: expect.any(String) });
    expect(body.request).not.toHaveProperty('xmlError');
    expect(checkPage([body])).toEqual([]);
  });

  it('undecodable bytes: xml null and the WbxmlError as xmlError, per the schema', () => {
    const bytes = encodeWbxml(checkIn).subarray(0, 30);
    expect(renderWbxmlAsXml(bytes)).toEqual({ xml: null, xmlError: expect.stringMatching(/truncated at byte \d+/) });
    const body = messageBody(stored(bytes, Uint8Array.from([0x03])));
    expect(body.request).toMatchObject({ encoding: 'base64', xml: null, xmlError: expect.any(String) });
    expect(checkPage([body])).toEqual([]);
  });

  it('a message the serializer refuses (a bad Get the codec reads as Unknown "Get"): xml null with the reason', () => {
    // <Get> with a <Lang> child is unreadable as a command: the model holds { kind: 'Unknown', name: 'Get', reason },
    // which the serializer refuses (it would not read back as itself).
    const bytes = message([el('Get', leaf('CmdID', '2'), leaf('Lang', 'en'))]);
    expect(renderWbxmlAsXml(bytes)).toEqual({ xml: null, xmlError: expect.stringMatching(/^not renderable as XML: /) });
  });

  it('XML messages are unchanged: text, no rendering fields', () => {
    const xml = new TextEncoder().encode('<SyncML xmlns="SYNCML:SYNCML1.2"/>');
    const body = messageBody(stored(xml, xml, 'application/vnd.syncml.dm+xml'));
    expect(body.request).toEqual({ encoding: 'utf8', body: '<SyncML xmlns="SYNCML:SYNCML1.2"/>', bytes: xml.byteLength });
    expect(checkPage([body])).toEqual([]);
  });
});
