/**
 * Property: every valid model (random commands, nested Atomic/Sequence, hostile strings) survives
 * serialize → parse exactly, and serializing is deterministic. Bounded to 300 runs.
 *
 * "Valid" is what the parser can produce: structural values are non-empty and carry no leading or
 * trailing XML white space (the parser trims them); Data text, EMI and xml Data are exact; xml Data
 * holds at least one element and LF line ends; Status/Results only at SyncBody level.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSyncML, serializeSyncML, type Command, type DataValue, type Item, type LocRef, type Meta, type SyncML } from '../../src/syncml/index.js';
import { escapeText } from '../../src/syncml/xml-text.js';

/** Any character XML can carry, biased towards the ones that break naive codecs. */
const xmlChar = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('<', '>', '&', ']', ']]>', '"', "'", ';', '#', ' ', '\t', '\n', '\r', '\r\n', '&amp;', '&lt;', '<![CDATA[', '-->') },
  { weight: 6, arbitrary: fc.string({ unit: fc.constantFrom('a', 'Z', '0', '.', '/', '{', '-', '_', ':', '%', '?', '=') , minLength: 1, maxLength: 4 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0x20, max: 0xd7ff }).map((cp) => String.fromCodePoint(cp)) },
  { weight: 1, arbitrary: fc.integer({ min: 0xe000, max: 0xfffd }).map((cp) => String.fromCodePoint(cp)) },
  { weight: 1, arbitrary: fc.integer({ min: 0x10000, max: 0x10ffff }).map((cp) => String.fromCodePoint(cp)) },
  { weight: 1, arbitrary: fc.constantFrom('é', '€', '😀', '\u00A0', '\u2028', '\uFEFF', 'ﬁ', '\u0301') },
);
const text = fc.array(xmlChar, { maxLength: 12 }).map((parts) => parts.join(''));
const whitespace = fc.array(fc.constantFrom(' ', '\t', '\n', '\r'), { minLength: 1, maxLength: 4 }).map((p) => p.join(''));
/** Data text: anything, including empty and whitespace-only. */
const dataText = fc.oneof({ weight: 5, arbitrary: text }, { weight: 1, arbitrary: whitespace }, { weight: 1, arbitrary: fc.constant('') });
const trimXml = (s: string): string => s.replace(/^[ \t\n\r]+|[ \t\n\r]+$/g, '');
/** A structural value as the parser returns it: trimmed, non-empty. */
const token = text.map(trimXml).filter((s) => s !== '');
/** Item LocURI / LocName / refs may be empty after trimming. */
const loose = text.map(trimXml);

const opt = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined, freq: 2 });
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const elementName = fc.constantFrom('a', 'MsiInstallJob', 'x:y', 'DeclaredConfiguration', 'Data', 'URI');
/** Well-formed element content with at least one element, LF only (CR goes in as &#13; via escapeText). */
const xmlFragment: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('', '\n  ', ' '),
    elementName,
    text,
    fc.constantFrom('', '<!-- note -->', '<![CDATA[ <raw> & ]]>', '<b c="1 &amp; 2"/>'),
    fc.constantFrom('', '\n', 'tail &lt;'),
  )
  .map(([lead, name, inner, extra, tail]) => `${lead}<${name}${name === 'x:y' ? ' xmlns:x="urn:x"' : ''}>${escapeText(inner)}${extra}</${name}>${tail}`);

const meta: fc.Arbitrary<Meta> = fc
  .record({
    format: opt(token),
    type: opt(token),
    mark: opt(token),
    size: opt(fc.nat()),
    version: opt(token),
    nextNonce: opt(token),
    maxMsgSize: opt(fc.maxSafeNat()),
    maxObjSize: opt(fc.nat()),
    emi: opt(fc.array(dataText, { minLength: 1, maxLength: 2 })),
  })
  .map(compact);
const locRef = (uri: fc.Arbitrary<string>): fc.Arbitrary<LocRef> => fc.record({ locURI: uri, locName: opt(loose) }).map(compact);
const dataValue: fc.Arbitrary<DataValue> = fc.oneof(
  { weight: 3, arbitrary: dataText.map((t) => ({ kind: 'text' as const, text: t })) },
  { weight: 1, arbitrary: xmlFragment.map((x) => ({ kind: 'xml' as const, xml: x })) },
);
const item: fc.Arbitrary<Item> = fc
  .record({
    target: opt(locRef(loose)),
    source: opt(locRef(loose)),
    meta: opt(meta),
    data: opt(dataValue),
    originalError: opt(token),
    moreData: opt(fc.constant(true)),
  })
  .map((i) => compact(i.data === undefined ? { ...i, originalError: undefined } : i));
const items = fc.array(item, { maxLength: 3 });
const cred = fc.record({ meta: opt(meta), data: fc.oneof(token, fc.constant('')) }).map(compact);
const refs = opt(fc.array(loose, { minLength: 1, maxLength: 2 }));
const noResp = opt(fc.constant(true as const));

const leafCommand: fc.Arbitrary<Command> = fc.oneof(
  fc
    .record({ kind: fc.constantFrom('Add', 'Copy', 'Delete', 'Get', 'Replace' as const), cmdID: token, noResp, cred: opt(cred), meta: opt(meta), items })
    .map((c) => compact(c) as Command),
  fc.record({ kind: fc.constant('Exec' as const), cmdID: token, noResp, cred: opt(cred), meta: opt(meta), correlator: opt(token), items }).map((c) => compact(c) as Command),
  fc.record({ kind: fc.constant('Alert' as const), cmdID: token, noResp, cred: opt(cred), data: token, correlator: opt(token), items }).map((c) => compact(c) as Command),
  fc
    .record({ kind: fc.constant('Unknown' as const), name: fc.constantFrom('Map', 'Put', 'Sync', 'Search', 'Move', 'Vendor-X', 'x\u00E9'), cmdID: opt(token) })
    .map((c) => compact(c) as Command),
);
const nested: fc.Arbitrary<Command> = fc.letrec<{ command: Command }>((tie) => ({
  command: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafCommand,
    fc
      .record({ kind: fc.constantFrom('Atomic', 'Sequence' as const), cmdID: token, noResp, meta: opt(meta), commands: fc.array(tie('command'), { maxLength: 3 }) })
      .map((c) => compact(c) as Command),
  ),
})).command;
const responseCommand: fc.Arbitrary<Command> = fc.oneof(
  fc
    .record({
      kind: fc.constant('Status' as const),
      cmdID: token,
      msgRef: opt(token),
      cmdRef: token,
      cmd: token,
      targetRef: refs,
      sourceRef: refs,
      cred: opt(cred),
      chal: opt(meta.map((m) => ({ meta: m }))),
      data: token,
      originalError: opt(token),
      items,
    })
    .map((c) => compact(c) as Command),
  fc
    .record({ kind: fc.constant('Results' as const), cmdID: token, msgRef: opt(token), cmdRef: token, cmd: opt(token), meta: opt(meta), targetRef: refs, sourceRef: refs, items })
    .map((c) => compact(c) as Command),
);
const syncml: fc.Arbitrary<SyncML> = fc.record({
  header: fc
    .record({
      verDTD: token,
      verProto: token,
      sessionID: token,
      msgID: token,
      target: locRef(token),
      source: locRef(token),
      respURI: opt(loose),
      noResp,
      cred: opt(cred),
      meta: opt(meta),
    })
    .map(compact),
  body: fc.record({ commands: fc.array(fc.oneof(nested, responseCommand), { maxLength: 6 }), final: fc.boolean() }),
});

describe('property: serialize → parse is the identity on valid models', () => {
  it('round-trips random messages exactly (300 runs)', () => {
    fc.assert(
      fc.property(syncml, (msg) => {
        const xml = serializeSyncML(msg);
        const back = parseSyncML(xml);
        expect(back).toEqual(msg);
        expect(serializeSyncML(back)).toBe(xml);
      }),
      { numRuns: 300 },
    );
  });

  it('never lets Data text change, whatever it holds (300 runs)', () => {
    fc.assert(
      fc.property(dataText, (t) => {
        const msg: SyncML = {
          header: { verDTD: '1.2', verProto: 'DM/1.2', sessionID: '1', msgID: '1', target: { locURI: 't' }, source: { locURI: 's' } },
          body: { commands: [{ kind: 'Replace', cmdID: '1', items: [{ data: { kind: 'text', text: t } }] }], final: true },
        };
        expect(parseSyncML(serializeSyncML(msg))).toEqual(msg);
      }),
      { numRuns: 300 },
    );
  });
});
