import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WBXML_LIMITS, decodeWbxml, encodeWbxml, WbxmlError, type WbxmlErrorCode } from '../../../src/syncml/wbxml/index.js';
import type { WbxmlLimits } from '../../../src/syncml/wbxml/index.js';
import { bytesOf, el, END, header, leaf, mb, message, opaque, STR_T, str, syncHdr as syncHdrBytes, token } from './wbxml-bytes.js';
import { sampleMessages } from './sample-messages.js';

function refusal(bytes: Uint8Array | number[], limits?: Partial<WbxmlLimits>): WbxmlError {
  try {
    decodeWbxml(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), limits);
  } catch (err) {
    if (err instanceof WbxmlError) return err;
    throw err;
  }
  throw new Error('decoded without error');
}

function expectRefusal(bytes: Uint8Array | number[], code: WbxmlErrorCode, offset: number, limits?: Partial<WbxmlLimits>): void {
  const err = refusal(bytes, limits);
  expect({ code: err.code, offset: err.offset }).toEqual({ code, offset });
}

const alert = el('Alert', leaf('CmdID', '1'), leaf('Data', '1201'));
const valid = message([alert]);
const H = header().length; // 5: version, public id (2 bytes), charset, string table length 0

describe('hostile WBXML: header', () => {
  it('empty input is truncated at 0', () => expectRefusal([], 'truncated', 0));
  it('a version byte beyond 1.x', () => expectRefusal([0x10, 0x01, 0x6a, 0x00], 'unsupported-version', 0));
  it('a public id that is not SyncML (SI 1.0 = 0x05)', () => expectRefusal([0x03, 0x05, 0x6a, 0x00], 'unsupported-public-id', 1));
  it('a string-table public id that is not SyncML', () =>
    expectRefusal([0x03, 0x00, 0x00, 0x6a, 0x04, ...bytesOf('abc'), 0], 'unsupported-public-id', 1));
  it('a string-table public id index outside the table', () =>
    expectRefusal([0x03, 0x00, 0x09, 0x6a, 0x02, 0x41, 0x00], 'string-table-ref', 1));
  it('a charset other than UTF-8 (ISO-8859-1 = 4)', () => expectRefusal([0x03, 0xa4, 0x01, 0x04, 0x00], 'unsupported-charset', 3));
});

describe('hostile WBXML: mb_u_int32', () => {
  it('more than 5 bytes', () => expectRefusal([0x03, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], 'mb-uint32-overflow', 1));
  it('5 bytes whose value exceeds 2^32-1', () => expectRefusal([0x03, 0x90, 0x80, 0x80, 0x80, 0x00], 'mb-uint32-overflow', 1));
  it('exactly 2^32-1 is a valid number (then too big a string table)', () =>
    expectRefusal([0x03, 0xa4, 0x01, 0x6a, 0x8f, 0xff, 0xff, 0xff, 0x7f], 'string-table-too-large', 4));
  it('an mb_u_int32 cut by the end of input', () => expectRefusal([0x03, 0xa4], 'truncated', 2));
  it('an OPAQUE length that overflows', () => {
    const bytes = message([el('Replace', leaf('CmdID', '1'), el('Item', el('Data', [0xc3, 0xff, 0xff, 0xff, 0xff, 0x7f])))]);
    expect(refusal(bytes).code).toBe('mb-uint32-overflow');
  });
});

describe('hostile WBXML: lengths and string tables', () => {
  it('a string table declared larger than the limit', () =>
    expectRefusal([0x03, 0xa4, 0x01, 0x6a, ...mb(DEFAULT_WBXML_LIMITS.maxStringTableBytes + 1)], 'string-table-too-large', 4));
  it('a string table larger than a caller-set limit', () =>
    expectRefusal([...header({ table: new Array<number>(11).fill(0x41) })], 'string-table-too-large', 4, { maxStringTableBytes: 10 }));
  it('a string table running past the end of input', () =>
    expectRefusal([0x03, 0xa4, 0x01, 0x6a, ...mb(1000), 0x41, 0x00], 'length-out-of-range', 6));
  it('an OPAQUE length running past the end of input', () => {
    const bytes = [...header(), ...el('SyncML', el('SyncHdr', el('VerDTD', [0xc3, ...mb(100_000), 0x31])))];
    expectRefusal(bytes, 'length-out-of-range', H + 7); // where the declared data would start
  });
  it('STR_T beyond the string table', () => {
    const bytes = [...header({ table: [0x41, 0x00] }), ...el('SyncML', el('SyncHdr', el('VerDTD', [STR_T, ...mb(2)])))];
    expectRefusal(bytes, 'string-table-ref', H + 2 + 3);
  });
  it('STR_T into a table string that has no NUL', () => {
    const bytes = [...header({ table: [0x41, 0x42] }), ...el('SyncML', el('SyncHdr', el('VerDTD', [STR_T, 0])))];
    expectRefusal(bytes, 'string-table-ref', H + 2 + 3);
  });
  it('a LITERAL tag name beyond the string table', () => {
    const bytes = [...header({ table: [0x41, 0x00] }), ...el('SyncML', [0x44, ...mb(40)])];
    expectRefusal(bytes, 'string-table-ref', H + 2 + 1);
  });
  it('an inline string without its NUL', () => {
    const bytes = [...header(), token('SyncML') | 0x40, token('SyncHdr') | 0x40, token('VerDTD') | 0x40, 0x03, 0x31, 0x2e];
    expectRefusal(bytes, 'truncated', H + 4);
  });
});

describe('hostile WBXML: truncation', () => {
  it('every proper prefix of a valid message is refused as truncated or out of range, never misread', () => {
    const full = encodeWbxml(sampleMessages.serverReply!, { stringTable: true });
    expect(() => decodeWbxml(full)).not.toThrow();
    for (let n = 0; n < full.length; n += 1) {
      const err = refusal(full.subarray(0, n));
      expect(['truncated', 'length-out-of-range']).toContain(err.code);
      expect(err.offset).toBeLessThanOrEqual(n);
    }
  });

  it('a missing END reports the open element', () => {
    const err = refusal(valid.subarray(0, valid.length - 1));
    expect(err.code).toBe('truncated');
    expect(err.message).toContain('<SyncML>');
  });

  it('bytes after the root element are refused', () => expectRefusal([...valid, 0x00], 'trailing-data', valid.length));
});

describe('hostile WBXML: tokens and code pages', () => {
  it('a tag token undefined on code page 0 (0x30 is reserved)', () => {
    const bytes = [...header(), token('SyncML') | 0x40, 0x70];
    expectRefusal(bytes, 'unknown-token', H + 1);
  });
  it('a tag token undefined on code page 1', () => {
    const bytes = [...header(), token('SyncML') | 0x40, 0x00, 0x01, 0x7f];
    expectRefusal(bytes, 'unknown-token', H + 3);
  });
  it('SWITCH_PAGE to a code page SyncML does not define', () => {
    const bytes = [...header(), token('SyncML') | 0x40, 0x00, 0x02, 0x45];
    expectRefusal(bytes, 'unknown-token', H + 1);
  });
  it('a global token where the root element belongs', () => expectRefusal([...header(), 0x03, 0x41, 0x00], 'unknown-token', H));
  it.each([
    ['PI', 0x43],
    ['EXT_I_0', 0x40],
    ['EXT_T_1', 0x81],
    ['EXT_2', 0xc2],
  ])('the global token %s', (_name, t) => {
    const bytes = [...header(), token('SyncML') | 0x40, t, 0x00];
    expectRefusal(bytes, 'unsupported-token', H + 1);
  });
  it('an attribute-start token (SyncML defines none)', () => {
    const bytes = [...header(), token('SyncML') | 0xc0, 0x05, END];
    expectRefusal(bytes, 'unknown-token', H + 1);
  });
  it('an attribute-value token', () => {
    const bytes = [...header({ table: [0x61, 0x00] }), token('SyncML') | 0xc0, 0x04, 0x00, 0x85, END];
    expectRefusal(bytes, 'unsupported-token', H + 2 + 3);
  });
  it('a character entity that is not an XML character', () => {
    const bytes = [...header(), token('SyncML') | 0x40, 0x02, 0x00];
    expectRefusal(bytes, 'invalid-char', H + 1);
    expectRefusal([...header(), token('SyncML') | 0x40, 0x02, ...mb(0x110000)], 'invalid-char', H + 1);
  });
  it('an inline string that is not UTF-8', () => {
    const bytes = [...header(), token('SyncML') | 0x40, 0x03, 0xc3, 0x28, 0x00];
    expectRefusal(bytes, 'invalid-utf8', H + 2);
  });
  it('a table string that is not UTF-8', () => {
    const bytes = [...header({ table: [0x41, 0xff, 0x00] }), token('SyncML') | 0x40, STR_T, 0x00];
    expectRefusal(bytes, 'invalid-utf8', 5); // the string's position inside the table
  });
});

describe('hostile WBXML: size, depth and element caps', () => {
  it('input larger than maxBytes', () => {
    expectRefusal(valid, 'too-large', 10, { maxBytes: 10 });
  });

  it('deep nesting stops at maxDepth, at the element that crosses it', () => {
    const depth = 100_000;
    const open = new Array<number>(depth).fill(token('Item') | 0x40);
    const bytes = [...header(), token('SyncML') | 0x40, ...open];
    expectRefusal(bytes, 'too-deep', H + DEFAULT_WBXML_LIMITS.maxDepth);
    expectRefusal(bytes, 'too-deep', H + 10, { maxDepth: 10 });
  });

  it('deep nesting inside Data (nested markup) counts too', () => {
    const deep = new Array<number>(200).fill(token('Item') | 0x40);
    const err = refusal(message([el('Replace', leaf('CmdID', '1'), el('Item', el('Data', deep)))]));
    expect(err.code).toBe('too-deep');
  });

  it('a DevInf document nested in OPAQUE shares the depth budget', () => {
    const nested = [0x02, ...mb(0x1203), 0x6a, 0x00, ...new Array<number>(80).fill(0x4a)];
    const err = refusal(message([el('Replace', leaf('CmdID', '1'), el('Item', el('Data', opaque(nested))))]));
    expect(err.code).toBe('too-deep');
    expect(err.offset).toBeGreaterThan(H);
  });

  it('more elements than maxElements', () => {
    const many = new Array<number>(50_000).fill(token('Final'));
    const bytes = [...header(), token('SyncML') | 0x40, token('SyncBody') | 0x40, ...many];
    expectRefusal(bytes, 'too-many-elements', H + DEFAULT_WBXML_LIMITS.maxElements);
    expectRefusal(bytes, 'too-many-elements', H + 50, { maxElements: 50 });
  });

  it('a large string table within the limit, referenced a thousand times, decodes each entry once', () => {
    const table = [...new Array<number>(60_000).fill(0x41), 0];
    const refs = Array.from({ length: 1000 }, () => el('Get', el('CmdID', [STR_T, ...mb(59_990)])));
    const msg = decodeWbxml(message(refs, { table }));
    expect(msg.body.commands).toHaveLength(1000);
    expect(msg.body.commands[0]).toMatchObject({ kind: 'Get', cmdID: 'AAAAAAAAAA' });
  });
});

describe('hostile WBXML: fuzz', () => {
  const seeds = Object.values(sampleMessages).flatMap((m) => [encodeWbxml(m), encodeWbxml(m, { stringTable: true })]);

  it('mutated messages either decode or throw WbxmlError, nothing else', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete')), {
          minLength: 1,
          maxLength: 6,
        }),
        (seed, edits) => {
          const bytes = [...seed];
          for (const [at, value, op] of edits) {
            const i = at % (bytes.length + 1);
            if (op === 'set' && i < bytes.length) bytes[i] = value;
            else if (op === 'insert') bytes.splice(i, 0, value);
            else if (op === 'delete') bytes.splice(i, 1);
          }
          try {
            decodeWbxml(new Uint8Array(bytes));
          } catch (err) {
            expect(err).toBeInstanceOf(WbxmlError);
          }
        },
      ),
      { numRuns: Number(process.env.WBXML_FUZZ_RUNS ?? 2000) },
    );
  });

  it('random token trees (any tag of either page, LITERALs, attributes, strings, entities, OPAQUE) decode or throw WbxmlError', () => {
    const names = ['wap-provisioningdoc', 'msft:originalerror', 'x', 'bad name', 'Data', 'CmdID'];
    const table = names.flatMap((n) => [...bytesOf(n), 0]);
    const offsets = names.map((_, i) => names.slice(0, i).reduce((sum, n) => sum + bytesOf(n).length + 1, 0));
    const leafToken = fc.oneof(
      fc.string({ maxLength: 8 }).map((t) => [0x03, ...bytesOf(t.replace(/\0/g, '')), 0]),
      fc.constantFrom(...offsets).map((o) => [STR_T, ...mb(o)]),
      fc.integer({ min: 0, max: 0x2ffff }).map((cp) => [0x02, ...mb(cp)]),
      fc.uint8Array({ maxLength: 12 }).map((b) => opaque(b)),
      fc.constantFrom('<a/>', 'x&y', '<b c="1">t</b>').map((t) => opaque(bytesOf(t))),
    );
    const tagOf = fc.oneof(
      fc.integer({ min: 0x05, max: 0x3c }).map((t) => [[0x00, 0x00], t] as const),
      fc.integer({ min: 0x05, max: 0x16 }).map((t) => [[0x00, 0x01], t] as const),
      fc.constantFrom(...offsets).map((o) => [[] as number[], 0x04, o] as const),
    );
    const attrs = fc.array(fc.tuple(fc.constantFrom(...offsets), fc.string({ maxLength: 6 })), { maxLength: 2 });
    const { node } = fc.letrec<{ node: number[] }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leafToken,
        fc.tuple(tagOf, attrs, fc.array(tie('node'), { maxLength: 4 })).map(([tag, as, kids]) => {
          const [sw, token, literal] = tag as readonly [number[], number, number?];
          const flags = (kids.length > 0 ? 0x40 : 0) | (as.length > 0 ? 0x80 : 0);
          const out = [...sw, token | flags];
          if (literal !== undefined) out.push(...mb(literal));
          if (as.length > 0) {
            for (const [name, value] of as) out.push(0x04, ...mb(name), ...str(value.replace(/\0/g, '')));
            out.push(END);
          }
          if (kids.length > 0) out.push(...kids.flat(), END);
          return out;
        }),
      ),
    }));
    fc.assert(
      fc.property(fc.array(node, { maxLength: 5 }), (body) => {
        const bytes = new Uint8Array([...header({ table }), token('SyncML') | 0x40, ...syncHdrBytes, token('SyncBody') | 0x40, ...body.flat(), END, END]);
        try {
          decodeWbxml(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(WbxmlError);
        }
      }),
      { numRuns: Number(process.env.WBXML_FUZZ_RUNS ?? 2000) },
    );
  });

  it('random bytes behind a valid header throw WbxmlError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (tail) => {
        try {
          decodeWbxml(new Uint8Array([...header(), ...tail]));
        } catch (err) {
          expect(err).toBeInstanceOf(WbxmlError);
        }
      }),
      { numRuns: Number(process.env.WBXML_FUZZ_RUNS ?? 2000) },
    );
  });
});
