import type { Chal, Command, Cred, DataValue, Item, LocRef, Meta, SyncHdr, SyncML } from '../model.js';
import { METINF_PAGE_NUMBER, SYNCML_1_2_LANGUAGE, SYNCML_PAGE_NUMBER } from './code-pages.js';
import type { WbxmlElement, WbxmlNode } from './wbxml-tree.js';

/**
 * SyncML model → element tree, children in the order of the SyncML 1.2 DTD (OMA-TS-SyncML_RepPro_DTD-V1_2) and, inside
 * Meta, of the MetInf DTD. Text is plain strings (written as STR_I or STR_T); an `xml` Data value is written as
 * OPAQUE holding its UTF-8 bytes, verbatim (see decode's opaqueData for the way back).
 */
const utf8 = new TextEncoder();

function el(name: string, children: WbxmlNode[] = [], page = SYNCML_PAGE_NUMBER): WbxmlElement {
  return { type: 'element', page, name, literal: false, attributes: [], children, offset: 0 };
}

function leaf(name: string, value: string, page = SYNCML_PAGE_NUMBER): WbxmlElement {
  return el(name, [{ type: 'text', text: value, offset: 0 }], page);
}

function push(out: WbxmlNode[], node: WbxmlElement | undefined): void {
  if (node !== undefined) out.push(node);
}

function optLeaf(name: string, value: string | undefined): WbxmlElement | undefined {
  return value === undefined ? undefined : leaf(name, value);
}

function flag(name: string, on: boolean | undefined): WbxmlElement | undefined {
  return on ? el(name) : undefined;
}

function locRef(name: string, ref: LocRef): WbxmlElement {
  const kids: WbxmlNode[] = [leaf('LocURI', ref.locURI)];
  push(kids, optLeaf('LocName', ref.locName));
  return el(name, kids);
}

function meta(m: Meta | undefined): WbxmlElement | undefined {
  if (m === undefined) return undefined;
  const kids: WbxmlNode[] = [];
  const field = (name: string, value: string | number | undefined): void => {
    if (value !== undefined) kids.push(leaf(name, String(value), METINF_PAGE_NUMBER));
  };
  field('Format', m.format);
  field('Type', m.type);
  field('Mark', m.mark);
  field('Size', m.size);
  field('Version', m.version);
  field('NextNonce', m.nextNonce);
  field('MaxMsgSize', m.maxMsgSize);
  field('MaxObjSize', m.maxObjSize);
  for (const e of m.emi ?? []) field('EMI', e);
  return el('Meta', kids);
}

function data(value: DataValue): WbxmlElement {
  if (value.kind === 'text') return leaf('Data', value.text);
  return el('Data', value.xml === '' ? [] : [{ type: 'opaque', bytes: utf8.encode(value.xml), offset: 0 }]);
}

function cred(c: Cred | undefined): WbxmlElement | undefined {
  if (c === undefined) return undefined;
  const kids: WbxmlNode[] = [];
  push(kids, meta(c.meta));
  kids.push(leaf('Data', c.data));
  return el('Cred', kids);
}

function chal(c: Chal | undefined): WbxmlElement | undefined {
  return c === undefined ? undefined : el('Chal', [meta(c.meta) as WbxmlElement]);
}

function item(i: Item): WbxmlElement {
  const kids: WbxmlNode[] = [];
  if (i.target) kids.push(locRef('Target', i.target));
  if (i.source) kids.push(locRef('Source', i.source));
  push(kids, meta(i.meta));
  if (i.data) kids.push(data(i.data));
  push(kids, flag('MoreData', i.moreData));
  return el('Item', kids);
}

function refs(name: string, values: string[] | undefined): WbxmlElement[] {
  return (values ?? []).map((v) => leaf(name, v));
}

function command(cmd: Command): WbxmlElement {
  const kids: WbxmlNode[] = [];
  if (cmd.kind === 'Unknown') {
    push(kids, optLeaf('CmdID', cmd.cmdID));
    const token = SYNCML_1_2_LANGUAGE.page(SYNCML_PAGE_NUMBER)?.tokenOf(cmd.name);
    return { ...el(cmd.name, kids), literal: token === undefined };
  }
  kids.push(leaf('CmdID', cmd.cmdID));
  switch (cmd.kind) {
    case 'Alert':
      push(kids, flag('NoResp', cmd.noResp));
      push(kids, cred(cmd.cred));
      kids.push(leaf('Data', cmd.data));
      push(kids, optLeaf('Correlator', cmd.correlator));
      kids.push(...cmd.items.map(item));
      break;
    case 'Atomic':
    case 'Sequence':
      push(kids, flag('NoResp', cmd.noResp));
      push(kids, meta(cmd.meta));
      kids.push(...cmd.commands.map(command));
      break;
    case 'Results':
      push(kids, optLeaf('MsgRef', cmd.msgRef));
      kids.push(leaf('CmdRef', cmd.cmdRef));
      push(kids, meta(cmd.meta));
      kids.push(...refs('TargetRef', cmd.targetRef), ...refs('SourceRef', cmd.sourceRef));
      kids.push(...cmd.items.map(item));
      push(kids, flag('NoResp', cmd.noResp));
      break;
    case 'Status':
      push(kids, optLeaf('MsgRef', cmd.msgRef));
      kids.push(leaf('CmdRef', cmd.cmdRef), leaf('Cmd', cmd.cmd));
      kids.push(...refs('TargetRef', cmd.targetRef), ...refs('SourceRef', cmd.sourceRef));
      push(kids, cred(cmd.cred));
      push(kids, chal(cmd.chal));
      kids.push(leaf('Data', cmd.data));
      kids.push(...cmd.items.map(item));
      push(kids, flag('NoResp', cmd.noResp));
      break;
    default:
      push(kids, flag('NoResp', cmd.noResp));
      push(kids, cred(cmd.cred));
      push(kids, meta(cmd.meta));
      push(kids, optLeaf('Correlator', cmd.correlator));
      kids.push(...cmd.items.map(item));
  }
  return el(cmd.kind, kids);
}

function syncHdr(h: SyncHdr): WbxmlElement {
  const kids: WbxmlNode[] = [
    leaf('VerDTD', h.verDTD),
    leaf('VerProto', h.verProto),
    leaf('SessionID', h.sessionID),
    leaf('MsgID', h.msgID),
    locRef('Target', h.target),
    locRef('Source', h.source),
  ];
  push(kids, optLeaf('RespURI', h.respURI));
  push(kids, flag('NoResp', h.noResp));
  push(kids, cred(h.cred));
  push(kids, meta(h.meta));
  return el('SyncHdr', kids);
}

export function modelToTree(msg: SyncML): WbxmlElement {
  const body: WbxmlNode[] = msg.body.commands.map(command);
  push(body, flag('Final', msg.body.final));
  return el('SyncML', [syncHdr(msg.header), el('SyncBody', body)]);
}
