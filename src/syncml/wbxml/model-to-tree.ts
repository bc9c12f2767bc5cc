import type { Alert, Chal, Command, Container, Cred, DataValue, Item, ItemCommand, LocRef, Meta, Results, Status, SyncHdr, SyncML } from '../model.js';
import { isMetaNumber } from '../meta-number.js';
import { COMMAND_NAMES, CONTAINER_FIELDS } from '../read-command.js';
import { SyncMLSerializeError } from '../serialize-error.js';
import { checkXmlFragment } from '../xml-scan.js';
import { firstUnencodableChar, isNCName, trimXmlSpace } from '../xml-text.js';
import { METINF_PAGE_NUMBER, SYNCML_1_2_LANGUAGE, SYNCML_PAGE_NUMBER } from './code-pages.js';
import type { WbxmlAttribute, WbxmlElement, WbxmlNode } from './wbxml-tree.js';

/**
 * SyncML model → element tree. It follows serialize.ts rule for rule (element order of the SyncML RepPro 1.2 DTD,
 * MetInf order, Cmd in Results per MS-MDM §2.2.7.8, msft:originalerror on Data) and refuses the same models with the
 * same SyncMLSerializeError and path, so a reply encodes in WBXML exactly when it serialises to XML.
 * Text becomes strings (STR_I/STR_T); an `xml` Data value becomes OPAQUE holding its UTF-8 bytes, verbatim.
 */
const MSFT_NS = 'http://schemas.microsoft.com/MobileDevice/MDM';
const utf8 = new TextEncoder();

type Parent = 'SyncBody' | 'Atomic' | 'Sequence';

function el(name: string, children: WbxmlNode[] = [], page = SYNCML_PAGE_NUMBER, attributes: WbxmlAttribute[] = []): WbxmlElement {
  return { type: 'element', page, name, literal: false, attributes, children, offset: 0 };
}

function checked(value: string, path: string): string {
  const bad = firstUnencodableChar(value);
  if (bad !== -1) {
    const hex = value.charCodeAt(bad).toString(16).toUpperCase().padStart(4, '0');
    throw new SyncMLSerializeError(path, `U+${hex} at index ${bad} cannot be carried in XML`);
  }
  return value;
}

/** A text element. */
function text(name: string, value: string, path: string, page = SYNCML_PAGE_NUMBER, attributes?: WbxmlAttribute[]): WbxmlElement {
  return el(name, [{ type: 'text', text: checked(value, path), offset: 0 }], page, attributes);
}

/** A required structural value: must not be empty or blank, or it would not read back. */
function token(name: string, value: string, path: string, attributes?: WbxmlAttribute[]): WbxmlElement {
  if (trimXmlSpace(value) === '') throw new SyncMLSerializeError(path, `${name} must not be empty`);
  return text(name, value, path, SYNCML_PAGE_NUMBER, attributes);
}

/** 'xml' Data must be well-formed element content with at least one element and LF line ends (as serialize.ts). */
function checkXmlData(xml: string): string | undefined {
  if (xml.includes('\r')) return 'it contains CR (XML would turn it into LF); use \\n';
  const bad = firstUnencodableChar(xml);
  if (bad !== -1) return `character at index ${bad} cannot be carried in XML`;
  const problem = checkXmlFragment(xml);
  if (problem !== undefined) return problem;
  if (!/<[^!?/]/.test(xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->/g, ''))) return 'it contains no element; use text Data';
  return undefined;
}

function originalErrorAttributes(value: string | undefined, path: string): WbxmlAttribute[] | undefined {
  if (value === undefined) return undefined;
  return [
    { name: 'xmlns:msft', value: MSFT_NS },
    { name: 'msft:originalerror', value: checked(value, path) },
  ];
}

function locRef(name: string, ref: LocRef, path: string, required: boolean): WbxmlElement {
  const kids: WbxmlNode[] = [required ? token('LocURI', ref.locURI, `${path}.locURI`) : text('LocURI', ref.locURI, `${path}.locURI`)];
  if (ref.locName !== undefined) kids.push(text('LocName', ref.locName, `${path}.locName`));
  return el(name, kids);
}

function meta(m: Meta, path: string): WbxmlElement {
  const kids: WbxmlNode[] = [];
  const field = (name: string, value: string | undefined, f: string): void => {
    if (value !== undefined) kids.push(text(name, value, `${path}.${f}`, METINF_PAGE_NUMBER));
  };
  const number = (name: string, value: number | undefined, f: string): void => {
    if (value === undefined) return;
    if (!isMetaNumber(value)) throw new SyncMLSerializeError(`${path}.${f}`, `${name} must be a non-negative safe integer`);
    kids.push(text(name, String(value), `${path}.${f}`, METINF_PAGE_NUMBER));
  };
  field('Format', m.format, 'format');
  field('Type', m.type, 'type');
  field('Mark', m.mark, 'mark');
  number('Size', m.size, 'size');
  field('Version', m.version, 'version');
  field('NextNonce', m.nextNonce, 'nextNonce');
  number('MaxMsgSize', m.maxMsgSize, 'maxMsgSize');
  number('MaxObjSize', m.maxObjSize, 'maxObjSize');
  m.emi?.forEach((e, i) => kids.push(text('EMI', e, `${path}.emi[${i}]`, METINF_PAGE_NUMBER)));
  return el('Meta', kids);
}

function data(value: DataValue, path: string, attributes: WbxmlAttribute[] | undefined): WbxmlElement {
  if (value.kind === 'text') return text('Data', value.text, path, SYNCML_PAGE_NUMBER, attributes);
  const problem = checkXmlData(value.xml);
  if (problem !== undefined) throw new SyncMLSerializeError(path, `xml Data is not usable: ${problem}`);
  return el('Data', [{ type: 'opaque', bytes: utf8.encode(value.xml), offset: 0 }], SYNCML_PAGE_NUMBER, attributes);
}

function cred(c: Cred, path: string): WbxmlElement {
  const kids: WbxmlNode[] = [];
  if (c.meta !== undefined) kids.push(meta(c.meta, `${path}.meta`));
  kids.push(text('Data', c.data, `${path}.data`));
  return el('Cred', kids);
}

function chal(c: Chal, path: string): WbxmlElement {
  return el('Chal', [meta(c.meta, `${path}.meta`)]);
}

function item(i: Item, path: string): WbxmlElement {
  const kids: WbxmlNode[] = [];
  if (i.target !== undefined) kids.push(locRef('Target', i.target, `${path}.target`, false));
  if (i.source !== undefined) kids.push(locRef('Source', i.source, `${path}.source`, false));
  if (i.meta !== undefined) kids.push(meta(i.meta, `${path}.meta`));
  if (i.data !== undefined) kids.push(data(i.data, `${path}.data`, originalErrorAttributes(i.originalError, `${path}.originalError`)));
  else if (i.originalError !== undefined) throw new SyncMLSerializeError(`${path}.originalError`, 'originalError needs Data to sit on');
  if (i.moreData === true) kids.push(el('MoreData'));
  return el('Item', kids);
}

function items(list: readonly Item[], path: string): WbxmlElement[] {
  return list.map((i, n) => item(i, `${path}.items[${n}]`));
}

function refs(name: string, values: readonly string[] | undefined, path: string): WbxmlElement[] {
  return (values ?? []).map((v, i) => text(name, v, `${path}[${i}]`));
}

function base(c: { cmdID: string; noResp?: boolean }, path: string): WbxmlElement[] {
  const kids = [token('CmdID', c.cmdID, `${path}.cmdID`)];
  if (c.noResp === true) kids.push(el('NoResp'));
  return kids;
}

function noRespRefused(c: { noResp?: boolean }, path: string, kind: string): void {
  if (c.noResp === true) throw new SyncMLSerializeError(`${path}.noResp`, `${kind} has no NoResp element`);
}

function itemCommand(c: ItemCommand, path: string): WbxmlElement {
  if (c.correlator !== undefined && c.kind !== 'Exec') throw new SyncMLSerializeError(`${path}.correlator`, `Correlator is only allowed in Exec`);
  const kids: WbxmlNode[] = base(c, path);
  if (c.cred !== undefined) kids.push(cred(c.cred, `${path}.cred`));
  if (c.meta !== undefined) kids.push(meta(c.meta, `${path}.meta`));
  if (c.correlator !== undefined) kids.push(token('Correlator', c.correlator, `${path}.correlator`));
  kids.push(...items(c.items, path));
  return el(c.kind, kids);
}

function alert(c: Alert, path: string): WbxmlElement {
  const kids: WbxmlNode[] = base(c, path);
  if (c.cred !== undefined) kids.push(cred(c.cred, `${path}.cred`));
  kids.push(token('Data', c.data, `${path}.data`));
  if (c.correlator !== undefined) kids.push(token('Correlator', c.correlator, `${path}.correlator`));
  kids.push(...items(c.items, path));
  return el('Alert', kids);
}

function container(c: Container, path: string): WbxmlElement {
  const kids: WbxmlNode[] = base(c, path);
  if (c.meta !== undefined) kids.push(meta(c.meta, `${path}.meta`));
  c.commands.forEach((child, i) => kids.push(command(child, `${path}.commands[${i}]`, c.kind)));
  return el(c.kind, kids);
}

function results(c: Results, path: string): WbxmlElement {
  noRespRefused(c, path, 'Results');
  const kids: WbxmlNode[] = [token('CmdID', c.cmdID, `${path}.cmdID`)];
  if (c.msgRef !== undefined) kids.push(token('MsgRef', c.msgRef, `${path}.msgRef`));
  kids.push(token('CmdRef', c.cmdRef, `${path}.cmdRef`));
  if (c.cmd !== undefined) kids.push(token('Cmd', c.cmd, `${path}.cmd`));
  if (c.meta !== undefined) kids.push(meta(c.meta, `${path}.meta`));
  kids.push(...refs('TargetRef', c.targetRef, `${path}.targetRef`), ...refs('SourceRef', c.sourceRef, `${path}.sourceRef`));
  kids.push(...items(c.items, path));
  return el('Results', kids);
}

function status(c: Status, path: string): WbxmlElement {
  noRespRefused(c, path, 'Status');
  const kids: WbxmlNode[] = [token('CmdID', c.cmdID, `${path}.cmdID`)];
  if (c.msgRef !== undefined) kids.push(token('MsgRef', c.msgRef, `${path}.msgRef`));
  // Blank CmdRef allowed for a Status answering a command without a usable CmdID (as serialize.ts).
  kids.push(c.cmdRef === '' ? el('CmdRef', [], SYNCML_PAGE_NUMBER) : token('CmdRef', c.cmdRef, `${path}.cmdRef`), token('Cmd', c.cmd, `${path}.cmd`));
  kids.push(...refs('TargetRef', c.targetRef, `${path}.targetRef`), ...refs('SourceRef', c.sourceRef, `${path}.sourceRef`));
  if (c.cred !== undefined) kids.push(cred(c.cred, `${path}.cred`));
  if (c.chal !== undefined) kids.push(chal(c.chal, `${path}.chal`));
  kids.push(token('Data', c.data, `${path}.data`, originalErrorAttributes(c.originalError, `${path}.originalError`)));
  kids.push(...items(c.items, path));
  return el('Status', kids);
}

function command(c: Command, path: string, parent: Parent): WbxmlElement {
  if (parent !== 'SyncBody' && (c.kind === 'Status' || c.kind === 'Results')) {
    throw new SyncMLSerializeError(path, `${c.kind} cannot be nested in ${parent}`);
  }
  switch (c.kind) {
    case 'Add':
    case 'Copy':
    case 'Delete':
    case 'Exec':
    case 'Get':
    case 'Replace':
      return itemCommand(c, path);
    case 'Alert':
      return alert(c, path);
    case 'Atomic':
    case 'Sequence':
      return container(c, path);
    case 'Results':
      return results(c, path);
    case 'Status':
      return status(c, path);
    case 'Unknown': {
      const reserved = COMMAND_NAMES.includes(c.name) || (parent === 'SyncBody' ? c.name === 'Final' : CONTAINER_FIELDS.includes(c.name));
      if (!isNCName(c.name) || reserved) {
        throw new SyncMLSerializeError(path, `an Unknown command named "${c.name}" cannot be written (it would not read back as itself)`);
      }
      const kids = c.cmdID === undefined ? [] : [token('CmdID', c.cmdID, `${path}.cmdID`)];
      // A name with no token on the SyncML page (anything but Map, Put, Search, Sync, Move, …) goes as a LITERAL.
      const literal = SYNCML_1_2_LANGUAGE.page(SYNCML_PAGE_NUMBER)?.tokenOf(c.name) === undefined;
      return { ...el(c.name, kids), literal };
    }
  }
}

function syncHdr(h: SyncHdr, path: string): WbxmlElement {
  const kids: WbxmlNode[] = [
    token('VerDTD', h.verDTD, `${path}.verDTD`),
    token('VerProto', h.verProto, `${path}.verProto`),
    token('SessionID', h.sessionID, `${path}.sessionID`),
    token('MsgID', h.msgID, `${path}.msgID`),
    locRef('Target', h.target, `${path}.target`, true),
    locRef('Source', h.source, `${path}.source`, true),
  ];
  if (h.respURI !== undefined) kids.push(text('RespURI', h.respURI, `${path}.respURI`));
  if (h.noResp === true) kids.push(el('NoResp'));
  if (h.cred !== undefined) kids.push(cred(h.cred, `${path}.cred`));
  if (h.meta !== undefined) kids.push(meta(h.meta, `${path}.meta`));
  return el('SyncHdr', kids);
}

export function modelToTree(msg: SyncML): WbxmlElement {
  const header = syncHdr(msg.header, 'header'); // first, so a refusal names the same path as serialize.ts
  const body: WbxmlNode[] = msg.body.commands.map((c, i) => command(c, `body.commands[${i}]`, 'SyncBody'));
  if (msg.body.final) body.push(el('Final'));
  return el('SyncML', [header, el('SyncBody', body)]);
}
