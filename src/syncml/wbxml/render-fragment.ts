import { XMLBuilder } from 'fast-xml-parser';
import { decodeUtf8 } from './byte-reader.js';
import type { WbxmlLanguage } from './code-pages.js';
import { WbxmlError } from './wbxml-error.js';
import type { WbxmlNode } from './wbxml-tree.js';

/** XML 1.0 Name (production [5]), for names that came from the string table. */
const XML_NAME =
  /^[:A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD][:A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\-.0-9\u00B7\u0300-\u036F\u203F-\u2040]*$/u;

const ATTR_PREFIX = '@_';

const builder = new XMLBuilder({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: ATTR_PREFIX,
  suppressEmptyNode: true,
  processEntities: true,
  format: false,
});

type BuilderNode = Record<string, unknown>;

function checkName(name: string, offset: number): string {
  if (!XML_NAME.test(name)) throw new WbxmlError('invalid-structure', `"${name}" is not an XML name`, offset);
  return name;
}

/**
 * Markup nested inside a Data element (element tokens of any code page, LITERAL tags, attributes, text, OPAQUE
 * text) → the XML text it stands for, through fast-xml-parser's builder (which does the escaping). An element whose
 * code page stands for another namespace than its parent's gets an xmlns attribute, as wbxml2xml does.
 */
export function renderFragment(nodes: readonly WbxmlNode[], language: WbxmlLanguage, inheritedNamespace: string): string {
  const convert = (list: readonly WbxmlNode[], ns: string): BuilderNode[] =>
    list.map((node): BuilderNode => {
      if (node.type === 'text') return { '#text': node.text };
      if (node.type === 'opaque') return { '#text': decodeUtf8(node.bytes, node.offset) };
      const attrs: Record<string, string> = {};
      let childNs = ns;
      for (const a of node.attributes) {
        attrs[ATTR_PREFIX + checkName(a.name, node.offset)] = a.value;
        if (a.name === 'xmlns') childNs = a.value;
      }
      if (!node.literal) {
        const pageNs = language.page(node.page)?.namespace;
        if (pageNs !== undefined && pageNs !== ns && attrs[`${ATTR_PREFIX}xmlns`] === undefined) {
          attrs[`${ATTR_PREFIX}xmlns`] = pageNs;
          childNs = pageNs;
        }
      }
      const out: BuilderNode = { [checkName(node.name, node.offset)]: convert(node.children, childNs) };
      if (Object.keys(attrs).length > 0) out[':@'] = attrs;
      return out;
    });
  return builder.build(convert(nodes, inheritedNamespace)) as string;
}
