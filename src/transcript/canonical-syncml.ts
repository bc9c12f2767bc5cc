/**
 * Canonical form of a SyncML message for comparison: a plain element tree built from the parsed model in the
 * DTD's element order. Whitespace between elements, attribute order and namespace spelling (`SYNCML:SYNCML1.2`
 * vs a prefix, `syncml:metinf` on Meta) never reach the model, so they vanish by construction. Text is trimmed;
 * embedded XML in Data has the whitespace between its tags removed. Flags (Final, NoResp, MoreData) are empty
 * elements present or absent.
 */
import type { Command, Item, LocRef, Meta, SyncML } from '../syncml/model.js';

export interface CanonNode {
  name: string;
  /** Text content of a leaf (undefined for containers and empty flags). */
  text?: string;
  children: CanonNode[];
}

/** The `msft:originalerror` attribute of Data (MS-MDM §2.2.5.1), shown as a pseudo-element after Data. */
const ORIGINAL_ERROR = 'Data@msft:originalerror';

const node = (name: string, children: CanonNode[] = []): CanonNode => ({ name, children });
const leaf = (name: string, text: string): CanonNode => ({ name, text: text.trim(), children: [] });

function pushLeaf(out: CanonNode[], name: string, value: string | number | undefined): void {
  if (value !== undefined) out.push(leaf(name, String(value)));
}

function pushFlag(out: CanonNode[], name: string, value: boolean | undefined): void {
  if (value) out.push(node(name));
}

function locRef(name: string, ref: LocRef | undefined): CanonNode[] {
  if (!ref) return [];
  const children = [leaf('LocURI', ref.locURI)];
  pushLeaf(children, 'LocName', ref.locName);
  return [node(name, children)];
}

function meta(value: Meta | undefined): CanonNode[] {
  if (!value) return [];
  const c: CanonNode[] = [];
  pushLeaf(c, 'Format', value.format);
  pushLeaf(c, 'Type', value.type);
  pushLeaf(c, 'Mark', value.mark);
  pushLeaf(c, 'Size', value.size);
  pushLeaf(c, 'NextNonce', value.nextNonce);
  pushLeaf(c, 'Version', value.version);
  pushLeaf(c, 'MaxMsgSize', value.maxMsgSize);
  pushLeaf(c, 'MaxObjSize', value.maxObjSize);
  for (const emi of value.emi ?? []) c.push(leaf('EMI', emi));
  return c.length === 0 ? [] : [node('Meta', c)];
}

function cred(name: 'Cred', value: { meta?: Meta; data: string } | undefined): CanonNode[] {
  if (!value) return [];
  return [node(name, [...meta(value.meta), leaf('Data', value.data)])];
}

function item(value: Item): CanonNode {
  const c: CanonNode[] = [...locRef('Target', value.target), ...locRef('Source', value.source), ...meta(value.meta)];
  if (value.data) c.push(leaf('Data', value.data.kind === 'text' ? value.data.text : compactXml(value.data.xml)));
  pushLeaf(c, ORIGINAL_ERROR, value.originalError);
  pushFlag(c, 'MoreData', value.moreData);
  return node('Item', c);
}

/** Embedded XML compared without the indentation between its tags. */
export function compactXml(xml: string): string {
  return xml.replace(/>\s+</g, '><').trim();
}

export function canonicalCommand(cmd: Command): CanonNode {
  const c: CanonNode[] = [];
  switch (cmd.kind) {
    case 'Status':
      pushLeaf(c, 'CmdID', cmd.cmdID);
      pushLeaf(c, 'MsgRef', cmd.msgRef);
      pushLeaf(c, 'CmdRef', cmd.cmdRef);
      pushLeaf(c, 'Cmd', cmd.cmd);
      for (const t of cmd.targetRef ?? []) c.push(leaf('TargetRef', t));
      for (const s of cmd.sourceRef ?? []) c.push(leaf('SourceRef', s));
      c.push(...cred('Cred', cmd.cred));
      if (cmd.chal) c.push(node('Chal', meta(cmd.chal.meta)));
      pushLeaf(c, 'Data', cmd.data);
      pushLeaf(c, ORIGINAL_ERROR, cmd.originalError);
      c.push(...cmd.items.map(item));
      break;
    case 'Results':
      pushLeaf(c, 'CmdID', cmd.cmdID);
      pushLeaf(c, 'MsgRef', cmd.msgRef);
      pushLeaf(c, 'CmdRef', cmd.cmdRef);
      pushLeaf(c, 'Cmd', cmd.cmd);
      c.push(...meta(cmd.meta));
      for (const t of cmd.targetRef ?? []) c.push(leaf('TargetRef', t));
      for (const s of cmd.sourceRef ?? []) c.push(leaf('SourceRef', s));
      c.push(...cmd.items.map(item));
      break;
    case 'Alert':
      pushLeaf(c, 'CmdID', cmd.cmdID);
      pushFlag(c, 'NoResp', cmd.noResp);
      c.push(...cred('Cred', cmd.cred));
      pushLeaf(c, 'Data', cmd.data);
      pushLeaf(c, 'Correlator', cmd.correlator);
      c.push(...cmd.items.map(item));
      break;
    case 'Atomic':
    case 'Sequence':
      pushLeaf(c, 'CmdID', cmd.cmdID);
      pushFlag(c, 'NoResp', cmd.noResp);
      c.push(...meta(cmd.meta));
      c.push(...cmd.commands.map(canonicalCommand));
      break;
    case 'Unknown':
      pushLeaf(c, 'CmdID', cmd.cmdID);
      return node(cmd.name, c);
    default:
      pushLeaf(c, 'CmdID', cmd.cmdID);
      pushFlag(c, 'NoResp', cmd.noResp);
      c.push(...cred('Cred', cmd.cred));
      c.push(...meta(cmd.meta));
      pushLeaf(c, 'Correlator', cmd.correlator);
      c.push(...cmd.items.map(item));
  }
  return node(cmd.kind, c);
}

export function canonicalSyncML(msg: SyncML): CanonNode {
  const h = msg.header;
  const hdr: CanonNode[] = [leaf('VerDTD', h.verDTD), leaf('VerProto', h.verProto), leaf('SessionID', h.sessionID), leaf('MsgID', h.msgID)];
  hdr.push(...locRef('Target', h.target), ...locRef('Source', h.source));
  pushLeaf(hdr, 'RespURI', h.respURI);
  pushFlag(hdr, 'NoResp', h.noResp);
  hdr.push(...cred('Cred', h.cred), ...meta(h.meta));
  const body = msg.body.commands.map(canonicalCommand);
  pushFlag(body, 'Final', msg.body.final);
  return node('SyncML', [node('SyncHdr', hdr), node('SyncBody', body)]);
}
