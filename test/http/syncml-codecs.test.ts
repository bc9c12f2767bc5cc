import { describe, expect, it } from 'vitest';
import { createCodecRegistry, SyncMLDecodeError } from '../../src/http/syncml-codecs.js';
import { createWbxmlCodec } from '../../src/http/wbxml-codec.js';
import { createXmlCodec } from '../../src/http/xml-codec.js';
import { serializeSyncML } from '../../src/syncml/index.js';
import { package1 } from '../support/syncml-builders.js';

describe('SyncML codec registry', () => {
  const xml = createXmlCodec({ maxBytes: 64 * 1024 });
  const wbxml = createWbxmlCodec({ maxBytes: 64 * 1024 });
  const registry = createCodecRegistry([xml, wbxml]);

  it('finds the codec by media type, ignoring parameters and case', () => {
    expect(registry.lookup('application/vnd.syncml.dm+xml')).toEqual({ codec: xml, mediaType: 'application/vnd.syncml.dm+xml' });
    expect(registry.lookup('Application/VND.SyncML.DM+XML ; charset=UTF-8')?.mediaType).toBe('application/vnd.syncml.dm+xml');
    expect(registry.lookup('application/vnd.syncml+xml')).toEqual({ codec: xml, mediaType: 'application/vnd.syncml+xml' });
    expect(registry.lookup('application/vnd.syncml.dm+wbxml')).toEqual({ codec: wbxml, mediaType: 'application/vnd.syncml.dm+wbxml' });
    expect(registry.lookup('text/xml')).toBeNull();
    expect(registry.lookup(undefined)).toBeNull();
    expect(registry.lookup('')).toBeNull();
  });

  it('decodes what it encodes, in both encodings', () => {
    const message = package1({ deviceId: 'codec-dev' });
    expect(xml.decode(xml.encode(message))).toEqual(xml.decode(new TextEncoder().encode(serializeSyncML(message))));
    expect(wbxml.decode(wbxml.encode(message))).toEqual(xml.decode(xml.encode(message)));
  });

  it('turns parse failures into short reasons (SyncMLDecodeError), too-large flagged', () => {
    const failure = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return error;
      }
      return null;
    };
    const bad = failure(() => xml.decode(new TextEncoder().encode('<SyncML')));
    expect(bad).toBeInstanceOf(SyncMLDecodeError);
    expect((bad as SyncMLDecodeError).reason).toMatch(/^malformed: /);
    const big = failure(() => createXmlCodec({ maxBytes: 10 }).decode(xml.encode(package1())));
    expect((big as SyncMLDecodeError).tooLarge).toBe(true);
    const junk = failure(() => wbxml.decode(new Uint8Array([0x03, 0x01])));
    expect(junk).toBeInstanceOf(SyncMLDecodeError);
    expect((junk as SyncMLDecodeError).reason).toMatch(/^[a-z-]+ at byte \d+: /);
    expect((junk as SyncMLDecodeError).code).toEqual(expect.any(String));
  });
});
