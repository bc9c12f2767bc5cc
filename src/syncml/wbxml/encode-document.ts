import { ByteWriter } from './byte-writer.js';
import type { WbxmlLanguage } from './code-pages.js';
import { CHARSET_UTF8, TAG_HAS_ATTRIBUTES, TAG_HAS_CONTENT, Token, WBXML_VERSION_1_0 } from './global-tokens.js';
import { WbxmlError } from './wbxml-error.js';
import type { WbxmlElement } from './wbxml-tree.js';

export interface EncodeDocumentOptions {
  version: number;
  publicId: number;
  language: WbxmlLanguage;
  /** Put strings that occur more than once in the string table and refer to them with STR_T. */
  stringTable: boolean;
}

const { SWITCH_PAGE, END, STR_I, STR_T, OPAQUE, LITERAL } = Token;
const HAS_CONTENT = TAG_HAS_CONTENT;
const HAS_ATTRIBUTES = TAG_HAS_ATTRIBUTES;

/** Strings shorter than this (in UTF-8 bytes) are always inlined: a table reference would not be shorter. */
const MIN_TABLE_STRING_BYTES = 4;
const utf8 = new TextEncoder();

class StringTableBuilder {
  private readonly index = new Map<string, number>();
  private readonly writer = new ByteWriter(256);

  add(text: string): void {
    if (this.index.has(text)) return;
    this.index.set(text, this.writer.length);
    this.writer.utf8(text);
    this.writer.u8(0);
  }

  indexOf(text: string): number | undefined {
    return this.index.get(text);
  }

  bytes(): Uint8Array {
    return this.writer.result();
  }
}

/** Which strings go to the table: literal names always (LITERAL needs them), repeated texts when asked. */
function buildStringTable(root: WbxmlElement, repeatedTexts: boolean): StringTableBuilder {
  const table = new StringTableBuilder();
  const counts = new Map<string, number>();
  const count = (text: string): void => {
    if (!repeatedTexts || text.includes('\0')) return;
    const n = (counts.get(text) ?? 0) + 1;
    counts.set(text, n);
    if (n === 2 && utf8.encode(text).length >= MIN_TABLE_STRING_BYTES) table.add(text);
  };
  const visit = (el: WbxmlElement): void => {
    if (el.literal) table.add(el.name);
    for (const a of el.attributes) {
      table.add(a.name);
      count(a.value);
    }
    for (const child of el.children) {
      if (child.type === 'element') visit(child);
      else if (child.type === 'text') count(child.text);
    }
  };
  visit(root);
  return table;
}

/** Element tree → WBXML tokens (WAP-192-WBXML §5). Code pages are switched lazily, right before a tag that needs it. */
export function encodeDocument(root: WbxmlElement, options: EncodeDocumentOptions): Uint8Array {
  const table = buildStringTable(root, options.stringTable);
  const tableBytes = table.bytes();
  const out = new ByteWriter(4096);

  out.u8(options.version);
  out.mbUint32(options.publicId);
  if (options.version !== WBXML_VERSION_1_0) out.mbUint32(CHARSET_UTF8);
  out.mbUint32(tableBytes.length);
  out.bytes(tableBytes);

  let page = 0;

  const writeString = (text: string): void => {
    const ref = options.stringTable ? table.indexOf(text) : undefined;
    if (ref !== undefined) {
      out.u8(STR_T);
      out.mbUint32(ref);
    } else if (text.includes('\0')) {
      throw new WbxmlError('invalid-structure', 'a string holds U+0000, which WBXML strings (and XML) cannot carry', out.length);
    } else {
      out.u8(STR_I);
      out.utf8(text);
      out.u8(0);
    }
  };

  const writeElement = (el: WbxmlElement): void => {
    const hasContent = el.children.some((c) => c.type !== 'text' || c.text !== '');
    const flags = (hasContent ? HAS_CONTENT : 0) | (el.attributes.length > 0 ? HAS_ATTRIBUTES : 0);
    if (el.literal) {
      out.u8(LITERAL | flags);
      out.mbUint32(table.indexOf(el.name) as number);
    } else {
      const token = options.language.page(el.page)?.tokenOf(el.name);
      if (token === undefined) throw new RangeError(`no token for <${el.name}> on ${options.language.name} code page ${el.page}`);
      if (el.page !== page) {
        out.u8(SWITCH_PAGE);
        out.u8(el.page);
        page = el.page;
      }
      out.u8(token | flags);
    }
    if (el.attributes.length > 0) {
      for (const a of el.attributes) {
        out.u8(LITERAL);
        out.mbUint32(table.indexOf(a.name) as number);
        if (a.value !== '') writeString(a.value);
      }
      out.u8(END);
    }
    if (!hasContent) return;
    for (const child of el.children) {
      if (child.type === 'element') writeElement(child);
      else if (child.type === 'opaque') {
        out.u8(OPAQUE);
        out.mbUint32(child.bytes.length);
        out.bytes(child.bytes);
      } else if (child.text !== '') writeString(child.text);
    }
    out.u8(END);
  };

  writeElement(root);
  return out.result();
}
