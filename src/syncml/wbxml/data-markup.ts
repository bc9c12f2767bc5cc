import { checkXmlFragment } from '../xml-scan.js';
import { escapeText, FORBIDDEN_CHAR, firstUnencodableChar } from '../xml-text.js';
import { ByteReader, decodeUtf8 } from './byte-reader.js';
import { DEVINF_LANGUAGE, type WbxmlLanguage } from './code-pages.js';
import { decodeDocument } from './decode-document.js';
import { FormalPublicId, PublicId } from './global-tokens.js';
import { renderFragment } from './render-fragment.js';
import { WbxmlError } from './wbxml-error.js';
import type { WbxmlLimits } from './wbxml-limits.js';
import type { WbxmlNode, WbxmlOpaque } from './wbxml-tree.js';

export interface DataContext {
  language: WbxmlLanguage;
  /** Namespace of code page 0, inherited by markup nested in Data. */
  namespace: string;
  limits: WbxmlLimits;
  /** Elements counted so far (nested DevInf documents add to it). */
  elementsUsed: number;
}

const DEVINF_PUBLIC_IDS: ReadonlySet<number> = new Set([PublicId.DEVINF_1_0, PublicId.DEVINF_1_1, PublicId.DEVINF_1_2]);

/**
 * Text that XML can carry; anything else is refused like the XML parser refuses it. Strings decoded from UTF-8 cannot
 * hold lone surrogates, so only the forbidden characters need looking for.
 */
export function xmlText(text: string, offset: number): string {
  const bad = FORBIDDEN_CHAR.exec(text);
  if (bad !== null) {
    const hex = text.charCodeAt(bad.index).toString(16).toUpperCase().padStart(4, '0');
    throw new WbxmlError('invalid-char', `U+${hex} is not an XML character`, offset);
  }
  return text;
}

/**
 * Well-formed element content holding at least one element: the condition under which the XML serializer writes an
 * `xml` Data value verbatim, and so the condition under which OPAQUE is read back as markup.
 */
function isMarkup(s: string): boolean {
  if (firstUnencodableChar(s) !== -1 || checkXmlFragment(s) !== undefined) return false;
  return /<[^!?/]/.test(s.replace(/<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->/g, ''));
}

/** Whether OPAQUE bytes are a DevInf WBXML document (a header sniff; any doubt means no). */
function isNestedDevInf(bytes: Uint8Array): boolean {
  try {
    const r = new ByteReader(bytes);
    const version = r.u8('version');
    if (version < 0x01 || version > 0x03) return false;
    const publicId = r.mbUint32('public id');
    if (publicId !== PublicId.STRING_TABLE) return DEVINF_PUBLIC_IDS.has(publicId);
    const index = r.mbUint32('index');
    r.mbUint32('charset');
    const table = r.take(r.mbUint32('table length'), 'table');
    const end = table.indexOf(0, index);
    if (index >= table.length || end < 0) return false;
    const id = FormalPublicId[decodeUtf8(table.subarray(index, end), 0)];
    return id !== undefined && DEVINF_PUBLIC_IDS.has(id);
  } catch {
    return false;
  }
}

/** The bytes as text when they are UTF-8 made only of characters XML can carry; undefined for binary. */
function asText(bytes: Uint8Array): string | undefined {
  let s: string;
  try {
    s = decodeUtf8(bytes, 0);
  } catch {
    return undefined;
  }
  return firstUnencodableChar(s) === -1 ? s : undefined;
}

/**
 * OPAQUE inside Data, as the markup it stands for:
 * - a DevInf WBXML document (DS puts DevInf there, Meta Type application/vnd.syncml-devinf+wbxml) → its XML;
 * - UTF-8 text that is well-formed markup with an element (how encodeWbxml writes `xml` values) → verbatim;
 * - other UTF-8 text → escaped, i.e. character data (xml2wbxml writes all Item Data text as OPAQUE);
 * - anything else (binary: Format bin, or a nested WBXML document of another kind) → its base64, as text,
 *   because the model, like XML, carries only characters.
 */
function opaqueMarkup(op: WbxmlOpaque, depth: number, ctx: DataContext): string {
  if (isNestedDevInf(op.bytes)) {
    const nested = decodeDocument(op.bytes, {
      limits: ctx.limits,
      languageFor: (id) => (DEVINF_PUBLIC_IDS.has(id) ? DEVINF_LANGUAGE : undefined),
      base: op.offset,
      depthUsed: depth,
      elementsUsed: ctx.elementsUsed,
    });
    ctx.elementsUsed = nested.elementsUsed;
    return renderFragment([nested.document.root], DEVINF_LANGUAGE, ctx.namespace);
  }
  const s = asText(op.bytes);
  if (s === undefined) return Buffer.from(op.bytes).toString('base64');
  return isMarkup(s) ? s : escapeText(s);
}

/**
 * The content of a Data element as the raw inner markup the XML codec's reader classifies (data-value.ts):
 * strings become escaped character data, nested element tokens become rendered markup, OPAQUE as above.
 * `depth` is the depth of the Data element (for the budget of a nested document).
 */
export function dataMarkup(nodes: readonly WbxmlNode[], depth: number, ctx: DataContext): string {
  let out = '';
  for (const node of nodes) {
    if (node.type === 'text') out += escapeText(xmlText(node.text, node.offset));
    else if (node.type === 'opaque') out += opaqueMarkup(node, depth, ctx);
    else out += renderFragment([node], ctx.language, ctx.namespace);
  }
  return out;
}
