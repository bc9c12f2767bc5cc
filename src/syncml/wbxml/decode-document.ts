import { isXmlCodePoint } from '../xml-text.js';
import { ByteReader, decodeUtf8 } from './byte-reader.js';
import type { CodePage, WbxmlLanguage } from './code-pages.js';
import {
  ATTR_VALUE_TOKEN_MIN,
  CHARSET_UTF8,
  FormalPublicId,
  PublicId,
  TAG_HAS_ATTRIBUTES,
  TAG_HAS_CONTENT,
  TAG_ID_MASK,
  Token,
  WBXML_VERSION_1_0,
} from './global-tokens.js';
import { WbxmlError } from './wbxml-error.js';
import type { WbxmlLimits } from './wbxml-limits.js';
import type { WbxmlAttribute, WbxmlDocument, WbxmlElement } from './wbxml-tree.js';

export interface DecodeDocumentOptions {
  limits: WbxmlLimits;
  /** The language a public identifier stands for, or undefined when this caller does not accept it. */
  languageFor(publicId: number): WbxmlLanguage | undefined;
  /** Offset of `bytes` inside the outermost input (for documents nested in OPAQUE data). */
  base?: number;
  /** Nesting depth already used by enclosing documents. */
  depthUsed?: number;
  /** Elements already counted by enclosing documents. */
  elementsUsed?: number;
}

export interface DecodedDocument {
  document: WbxmlDocument;
  /** Elements counted so far, enclosing documents included. */
  elementsUsed: number;
}

// Local copies: a property read through an imported binding on every token is measurably slower (hot loop).
const { SWITCH_PAGE, END, ENTITY, STR_I, LITERAL, STR_T, OPAQUE, PI } = Token;
const { EXT_I_0, EXT_I_1, EXT_I_2, EXT_T_0, EXT_T_1, EXT_T_2, EXT_0, EXT_1, EXT_2 } = Token;
const HAS_CONTENT = TAG_HAS_CONTENT;
const HAS_ATTRIBUTES = TAG_HAS_ATTRIBUTES;
const ID_MASK = TAG_ID_MASK;
const VALUE_TOKEN_MIN = ATTR_VALUE_TOKEN_MIN;

/** Charsets read as UTF-8: UTF-8 itself, "unknown" (0, §5.6: determined by the transport, UTF-8 for SyncML DM) and US-ASCII (3). */
const ACCEPTED_CHARSETS = new Set([CHARSET_UTF8, 0, 3]);

/** Highest WBXML 1.x version byte: OMA-TS-DM_RepPro-V1_2 §2.2 "MUST expect any 1.x version of WBXML". */
const MAX_VERSION_1_X = 0x0f;

class StringTable {
  private readonly cache = new Map<number, string>();

  constructor(
    private readonly bytes: Uint8Array,
    private readonly base: number,
  ) {}

  /** The NUL-terminated string starting at `index` (an index may point into the middle of a string, §5.7). */
  at(index: number, refOffset: number): string {
    const cached = this.cache.get(index);
    if (cached !== undefined) return cached;
    if (index >= this.bytes.length) {
      throw new WbxmlError('string-table-ref', `string table index ${index} is beyond its ${this.bytes.length} bytes`, refOffset);
    }
    const end = this.bytes.indexOf(0, index);
    if (end < 0) throw new WbxmlError('string-table-ref', `string table entry at ${index} is not NUL-terminated`, refOffset);
    const text = decodeUtf8(this.bytes.subarray(index, end), this.base + index);
    this.cache.set(index, text);
    return text;
  }
}

/**
 * Tokens → element tree (WAP-192-WBXML §5). Iterative, so hostile nesting costs no stack; every length is checked
 * against the input and the limits before it is used.
 */
export function decodeDocument(bytes: Uint8Array, options: DecodeDocumentOptions): DecodedDocument {
  const { limits } = options;
  const r = new ByteReader(bytes, options.base ?? 0);

  const version = r.u8('the version byte');
  if (version > MAX_VERSION_1_X) {
    throw new WbxmlError('unsupported-version', `WBXML version byte 0x${version.toString(16)} is not 1.x`, r.offset - 1);
  }
  const publicIdOffset = r.offset;
  let publicId = r.mbUint32('the public identifier');
  let publicIdIndex: number | undefined;
  if (publicId === PublicId.STRING_TABLE) publicIdIndex = r.mbUint32('the public identifier index');
  const charsetOffset = r.offset;
  const charset = version === WBXML_VERSION_1_0 ? CHARSET_UTF8 : r.mbUint32('the charset');
  if (!ACCEPTED_CHARSETS.has(charset)) {
    throw new WbxmlError('unsupported-charset', `charset MIBenum ${charset} is not UTF-8 (106)`, charsetOffset);
  }
  const tableOffset = r.offset;
  const tableLength = r.mbUint32('the string table length');
  if (tableLength > limits.maxStringTableBytes) {
    throw new WbxmlError(
      'string-table-too-large',
      `string table of ${tableLength} bytes exceeds the limit of ${limits.maxStringTableBytes}`,
      tableOffset,
    );
  }
  const tableStart = r.offset;
  const table = new StringTable(r.take(tableLength, 'the string table'), tableStart);

  if (publicIdIndex !== undefined) {
    const fpi = table.at(publicIdIndex, publicIdOffset);
    const known = FormalPublicId[fpi];
    if (known === undefined) throw new WbxmlError('unsupported-public-id', `public identifier "${fpi}" is not SyncML`, publicIdOffset);
    publicId = known;
  }
  const language = options.languageFor(publicId);
  if (language === undefined) {
    throw new WbxmlError('unsupported-public-id', `public identifier 0x${publicId.toString(16)} is not accepted here`, publicIdOffset);
  }

  let tagPage: CodePage | undefined = language.page(0);
  let tagPageNumber = 0;
  let elements = options.elementsUsed ?? 0;
  const depthUsed = options.depthUsed ?? 0;
  const stack: WbxmlElement[] = [];
  let root: WbxmlElement | undefined;

  const switchPage = (): void => {
    const at = r.offset - 1;
    tagPageNumber = r.u8('a code page number');
    tagPage = language.page(tagPageNumber);
    if (tagPage === undefined) {
      throw new WbxmlError('unknown-token', `SWITCH_PAGE to code page ${tagPageNumber}, which ${language.name} does not define`, at);
    }
  };

  const appendText = (parent: WbxmlElement, text: string, offset: number): void => {
    const last = parent.children[parent.children.length - 1];
    if (last !== undefined && last.type === 'text') last.text += text;
    else parent.children.push({ type: 'text', text, offset });
  };

  const entity = (): string => {
    const at = r.offset - 1;
    const cp = r.mbUint32('a character entity');
    if (!isXmlCodePoint(cp)) throw new WbxmlError('invalid-char', `character entity U+${cp.toString(16)} is not an XML character`, at);
    return String.fromCodePoint(cp);
  };

  /** Attribute list after a tag with the attributes bit, up to its END (§5.8.3). Only LITERAL names exist in SyncML. */
  const attributes = (): WbxmlAttribute[] => {
    const out: WbxmlAttribute[] = [];
    let current: WbxmlAttribute | undefined;
    for (;;) {
      const at = r.offset;
      const t = r.u8('an attribute or END');
      if (t === END) return out;
      if (t === SWITCH_PAGE) {
        r.u8('a code page number'); // attribute code space: SyncML defines no attribute tokens on any page
      } else if (t === LITERAL) {
        const index = r.mbUint32('a literal attribute name index');
        current = { name: table.at(index, at), value: '' };
        out.push(current);
      } else if (t === STR_I || t === STR_T || t === ENTITY || t === OPAQUE) {
        if (current === undefined) throw new WbxmlError('unknown-token', 'attribute value before any attribute name', at);
        if (t === STR_I) current.value += r.termstr('an inline string');
        else if (t === STR_T) current.value += table.at(r.mbUint32('a string table reference'), at);
        else if (t === ENTITY) current.value += entity();
        else current.value += decodeUtf8(r.take(r.mbUint32('an opaque length'), 'opaque data'), at);
      } else if (t >= VALUE_TOKEN_MIN || t === PI || (t >= EXT_I_0 && t <= EXT_I_2)) {
        throw new WbxmlError('unsupported-token', `token 0x${t.toString(16)} in an attribute list`, at);
      } else {
        throw new WbxmlError('unknown-token', `attribute token 0x${t.toString(16)} is not defined for ${language.name}`, at);
      }
    }
  };

  /** Tag token (or LITERAL variant) `t` read at `at`. */
  const startElement = (t: number, at: number): void => {
    const id = t & ID_MASK;
    let name: string;
    let literal = false;
    if (id === LITERAL) {
      name = table.at(r.mbUint32('a literal tag name index'), at);
      literal = true;
    } else {
      const known = tagPage?.nameOf(id);
      if (known === undefined) {
        throw new WbxmlError('unknown-token', `tag token 0x${id.toString(16)} is not defined on ${language.name} code page ${tagPageNumber}`, at);
      }
      name = known;
    }
    elements += 1;
    if (elements > limits.maxElements) {
      throw new WbxmlError('too-many-elements', `more than ${limits.maxElements} elements`, at);
    }
    if (depthUsed + stack.length + 1 > limits.maxDepth) {
      throw new WbxmlError('too-deep', `element nesting deeper than ${limits.maxDepth}`, at);
    }
    const el: WbxmlElement = { type: 'element', page: tagPageNumber, name, literal, attributes: [], children: [], offset: at };
    if ((t & HAS_ATTRIBUTES) !== 0) el.attributes = attributes();
    const parent = stack[stack.length - 1];
    if (parent !== undefined) parent.children.push(el);
    else root = el;
    if ((t & HAS_CONTENT) !== 0) stack.push(el);
  };

  // body = *pi element *pi (§5.3); SyncML uses no processing instructions.
  for (;;) {
    const at = r.offset;
    const t = r.u8('the root element');
    if (t === SWITCH_PAGE) {
      switchPage();
      continue;
    }
    if (t === PI) throw new WbxmlError('unsupported-token', 'processing instructions are not used in SyncML', at);
    const id = t & ID_MASK;
    if (id < LITERAL) {
      throw new WbxmlError('unknown-token', `token 0x${t.toString(16)} where the root element was expected`, at);
    }
    startElement(t, at);
    break;
  }

  while (stack.length > 0) {
    const parent = stack[stack.length - 1] as WbxmlElement;
    const at = r.offset;
    const t = r.u8(`END of <${parent.name}> (opened at byte ${parent.offset})`);
    switch (t) {
      case END:
        stack.pop();
        break;
      case SWITCH_PAGE:
        switchPage();
        break;
      case STR_I:
        appendText(parent, r.termstr('an inline string'), at);
        break;
      case STR_T:
        appendText(parent, table.at(r.mbUint32('a string table reference'), at), at);
        break;
      case ENTITY:
        appendText(parent, entity(), at);
        break;
      case OPAQUE: {
        const length = r.mbUint32('an opaque length');
        parent.children.push({ type: 'opaque', bytes: r.take(length, 'opaque data'), offset: at });
        break;
      }
      case PI:
      case EXT_I_0:
      case EXT_I_1:
      case EXT_I_2:
      case EXT_T_0:
      case EXT_T_1:
      case EXT_T_2:
      case EXT_0:
      case EXT_1:
      case EXT_2:
        throw new WbxmlError('unsupported-token', `global token 0x${t.toString(16)} is not used in SyncML`, at);
      default:
        startElement(t, at);
    }
  }

  if (!r.atEnd) throw new WbxmlError('trailing-data', `${r.remaining} bytes after the root element`, r.offset);
  if (root === undefined) throw new WbxmlError('truncated', 'no root element', r.offset);
  return { document: { version, publicId, charset, language, root }, elementsUsed: elements };
}
