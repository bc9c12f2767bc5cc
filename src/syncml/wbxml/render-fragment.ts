import { decodeUtf8 } from './byte-reader.js';
import type { WbxmlLanguage } from './code-pages.js';
import { WbxmlError } from './wbxml-error.js';
import type { WbxmlNode } from './wbxml-tree.js';
import { escapeText, NAME_AT } from '../xml-text.js';
import { XmlWriter, type Attributes } from '../xml-writer.js';

function checkName(name: string, offset: number): string {
  NAME_AT.lastIndex = 0;
  const m = NAME_AT.exec(name);
  if (m === null || m[0].length !== name.length) throw new WbxmlError('invalid-structure', `"${name}" is not an XML name`, offset);
  return name;
}

/**
 * Markup nested inside a Data element (element tokens of any code page, LITERAL tags, attributes, text, OPAQUE text)
 * → the XML text it stands for, through the codec's XmlWriter and escapers. An element whose code page stands for
 * another namespace than its parent's gets an xmlns attribute, as wbxml2xml writes it.
 */
export function renderFragment(nodes: readonly WbxmlNode[], language: WbxmlLanguage, inheritedNamespace: string): string {
  const render = (node: WbxmlNode, ns: string): string => {
    if (node.type === 'text') return escapeText(node.text);
    if (node.type === 'opaque') return escapeText(decodeUtf8(node.bytes, node.offset));
    const attrs: [string, string][] = node.attributes.map((a) => [checkName(a.name, node.offset), a.value]);
    let childNs = attrs.find(([n]) => n === 'xmlns')?.[1] ?? ns;
    const pageNs = node.literal ? undefined : language.page(node.page)?.namespace;
    if (pageNs !== undefined && pageNs !== childNs) {
      attrs.unshift(['xmlns', pageNs]);
      childNs = pageNs;
    }
    const inner = node.children.map((c) => render(c, childNs)).join('');
    const w = new XmlWriter();
    const name = checkName(node.name, node.offset);
    const a: Attributes = attrs;
    if (inner === '') w.empty(name, a);
    else w.markup(name, inner, a);
    return w.toString();
  };
  return nodes.map((n) => render(n, inheritedNamespace)).join('');
}
