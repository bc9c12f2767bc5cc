/**
 * Interoperability against an independent implementation: libwbxml's command-line tools (Debian package
 * libwbxml2-utils: xml2wbxml, wbxml2xml). .ci/run installs them; without them these tests are skipped with a message
 * (REQUIRE_WBXML_ORACLE=1 turns the skip into a failure).
 *
 * What is compared is the model (parseSyncML of the XML side, decodeWbxml of the WBXML side), after a normalisation
 * that only removes libwbxml's known, documented liberties:
 * - wbxml2xml writes OPAQUE as CDATA, so an `xml` Data value comes back as `text` with the same characters, and
 *   xml2wbxml turns nested markup into LITERAL tokens we render canonically: Data is compared as canonical XML when it
 *   is markup, as text otherwise;
 * - wbxml2xml writes CR raw, which any XML parser turns into LF;
 * - libwbxml writes and reads no attributes in SyncML documents: msft:originalerror is lost in both directions, and
 *   xml2wbxml drops the attributes of markup nested in Data.
 * wbxml2xml's DOCTYPE line is removed before parsing (our parser refuses DTDs by design).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSyncML, serializeSyncML } from '../../../src/syncml/index.js';
import type { Command, DataValue, Item, SyncML } from '../../../src/syncml/model.js';
import { checkXmlFragment } from '../../../src/syncml/xml-scan.js';
import { decodeWbxml, encodeWbxml } from '../../../src/syncml/wbxml/index.js';
import { sampleMessages } from './sample-messages.js';

const haveTools = ['xml2wbxml', 'wbxml2xml'].every((tool) => spawnSync(tool, [], { stdio: 'ignore' }).error === undefined);
if (!haveTools) {
  const message = 'libwbxml oracle tests skipped: xml2wbxml/wbxml2xml not found (apt-get install libwbxml2-utils)';
  if (process.env.REQUIRE_WBXML_ORACLE === '1') throw new Error(message);
  console.warn(message);
}

const work = haveTools ? mkdtempSync(join(tmpdir(), 'wbxml-oracle-')) : '';
afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});
let serial = 0;

/** libwbxml: WBXML → XML (compact mode, white space kept), DOCTYPE removed. */
function wbxml2xml(bytes: Uint8Array): string {
  const n = ++serial;
  writeFileSync(join(work, `${n}.wbxml`), bytes);
  execFileSync('wbxml2xml', ['-k', '-m', '0', '-o', join(work, `${n}.out.xml`), join(work, `${n}.wbxml`)], { stdio: 'ignore' });
  return readFileSync(join(work, `${n}.out.xml`), 'utf8').replace(/^(<\?xml[^>]*\?>)?\s*<!DOCTYPE[^>[]*>/, '$1');
}

/** libwbxml: XML → WBXML, keeping white space (-k) so text values are not trimmed. */
function xml2wbxml(xml: string | Uint8Array, version = '1.3'): Uint8Array {
  const n = ++serial;
  writeFileSync(join(work, `${n}.xml`), xml);
  execFileSync('xml2wbxml', ['-k', '-v', version, '-o', join(work, `${n}.out.wbxml`), join(work, `${n}.xml`)], { stdio: 'ignore' });
  return new Uint8Array(readFileSync(join(work, `${n}.out.wbxml`)));
}

// ---- normalisation ----

const fragmentParser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, trimValues: true, parseTagValue: false, parseAttributeValue: false });

interface Options {
  /** libwbxml writes and reads no attributes in SyncML documents, nested markup included. */
  dropAttributes: boolean;
}

function canonicalContent(s: string, o: Options): string {
  const text = s.replace(/\r\n?/g, '\n');
  const markup = checkXmlFragment(text) === undefined && /<[^!?/]/.test(text);
  if (!markup) return `text:${text}`;
  return `markup:${JSON.stringify(fragmentParser.parse(text), (key, value: unknown) => (o.dropAttributes && key === ':@' ? undefined : value))}`;
}

function normaliseData(d: DataValue, o: Options): DataValue {
  return { kind: 'text', text: canonicalContent(d.kind === 'text' ? d.text : d.xml, o) };
}

function normaliseItem(i: Item, o: Options): Item {
  const out: Item = { ...i };
  if (i.data !== undefined) out.data = normaliseData(i.data, o);
  if (o.dropAttributes) delete out.originalError;
  return out;
}

function normaliseCommand(c: Command, o: Options): Command {
  switch (c.kind) {
    case 'Atomic':
    case 'Sequence':
      return { ...c, commands: c.commands.map((x) => normaliseCommand(x, o)) };
    case 'Unknown':
      return c;
    case 'Status': {
      const s = { ...c, items: c.items.map((i) => normaliseItem(i, o)) };
      if (o.dropAttributes) delete s.originalError;
      return s;
    }
    default:
      return { ...c, items: c.items.map((i) => normaliseItem(i, o)) } as Command;
  }
}

function normalise(m: SyncML, o: Options): SyncML {
  return { header: m.header, body: { ...m.body, commands: m.body.commands.map((c) => normaliseCommand(c, o)) } };
}

/** Attributes are lost whenever libwbxml writes or reads WBXML (msft:originalerror, attributes of nested markup). */
const dropped: Options = { dropAttributes: true };
/** Our OPAQUE xml reaches wbxml2xml's output as CDATA, attributes and all; only msft:originalerror is lost. */
const forward: Options = { dropAttributes: false };

// ---- the messages ----

const fixturesDir = join(import.meta.dirname, '..', 'fixtures');
function xmlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'rejected' ? [] : xmlFiles(p);
    return f.endsWith('.xml') ? [p] : [];
  });
}

/** Every model that both codecs can write: the samples and every fixture whose model serialises. */
const models: [string, SyncML][] = [
  ...Object.entries(sampleMessages),
  ...xmlFiles(fixturesDir).flatMap((file): [string, SyncML][] => {
    const model = parseSyncML(readFileSync(file));
    try {
      serializeSyncML(model);
      return [[file.slice(fixturesDir.length + 1), model]];
    } catch {
      return [];
    }
  }),
];

describe.skipIf(!haveTools)('libwbxml oracle: our encoding decodes with wbxml2xml to the same document', () => {
  for (const [name, model] of models) {
    it(`${name}`, () => {
      for (const stringTable of [false, true]) {
        const xml = wbxml2xml(encodeWbxml(model, { stringTable }));
        const withoutOriginalError = (m: SyncML): SyncML => JSON.parse(JSON.stringify(m, (k, v: unknown) => (k === 'originalError' ? undefined : v))) as SyncML;
        expect(normalise(parseSyncML(xml), forward)).toEqual(normalise(withoutOriginalError(model), forward));
      }
    });
  }
});

describe.skipIf(!haveTools)("libwbxml oracle: xml2wbxml's encoding decodes with ours to the same model", () => {
  for (const [name, model] of models) {
    it(`${name}`, () => {
      const xml = serializeSyncML(model);
      for (const version of ['1.1', '1.2', '1.3']) {
        expect(normalise(decodeWbxml(xml2wbxml(xml, version)), dropped)).toEqual(normalise(model, dropped));
      }
    });
  }

  it('every fixture file as written (indentation, comments, CDATA) decodes like parseSyncML reads it', () => {
    for (const file of xmlFiles(fixturesDir)) {
      const bytes = readFileSync(file);
      expect(normalise(decodeWbxml(xml2wbxml(bytes)), dropped), file).toEqual(normalise(parseSyncML(bytes), dropped));
    }
  });

  it('round trip through both libwbxml tools: encodeWbxml → wbxml2xml → xml2wbxml → decodeWbxml', () => {
    for (const [, model] of models) {
      const again = decodeWbxml(xml2wbxml(wbxml2xml(encodeWbxml(model, { stringTable: true }))));
      expect(normalise(again, dropped)).toEqual(normalise(model, dropped));
    }
  });
});
