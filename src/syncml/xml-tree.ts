/**
 * Builds a small ordered element tree from text the pre-scan has already validated, with
 * fast-xml-parser (one parse). Element names are local names (prefixes removed); namespaces are
 * not needed past the root, which the pre-scan checked. `Data` is a stop node: its inner markup is
 * kept raw so escaped text, CDATA and embedded XML can be told apart (data-value.ts).
 */
import { XMLParser } from 'fast-xml-parser';
import { SyncMLParseError } from './parse-error.js';
import { MAX_SUPPORTED_DEPTH } from './parse-limits.js';

export interface XmlElement {
  kind: 'element';
  /** Local name. */
  name: string;
  /** Attributes by local name, values as written (not unescaped). */
  attributes: Readonly<Record<string, string>>;
  children: XmlNode[];
}

/** `raw` is the verbatim inner markup of a stop node (Data). */
export type XmlNode = XmlElement | { kind: 'text'; value: string } | { kind: 'cdata'; value: string } | { kind: 'raw'; value: string };

// Names are prefixed with '$' before fast-xml-parser sees them, so no XML name can collide with
// its own keys or trip its prototype-pollution guard ('$' is not an XML name character).
const NAME_MARK = '$';
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  transformTagName: (name) => NAME_MARK + name,
  transformAttributeName: (name) => NAME_MARK + name,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata',
  stopNodes: [`*.${NAME_MARK}Data`],
  // Depth is enforced by the pre-scan (ParseLimits.maxDepth, at most MAX_SUPPORTED_DEPTH).
  maxNestedTags: MAX_SUPPORTED_DEPTH,
  // Hand callbacks the matcher, not a path string built for every node (a large share of the cost).
  jPath: false,
});

type FxpNode = Record<string, unknown>;

/** Returns the root element. Throws 'malformed' if fast-xml-parser rejects what the pre-scan accepted. */
export function buildTree(text: string): XmlElement {
  let parsed: unknown;
  try {
    parsed = parser.parse(text);
  } catch (cause) {
    throw new SyncMLParseError('malformed', `the XML parser rejected the document: ${(cause as Error).message}`, {}, { cause });
  }
  const top = convertList(parsed as FxpNode[], false);
  const root = top.find((n): n is XmlElement => n.kind === 'element');
  if (root === undefined) throw new SyncMLParseError('malformed', 'the document has no root element');
  return root;
}

function stripMark(name: string): string {
  let i = 0;
  while (name.charAt(i) === NAME_MARK) i++;
  return name.slice(i);
}

function convertList(nodes: readonly FxpNode[], rawContent: boolean): XmlNode[] {
  const out: XmlNode[] = [];
  for (const node of nodes) {
    if ('#text' in node) {
      const value = String(node['#text']);
      out.push(rawContent ? { kind: 'raw', value } : { kind: 'text', value });
      continue;
    }
    if ('#cdata' in node) {
      const inner = node['#cdata'] as FxpNode[];
      out.push({ kind: 'cdata', value: inner.map((t) => String(t['#text'] ?? '')).join('') });
      continue;
    }
    for (const key of Object.keys(node)) {
      if (key === ':@') continue;
      const name = stripMark(key);
      const attributes = Object.create(null) as Record<string, string>;
      const attrs = node[':@'] as Record<string, unknown> | undefined;
      if (attrs !== undefined) for (const [k, v] of Object.entries(attrs)) attributes[stripMark(k)] = String(v);
      const children = convertList(node[key] as FxpNode[], name === 'Data');
      out.push({ kind: 'element', name, attributes, children });
    }
  }
  return out;
}
