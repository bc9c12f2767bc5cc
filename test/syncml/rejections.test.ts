/**
 * Hostile and broken input fails fast with a typed SyncMLParseError whose code says what and whose
 * message says where. No timing thresholds: "fast" is shown by the code (the size cap or the depth
 * cap fires before any tree exists).
 */
import { describe, expect, it } from 'vitest';
import { parseSyncML, SyncMLParseError, type ParseErrorCode, type ParseLimits } from '../../src/syncml/index.js';

const HEADER = `<SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID><Target><LocURI>https://mdm.example/</LocURI></Target><Source><LocURI>dev-1</LocURI></Source></SyncHdr>`;
const wrap = (body: string, header = HEADER): string => `<SyncML xmlns="SYNCML:SYNCML1.2">${header}<SyncBody>${body}<Final/></SyncBody></SyncML>`;

function failure(input: string | Uint8Array, limits?: Partial<ParseLimits>): SyncMLParseError {
  try {
    parseSyncML(input, limits);
  } catch (e) {
    expect(e).toBeInstanceOf(SyncMLParseError);
    return e as SyncMLParseError;
  }
  throw new Error('expected parseSyncML to throw');
}
function expectCode(input: string | Uint8Array, code: ParseErrorCode, limits?: Partial<ParseLimits>): SyncMLParseError {
  const error = failure(input, limits);
  expect(error.code, error.message).toBe(code);
  return error;
}
const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

describe('entity and DTD attacks', () => {
  it('rejects any DOCTYPE', () => {
    const e = expectCode(`<!DOCTYPE SyncML PUBLIC "-//SYNCML//DTD SyncML 1.2//EN" "http://www.openmobilealliance.org/tech/DTD/OMA-TS-SyncML_RepPro_DTD-V1_2.dtd">${wrap('')}`, 'doctype');
    expect(e.offset).toBe(0);
    expect(e.message).toMatch(/DOCTYPE/);
  });

  it('rejects billion laughs before expanding anything', () => {
    const lol = [`<!ENTITY lol "lol">`];
    for (let i = 1; i <= 9; i++) lol.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
    expectCode(`<?xml version="1.0"?><!DOCTYPE lolz [${lol.join('')}]>${wrap('<Get><CmdID>1</CmdID><Item><Data>&lol9;</Data></Item></Get>')}`, 'doctype');
  });

  it('rejects an external entity', () => {
    expectCode(`<!DOCTYPE SyncML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${wrap('<Get><CmdID>1</CmdID><Item><Data>&xxe;</Data></Item></Get>')}`, 'doctype');
  });

  it('rejects an ENTITY declaration outside a DOCTYPE', () => {
    expectCode(`<SyncML xmlns="SYNCML:SYNCML1.2"><!ENTITY x "y">${HEADER}<SyncBody/></SyncML>`, 'entity');
  });

  it('rejects a reference to an undeclared entity, in text and in attributes', () => {
    expect(expectCode(wrap('<Get><CmdID>1</CmdID><Item><Data>&xxe;</Data></Item></Get>'), 'entity').message).toMatch(/&xxe;/);
    expectCode(wrap('<Get><CmdID>1</CmdID><Item><Data><a b="&nbsp;"/></Data></Item></Get>'), 'entity');
  });

  it('rejects processing instructions other than the XML declaration', () => {
    expect(expectCode(`<?xml-stylesheet href="x"?>${wrap('')}`, 'malformed').message).toMatch(/processing instruction/);
    expectCode(wrap('<Get><CmdID>1</CmdID><Item><Data><?php evil() ?></Data></Item></Get>'), 'malformed');
    expectCode(`${wrap('')}<?xml version="1.0"?>`, 'malformed');
  });
});

describe('size, depth and element caps', () => {
  it('rejects 10 MB of nesting by the size cap before decoding', () => {
    const deep = `<SyncML xmlns="SYNCML:SYNCML1.2">${'<a>'.repeat(3_500_000)}`;
    expectCode(deep, 'too-large');
    expectCode(Buffer.from(deep), 'too-large');
  });

  it('rejects 10 MB of nesting by the depth cap when the size cap allows it', () => {
    const deep = `<SyncML xmlns="SYNCML:SYNCML1.2">${'<a>'.repeat(3_500_000)}`;
    const e = expectCode(deep, 'too-deep', { maxBytes: 20 * 1024 * 1024 });
    // It stopped at the 33rd start tag: the offset is that tag, not the end of the input.
    expect(e.offset).toBe('<SyncML xmlns="SYNCML:SYNCML1.2">'.length + 31 * 3);
  });

  it('applies maxDepth as configured (the root is depth 1)', () => {
    const nested = wrap('<Atomic><CmdID>1</CmdID><Sequence><CmdID>2</CmdID><Replace><CmdID>3</CmdID><Item><Meta><Type>x</Type></Meta></Item></Replace></Sequence></Atomic>');
    expect(() => parseSyncML(nested, { maxDepth: 8 })).not.toThrow();
    expectCode(nested, 'too-deep', { maxDepth: 7 });
  });

  it('rejects a body over the byte cap, counted in UTF-8 bytes', () => {
    const msg = wrap(`<Replace><CmdID>1</CmdID><Item><Data>${'é'.repeat(600)}</Data></Item></Replace>`);
    const size = Buffer.byteLength(msg);
    expect(() => parseSyncML(msg, { maxBytes: size })).not.toThrow();
    expect(expectCode(msg, 'too-large', { maxBytes: size - 1 }).message).toMatch(new RegExp(`${size} bytes`));
    expectCode(Buffer.from(msg), 'too-large', { maxBytes: size - 1 });
    expectCode('x'.repeat(1024 * 1024 + 1), 'too-large');
  });

  it('rejects more elements than maxElements', () => {
    const many = wrap(`<Replace><CmdID>1</CmdID>${'<Item/>'.repeat(200)}</Replace>`);
    expect(() => parseSyncML(many, { maxElements: 250 })).not.toThrow();
    expectCode(many, 'too-many-elements', { maxElements: 100 });
  });

  it('counts elements inside embedded XML Data too', () => {
    const many = wrap(`<Replace><CmdID>1</CmdID><Item><Data>${'<x/>'.repeat(100)}</Data></Item></Replace>`);
    expectCode(many, 'too-many-elements', { maxElements: 100 });
  });

  it('refuses nonsense limits', () => {
    expect(() => parseSyncML(wrap(''), { maxDepth: 0 })).toThrow(RangeError);
    expect(() => parseSyncML(wrap(''), { maxBytes: 1.5 })).toThrow(RangeError);
    expect(() => parseSyncML(wrap(''), { maxDepth: 2000 })).toThrow(RangeError);
  });
});

describe('encoding', () => {
  it('rejects the overlong encoding C0 AF and says at which byte', () => {
    const input = bytes(wrap('<Replace><CmdID>1</CmdID><Item><Data>a'), [0xc0, 0xaf], '</Data></Item></Replace>');
    const e = expectCode(input, 'invalid-utf8');
    expect(e.offset).toBe(Buffer.byteLength(wrap('<Replace><CmdID>1</CmdID><Item><Data>a')));
  });

  it.each([
    ['a lone continuation byte', [0x80]],
    ['a 3-byte overlong slash', [0xe0, 0x80, 0xaf]],
    ['a 4-byte overlong', [0xf0, 0x80, 0x80, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a truncated sequence', [0xe2, 0x82]],
    ['0xFF', [0xff]],
  ])('rejects %s', (_name, seq) => {
    expectCode(bytes('<SyncML xmlns="SYNCML:SYNCML1.2">', seq, '</SyncML>'), 'invalid-utf8');
  });

  it('rejects a string with an unpaired surrogate', () => {
    expectCode(wrap('<Replace><CmdID>1</CmdID><Item><Data>\uD800</Data></Item></Replace>'), 'invalid-utf8');
  });

  it('tolerates a UTF-8 BOM (bytes and string) and counts it in offsets', () => {
    const msg = wrap('<Get><CmdID>1</CmdID><Item><Target><LocURI>./a</LocURI></Target></Item></Get>');
    const plain = parseSyncML(msg);
    expect(parseSyncML(bytes([0xef, 0xbb, 0xbf], msg))).toEqual(plain);
    expect(parseSyncML(`\uFEFF${msg}`)).toEqual(plain);
    const e = expectCode(bytes([0xef, 0xbb, 0xbf], '<!DOCTYPE x>'), 'doctype');
    expect(e.offset).toBe(3);
  });

  it('rejects a declared encoding other than UTF-8', () => {
    expectCode(`<?xml version="1.0" encoding="ISO-8859-1"?>${wrap('')}`, 'malformed');
  });

  it('rejects characters XML forbids, even as references', () => {
    expectCode(wrap('<Replace><CmdID>1</CmdID><Item><Data>\u0001</Data></Item></Replace>'), 'malformed');
    expectCode(wrap('<Replace><CmdID>1</CmdID><Item><Data>&#0;</Data></Item></Replace>'), 'malformed');
    expectCode(wrap('<Replace><CmdID>1</CmdID><Item><Data>&#xFFFE;</Data></Item></Replace>'), 'malformed');
  });
});

describe('not SyncML', () => {
  it('rejects another root element', () => {
    expect(expectCode('<html><body/></html>', 'not-syncml').message).toMatch(/<html>/);
  });

  it('rejects a SyncML root in another namespace', () => {
    expectCode(`<SyncML xmlns="SYNCML:SYNCML1.0">${HEADER}<SyncBody/></SyncML>`, 'not-syncml');
    expectCode(`<SyncML xmlns="urn:example">${HEADER}<SyncBody/></SyncML>`, 'not-syncml');
  });

  it('decides on the root before reading the rest', () => {
    // The text after the root start tag is broken, but the root is reported first.
    expectCode('<Envelope><<<', 'not-syncml');
  });

  it('rejects empty and whitespace-only input', () => {
    expectCode('', 'malformed');
    expectCode('  \n', 'malformed');
  });
});

describe('malformed XML, with a byte offset', () => {
  it.each([
    ['mismatched end tag', `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr></SyncBody></SyncML>`],
    ['unclosed root', `<SyncML xmlns="SYNCML:SYNCML1.2">${HEADER}<SyncBody>`],
    ['text outside the root', `${wrap('')}trailing`],
    ['two roots', `${wrap('')}${wrap('')}`],
    ['a bare ampersand', wrap('<Replace><CmdID>1</CmdID><Item><Data>a & b</Data></Item></Replace>')],
    ['"]]>" in text', wrap('<Replace><CmdID>1</CmdID><Item><Data>a ]]> b</Data></Item></Replace>')],
    ['an unquoted attribute', `<SyncML xmlns=SYNCML:SYNCML1.2>${HEADER}<SyncBody/></SyncML>`],
    ['a duplicate attribute', `<SyncML xmlns="SYNCML:SYNCML1.2" xmlns="SYNCML:SYNCML1.2">${HEADER}<SyncBody/></SyncML>`],
    ['"<" in an attribute', wrap('<Replace><CmdID>1</CmdID><Item><Data><a b="<"/></Data></Item></Replace>')],
    ['an unterminated comment', `${wrap('')}<!-- x`],
    ['an unterminated CDATA section', wrap('<Replace><CmdID>1</CmdID><Item><Data><![CDATA[x</Data></Item></Replace>')],
    ['a malformed XML declaration', `<?xml version="2.0"?>${wrap('')}`],
  ])('%s', (_name, input) => {
    const e = expectCode(input, 'malformed');
    expect(e.offset).toBeTypeOf('number');
    expect(e.message).toMatch(/at byte \d+/);
  });
});

describe('invalid structure, with an element path', () => {
  it('rejects a missing SyncHdr', () => {
    const e = expectCode('<SyncML xmlns="SYNCML:SYNCML1.2"><SyncBody><Final/></SyncBody></SyncML>', 'invalid-structure');
    expect(e.path).toBe('SyncML');
    expect(e.message).toMatch(/SyncHdr/);
  });

  it('rejects a missing SyncBody', () => {
    expectCode(`<SyncML xmlns="SYNCML:SYNCML1.2">${HEADER}</SyncML>`, 'invalid-structure');
  });

  it.each(['VerDTD', 'VerProto', 'SessionID', 'MsgID', 'Target', 'Source'])('rejects a header without %s', (name) => {
    const header = HEADER.replace(new RegExp(`<${name}>.*?</${name}>`), '');
    const e = expectCode(wrap('', header), 'invalid-structure');
    expect(e.path).toBe('SyncML/SyncHdr');
    expect(e.message).toContain(`<${name}>`);
  });

  it('rejects an empty MsgID, an empty header LocURI and a header without LocURI', () => {
    expectCode(wrap('', HEADER.replace('<MsgID>1</MsgID>', '<MsgID> </MsgID>')), 'invalid-structure');
    expectCode(wrap('', HEADER.replace('<LocURI>dev-1</LocURI>', '<LocURI></LocURI>')), 'invalid-structure');
    expect(expectCode(wrap('', HEADER.replace('<LocURI>dev-1</LocURI>', '')), 'invalid-structure').path).toBe('SyncML/SyncHdr/Source');
  });

  it('rejects unknown or repeated elements in the header and under the root', () => {
    expectCode(wrap('', HEADER.replace('</SyncHdr>', '<Foo/></SyncHdr>')), 'invalid-structure');
    expectCode(wrap('', HEADER.replace('</SyncHdr>', '<MsgID>2</MsgID></SyncHdr>')), 'invalid-structure');
    expectCode(`<SyncML xmlns="SYNCML:SYNCML1.2">${HEADER}<SyncBody/><Extra/></SyncML>`, 'invalid-structure');
    expectCode(`<SyncML xmlns="SYNCML:SYNCML1.2">${HEADER}${HEADER}<SyncBody/></SyncML>`, 'invalid-structure');
  });

  it('rejects a non-numeric MaxMsgSize in the header', () => {
    const e = expectCode(wrap('', HEADER.replace('</SyncHdr>', '<Meta><MaxMsgSize xmlns="syncml:metinf">10k</MaxMsgSize></Meta></SyncHdr>')), 'invalid-structure');
    expect(e.path).toBe('SyncML/SyncHdr/Meta/MaxMsgSize');
  });

  it('rejects text directly in SyncBody', () => {
    expectCode(wrap('...'), 'invalid-structure');
  });
});
