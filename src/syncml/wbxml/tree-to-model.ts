import { XMLValidator } from 'fast-xml-parser';
import type {
  Alert,
  Chal,
  Command,
  Container,
  Cred,
  DataValue,
  Item,
  ItemCommand,
  LocRef,
  Meta,
  Results,
  Status,
  SyncBody,
  SyncHdr,
  SyncML,
} from '../model.js';
import { ByteReader, decodeUtf8 } from './byte-reader.js';
import { DEVINF_LANGUAGE, SYNCML_PAGE_NUMBER, type WbxmlLanguage } from './code-pages.js';
import { decodeDocument } from './decode-document.js';
import { FormalPublicId, PublicId } from './global-tokens.js';
import { renderFragment } from './render-fragment.js';
import { WbxmlError } from './wbxml-error.js';
import type { WbxmlLimits } from './wbxml-limits.js';
import type { WbxmlDocument, WbxmlElement, WbxmlOpaque } from './wbxml-tree.js';

interface Context {
  language: WbxmlLanguage;
  /** Namespace of code page 0, inherited by markup nested in Data. */
  namespace: string;
  limits: WbxmlLimits;
  elementsUsed: number;
}

const DEVINF_PUBLIC_IDS: ReadonlySet<number> = new Set([PublicId.DEVINF_1_0, PublicId.DEVINF_1_1, PublicId.DEVINF_1_2]);

function invalid(message: string, at: { offset: number }): WbxmlError {
  return new WbxmlError('invalid-structure', message, at.offset);
}

function noAttributes(el: WbxmlElement): void {
  if (el.attributes.length > 0) throw invalid(`<${el.name}> carries attributes; SyncML elements have none`, el);
}

/** The element children of a container element, by name; text between them must be white space. */
class Children {
  private readonly byName = new Map<string, WbxmlElement[]>();

  constructor(readonly parent: WbxmlElement) {
    noAttributes(parent);
    for (const child of parent.children) {
      if (child.type === 'element') {
        const list = this.byName.get(child.name);
        if (list) list.push(child);
        else this.byName.set(child.name, [child]);
      } else if (child.type === 'opaque' || child.text.trim() !== '') {
        throw invalid(`<${parent.name}> holds character data where only elements belong`, child);
      }
    }
  }

  all(name: string): WbxmlElement[] {
    return this.byName.get(name) ?? [];
  }

  opt(name: string): WbxmlElement | undefined {
    const list = this.all(name);
    if (list.length > 1) throw invalid(`<${this.parent.name}> has more than one <${name}>`, list[1] as WbxmlElement);
    return list[0];
  }

  one(name: string): WbxmlElement {
    const el = this.opt(name);
    if (el === undefined) throw invalid(`<${this.parent.name}> lacks <${name}>`, this.parent);
    return el;
  }

  has(name: string): boolean {
    return this.opt(name) !== undefined;
  }
}

/** Character content of a leaf element: inline and table strings, entities, and OPAQUE read as UTF-8. */
function text(el: WbxmlElement): string {
  noAttributes(el);
  let out = '';
  for (const child of el.children) {
    if (child.type === 'text') out += child.text;
    else if (child.type === 'opaque') out += decodeUtf8(child.bytes, child.offset);
    else throw invalid(`<${el.name}> holds element <${child.name}> where only text belongs`, child);
  }
  return out;
}

function optText(c: Children, name: string): string | undefined {
  const el = c.opt(name);
  return el === undefined ? undefined : text(el);
}

function number(el: WbxmlElement): number {
  const raw = text(el).trim();
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n)) throw invalid(`<${el.name}> is not a non-negative integer: "${raw}"`, el);
  return n;
}

function locRef(el: WbxmlElement): LocRef {
  const c = new Children(el);
  const ref: LocRef = { locURI: text(c.one('LocURI')) };
  const locName = optText(c, 'LocName');
  if (locName !== undefined) ref.locName = locName;
  return ref;
}

function meta(el: WbxmlElement): Meta {
  const c = new Children(el);
  const m: Meta = {};
  const format = optText(c, 'Format');
  if (format !== undefined) m.format = format;
  const type = optText(c, 'Type');
  if (type !== undefined) m.type = type;
  const mark = optText(c, 'Mark');
  if (mark !== undefined) m.mark = mark;
  const size = c.opt('Size');
  if (size !== undefined) m.size = number(size);
  const nextNonce = optText(c, 'NextNonce');
  if (nextNonce !== undefined) m.nextNonce = nextNonce;
  const version = optText(c, 'Version');
  if (version !== undefined) m.version = version;
  const maxMsgSize = c.opt('MaxMsgSize');
  if (maxMsgSize !== undefined) m.maxMsgSize = number(maxMsgSize);
  const maxObjSize = c.opt('MaxObjSize');
  if (maxObjSize !== undefined) m.maxObjSize = number(maxObjSize);
  const emi = c.all('EMI');
  if (emi.length > 0) m.emi = emi.map(text);
  return m;
}

/** Markup-looking text (first non-blank character '<') that is well-formed XML. */
function looksLikeXml(s: string): boolean {
  const first = s.trimStart()[0];
  return first === '<' && XMLValidator.validate(s) === true;
}

/** Whether OPAQUE bytes are a DevInf WBXML document (header sniff; any doubt means no). */
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

/** Characters XML 1.0 cannot carry (its Char production): C0 controls other than TAB/LF/CR, U+FFFE, U+FFFF. */
const NON_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** The bytes as text when they are valid UTF-8 made only of XML characters; undefined for binary. */
function xmlCharsOrUndefined(bytes: Uint8Array): string | undefined {
  let s: string;
  try {
    s = decodeUtf8(bytes, 0);
  } catch {
    return undefined;
  }
  return NON_XML_CHAR.test(s) ? undefined : s;
}

/**
 * OPAQUE as the whole content of Data:
 * - a DevInf WBXML document (DS puts DevInf there with Type application/vnd.syncml-devinf+wbxml) → its XML, as `xml`;
 * - valid UTF-8 of XML characters → the text, as `xml` when it is well-formed markup (how the encoder writes `xml`
 *   values), else `text`;
 * - anything else (binary, e.g. Format bin, or a nested WBXML document of another kind) → `text` holding the bytes in
 *   base64, since the model (like XML) can only carry characters.
 */
function opaqueData(op: WbxmlOpaque, depth: number, ctx: Context): DataValue {
  if (isNestedDevInf(op.bytes)) {
    const nested = decodeDocument(op.bytes, {
      limits: ctx.limits,
      languageFor: (id) => (DEVINF_PUBLIC_IDS.has(id) ? DEVINF_LANGUAGE : undefined),
      base: op.offset,
      depthUsed: depth,
      elementsUsed: ctx.elementsUsed,
    });
    ctx.elementsUsed = nested.elementsUsed;
    return { kind: 'xml', xml: renderFragment([nested.document.root], DEVINF_LANGUAGE, ctx.namespace) };
  }
  const s = xmlCharsOrUndefined(op.bytes);
  if (s === undefined) return { kind: 'text', text: Buffer.from(op.bytes).toString('base64') };
  return looksLikeXml(s) ? { kind: 'xml', xml: s } : { kind: 'text', text: s };
}

/** Data: nested elements → `xml` (rendered); strings only → `text`; OPAQUE → see opaqueData. */
function dataValue(el: WbxmlElement, depth: number, ctx: Context): DataValue {
  noAttributes(el);
  const kids = el.children;
  const only = kids.length === 1 ? kids[0] : undefined;
  if (only?.type === 'opaque') return opaqueData(only, depth, ctx);
  if (kids.some((k) => k.type === 'element')) {
    return { kind: 'xml', xml: renderFragment(kids, ctx.language, ctx.namespace) };
  }
  const s = text(el);
  return kids.some((k) => k.type === 'opaque') && looksLikeXml(s) ? { kind: 'xml', xml: s } : { kind: 'text', text: s };
}

function dataString(el: WbxmlElement, depth: number, ctx: Context): string {
  const v = dataValue(el, depth, ctx);
  return v.kind === 'text' ? v.text : v.xml;
}

function cred(el: WbxmlElement, depth: number, ctx: Context): Cred {
  const c = new Children(el);
  const out: Cred = { data: dataString(c.one('Data'), depth + 1, ctx) };
  const m = c.opt('Meta');
  if (m !== undefined) out.meta = meta(m);
  return out;
}

function chal(el: WbxmlElement): Chal {
  return { meta: meta(new Children(el).one('Meta')) };
}

function item(el: WbxmlElement, depth: number, ctx: Context): Item {
  const c = new Children(el);
  const out: Item = {};
  const target = c.opt('Target');
  if (target !== undefined) out.target = locRef(target);
  const source = c.opt('Source');
  if (source !== undefined) out.source = locRef(source);
  const m = c.opt('Meta');
  if (m !== undefined) out.meta = meta(m);
  const data = c.opt('Data');
  if (data !== undefined) out.data = dataValue(data, depth + 1, ctx);
  if (c.has('MoreData')) out.moreData = true;
  return out;
}

function items(c: Children, depth: number, ctx: Context): Item[] {
  return c.all('Item').map((i) => item(i, depth + 1, ctx));
}

function refs(c: Children, name: string): string[] | undefined {
  const list = c.all(name);
  return list.length > 0 ? list.map(text) : undefined;
}

const ITEM_COMMANDS: ReadonlySet<string> = new Set(['Add', 'Delete', 'Get', 'Replace', 'Exec', 'Copy']);
const OTHER_COMMANDS: ReadonlySet<string> = new Set(['Alert', 'Atomic', 'Sequence', 'Results', 'Status']);

function command(el: WbxmlElement, depth: number, ctx: Context): Command {
  if (!ITEM_COMMANDS.has(el.name) && !OTHER_COMMANDS.has(el.name)) {
    // Kept, never dropped: the session engine answers it (OMA-SUP: 400 for an unknown command element).
    const cmdID = el.children.find((k): k is WbxmlElement => k.type === 'element' && k.name === 'CmdID');
    return cmdID === undefined ? { kind: 'Unknown', name: el.name } : { kind: 'Unknown', name: el.name, cmdID: text(cmdID) };
  }
  const c = new Children(el);
  const cmdID = text(c.one('CmdID'));
  const noResp = c.has('NoResp');
  const base = noResp ? { cmdID, noResp } : { cmdID };
  switch (el.name) {
    case 'Alert': {
      const out: Alert = { kind: 'Alert', ...base, data: optText(c, 'Data') ?? '', items: items(c, depth, ctx) };
      const cr = c.opt('Cred');
      if (cr !== undefined) out.cred = cred(cr, depth + 1, ctx);
      const correlator = optText(c, 'Correlator');
      if (correlator !== undefined) out.correlator = correlator;
      return out;
    }
    case 'Atomic':
    case 'Sequence': {
      const out: Container = { kind: el.name, ...base, commands: commands(el, depth, ctx) };
      const m = c.opt('Meta');
      if (m !== undefined) out.meta = meta(m);
      return out;
    }
    case 'Results': {
      const out: Results = { kind: 'Results', ...base, cmdRef: text(c.one('CmdRef')), items: items(c, depth, ctx) };
      const msgRef = optText(c, 'MsgRef');
      if (msgRef !== undefined) out.msgRef = msgRef;
      const m = c.opt('Meta');
      if (m !== undefined) out.meta = meta(m);
      const targetRef = refs(c, 'TargetRef');
      if (targetRef !== undefined) out.targetRef = targetRef;
      const sourceRef = refs(c, 'SourceRef');
      if (sourceRef !== undefined) out.sourceRef = sourceRef;
      return out;
    }
    case 'Status': {
      const out: Status = {
        kind: 'Status',
        ...base,
        cmdRef: text(c.one('CmdRef')),
        cmd: text(c.one('Cmd')),
        data: dataString(c.one('Data'), depth + 1, ctx),
        items: items(c, depth, ctx),
      };
      const msgRef = optText(c, 'MsgRef');
      if (msgRef !== undefined) out.msgRef = msgRef;
      const targetRef = refs(c, 'TargetRef');
      if (targetRef !== undefined) out.targetRef = targetRef;
      const sourceRef = refs(c, 'SourceRef');
      if (sourceRef !== undefined) out.sourceRef = sourceRef;
      const cr = c.opt('Cred');
      if (cr !== undefined) out.cred = cred(cr, depth + 1, ctx);
      const ch = c.opt('Chal');
      if (ch !== undefined) out.chal = chal(ch);
      return out;
    }
    default: {
      const out: ItemCommand = { kind: el.name as ItemCommand['kind'], ...base, items: items(c, depth, ctx) };
      const cr = c.opt('Cred');
      if (cr !== undefined) out.cred = cred(cr, depth + 1, ctx);
      const m = c.opt('Meta');
      if (m !== undefined) out.meta = meta(m);
      const correlator = optText(c, 'Correlator');
      if (correlator !== undefined) out.correlator = correlator;
      return out;
    }
  }
}

/** Elements of Atomic/Sequence that are not its own fields, in document order, as commands. */
const CONTAINER_FIELDS: ReadonlySet<string> = new Set(['CmdID', 'NoResp', 'Meta']);

function commands(el: WbxmlElement, depth: number, ctx: Context): Command[] {
  return el.children
    .filter((k): k is WbxmlElement => k.type === 'element' && !CONTAINER_FIELDS.has(k.name))
    .map((k) => command(k, depth + 1, ctx));
}

function syncHdr(el: WbxmlElement, ctx: Context): SyncHdr {
  const c = new Children(el);
  const hdr: SyncHdr = {
    verDTD: text(c.one('VerDTD')),
    verProto: text(c.one('VerProto')),
    sessionID: text(c.one('SessionID')),
    msgID: text(c.one('MsgID')),
    target: locRef(c.one('Target')),
    source: locRef(c.one('Source')),
  };
  const respURI = optText(c, 'RespURI');
  if (respURI !== undefined) hdr.respURI = respURI;
  if (c.has('NoResp')) hdr.noResp = true;
  const cr = c.opt('Cred');
  if (cr !== undefined) hdr.cred = cred(cr, 3, ctx);
  const m = c.opt('Meta');
  if (m !== undefined) hdr.meta = meta(m);
  return hdr;
}

function syncBody(el: WbxmlElement, ctx: Context): SyncBody {
  const c = new Children(el);
  const final = c.has('Final');
  const cmds = el.children
    .filter((k): k is WbxmlElement => k.type === 'element' && k.name !== 'Final')
    .map((k) => command(k, 3, ctx));
  return { commands: cmds, final };
}

/** Element tree of a SyncML WBXML document → the typed model (the same model the XML codec produces). */
export function treeToModel(doc: WbxmlDocument, limits: WbxmlLimits, elementsUsed: number): SyncML {
  const { root } = doc;
  if (root.name !== 'SyncML') {
    throw new WbxmlError('not-syncml', `root element is <${root.name}>, not <SyncML>`, root.offset);
  }
  const ctx: Context = {
    language: doc.language,
    namespace: doc.language.page(SYNCML_PAGE_NUMBER)?.namespace ?? '',
    limits,
    elementsUsed,
  };
  const c = new Children(root);
  return { header: syncHdr(c.one('SyncHdr'), ctx), body: syncBody(c.one('SyncBody'), ctx) };
}
