/**
 * Primitives for reading the element tree into the model. Every failure is an 'invalid-structure'
 * SyncMLParseError naming the element path; read-command.ts turns such a failure inside a command
 * into an Unknown command, anywhere else it rejects the message.
 *
 * Child order is not enforced on input (devices and Microsoft samples vary it, e.g. Meta before
 * Target in Item, MsgRef before CmdID in Status); repeated children keep their relative order.
 */
import { SyncMLParseError } from './parse-error.js';
import { readDataValue } from './data-value.js';
import type { DataValue } from './model.js';
import type { XmlElement, XmlNode } from './xml-tree.js';
import { normaliseLineEndings, trimXmlSpace, unescapeXml } from './xml-text.js';

export function structureError(path: string, message: string): SyncMLParseError {
  return new SyncMLParseError('invalid-structure', message, { path });
}

/** Children grouped by local name. Unknown names and non-whitespace text are errors. */
export class Children {
  private readonly groups = new Map<string, XmlElement[]>();

  constructor(
    readonly element: XmlElement,
    readonly path: string,
    allowed: readonly string[],
  ) {
    for (const child of element.children) {
      if (child.kind !== 'element') {
        rejectText(child, path);
        continue;
      }
      if (!allowed.includes(child.name)) throw structureError(path, `unexpected element <${child.name}> in <${element.name}>`);
      const list = this.groups.get(child.name);
      if (list === undefined) this.groups.set(child.name, [child]);
      else list.push(child);
    }
  }

  all(name: string): XmlElement[] {
    return this.groups.get(name) ?? [];
  }

  optional(name: string): XmlElement | undefined {
    const list = this.all(name);
    if (list.length > 1) throw structureError(this.path, `<${this.element.name}> has ${list.length} <${name}> elements; at most one is allowed`);
    return list[0];
  }

  required(name: string): XmlElement {
    const el = this.optional(name);
    if (el === undefined) throw structureError(this.path, `<${this.element.name}> is missing <${name}>`);
    return el;
  }

  childPath(name: string): string {
    return `${this.path}/${name}`;
  }
}

/** Whitespace between elements is ignored; any other text (or CDATA) in element-only content is an error. */
export function rejectText(node: XmlNode, path: string): void {
  if (node.kind === 'element') return;
  if (node.kind === 'cdata' || trimXmlSpace(node.value) !== '') {
    const shown = trimXmlSpace(node.value).slice(0, 40);
    throw structureError(path, `unexpected text "${shown}" where only elements are allowed`);
  }
}

/**
 * Character content of a leaf element: text (unescaped) and CDATA concatenated, comments ignored.
 * `trim` for structural values (LocURI, CmdID, codes, Meta values); exact otherwise.
 */
export function readText(el: XmlElement, path: string, trim: boolean): string {
  let value = '';
  for (const child of el.children) {
    switch (child.kind) {
      case 'element':
        throw structureError(path, `unexpected element <${child.name}> inside <${el.name}>`);
      case 'text':
        value += unescapeXml(normaliseLineEndings(child.value));
        break;
      case 'cdata':
        value += normaliseLineEndings(child.value);
        break;
      case 'raw': {
        const data = readDataValue(child.value);
        if (data.kind === 'xml') throw structureError(path, `<${el.name}> must hold text, not markup`);
        value += data.text;
        break;
      }
    }
  }
  return trim ? trimXmlSpace(value) : value;
}

/** A required structural value: trimmed and not empty. */
export function readToken(el: XmlElement, path: string): string {
  const value = readText(el, path, true);
  if (value === '') throw structureError(path, `<${el.name}> is empty`);
  return value;
}

/** Content of a Data element (raw inner markup, see xml-tree.ts). */
export function readData(el: XmlElement): DataValue {
  const raw = el.children.map((c) => (c.kind === 'raw' ? c.value : '')).join('');
  return readDataValue(raw);
}

/** An EMPTY element used as a flag (NoResp, Final, MoreData). */
export function readFlag(el: XmlElement, path: string): true {
  for (const child of el.children) {
    if (child.kind === 'element' || child.kind === 'cdata' || trimXmlSpace(child.value) !== '') {
      throw structureError(path, `<${el.name}> must be empty`);
    }
  }
  return true;
}

/** The msft:originalerror attribute of a Data element, if present (MS-MDM §2.2.5.1). */
export function readOriginalError(el: XmlElement): string | undefined {
  const value = el.attributes['originalerror'];
  // Attribute-value normalisation (XML §3.3.3): literal whitespace becomes a space, then references resolve.
  return value === undefined ? undefined : trimXmlSpace(unescapeXml(value.replace(/[\t\n\r]/g, ' ')));
}
