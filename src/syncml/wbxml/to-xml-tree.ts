import type { XmlElement, XmlNode } from '../xml-tree.js';
import { escapeAttribute, escapeText } from '../xml-text.js';
import { decodeUtf8 } from './byte-reader.js';
import { dataMarkup, xmlText, type DataContext } from './data-markup.js';
import type { WbxmlElement } from './wbxml-tree.js';

export interface XmlView {
  root: XmlElement;
  /** Byte offset of the tag token each element came from. */
  offsets: Map<XmlElement, number>;
}

const NO_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze(Object.create(null) as Record<string, string>);

/** Local name, as the XML tree builder gives it (removeNSPrefix). */
function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

/**
 * The WBXML element tree as the XML codec's element tree (xml-tree.ts), so both encodings go through the same reader
 * (read-message.ts) into the model: text becomes escaped character data (read back exactly, CR included), Data
 * becomes the raw inner markup the reader classifies into `text` or `xml` (see data-markup.ts).
 */
export function toXmlTree(root: WbxmlElement, ctx: DataContext): XmlView {
  const offsets = new Map<XmlElement, number>();
  const convert = (el: WbxmlElement, depth: number): XmlElement => {
    const name = localName(el.name);
    const attributes = el.attributes.length === 0 ? NO_ATTRIBUTES : (Object.create(null) as Record<string, string>);
    for (const a of el.attributes) {
      if (a.name === 'xmlns' || a.name.startsWith('xmlns:')) continue;
      attributes[localName(a.name)] = escapeAttribute(xmlText(a.value, el.offset));
    }
    let children: XmlNode[];
    if (name === 'Data') {
      const raw = dataMarkup(el.children, depth, ctx);
      children = raw === '' ? [] : [{ kind: 'raw', value: raw }];
    } else {
      children = el.children.map((c): XmlNode => {
        if (c.type === 'element') return convert(c, depth + 1);
        const text = c.type === 'text' ? c.text : decodeUtf8(c.bytes, c.offset);
        return { kind: 'text', value: escapeText(xmlText(text, c.offset)) };
      });
    }
    const out: XmlElement = { kind: 'element', name, attributes, children };
    offsets.set(out, el.offset);
    return out;
  };
  return { root: convert(root, 1), offsets };
}

/**
 * Best-effort byte offset for an element path from the XML reader ("SyncML/SyncBody/Alert[2]/Item[1]/Meta"):
 * the deepest element the path resolves to. An index counts same-name siblings, or all element siblings (SyncBody).
 */
export function offsetOfPath(view: XmlView, path: string | undefined): number {
  let el = view.root;
  for (const segment of (path ?? '').split('/').slice(1)) {
    const m = /^([^[]+)(?:\[(\d+)\])?$/.exec(segment);
    if (m === null) break;
    const [, name, index] = m;
    const elements = el.children.filter((c): c is XmlElement => c.kind === 'element');
    const same = elements.filter((c) => c.name === name);
    let next: XmlElement | undefined;
    if (index === undefined) next = same[0];
    else {
      const i = Number(index) - 1;
      const overall = elements[i];
      next = overall?.name === name ? overall : same[i];
    }
    if (next === undefined) break;
    el = next;
  }
  return view.offsets.get(el) ?? 0;
}
