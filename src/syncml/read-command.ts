/**
 * Reads the commands under SyncBody, Atomic and Sequence. An element that is not a command, or a
 * command whose content cannot be read, becomes `{ kind: 'Unknown' }` (with `reason` for a known
 * name) so the engine can answer it with Status 400 (OMA-SUP) instead of failing the message.
 */
import type { Alert, Command, Container, ItemCommand, Results, Status, UnknownCommand } from './model.js';
import { SyncMLParseError } from './parse-error.js';
import { Children, readData, readFlag, readOriginalError, readText, readToken, structureError } from './read-element.js';
import { readChal, readCred, readItems, readMeta } from './read-parts.js';
import { trimXmlSpace } from './xml-text.js';
import type { XmlElement } from './xml-tree.js';

const ITEM_COMMANDS = ['Add', 'Copy', 'Delete', 'Exec', 'Get', 'Replace'] as const;
type ItemCommandKind = (typeof ITEM_COMMANDS)[number];
/** Elements of a container that are its own fields rather than nested commands. */
export const CONTAINER_FIELDS = ['CmdID', 'NoResp', 'Meta'];
/** Names of every command this codec reads. */
export const COMMAND_NAMES: readonly string[] = [...ITEM_COMMANDS, 'Alert', 'Atomic', 'Sequence', 'Results', 'Status'];

export type CommandParent = 'SyncBody' | 'Atomic' | 'Sequence';

export function readCommand(el: XmlElement, path: string, parent: CommandParent): Command {
  try {
    if (parent !== 'SyncBody' && (el.name === 'Status' || el.name === 'Results')) {
      throw structureError(path, `<${el.name}> is not allowed inside <${parent}>`);
    }
    switch (el.name) {
      case 'Add':
      case 'Copy':
      case 'Delete':
      case 'Exec':
      case 'Get':
      case 'Replace':
        return readItemCommand(el, path, el.name);
      case 'Alert':
        return readAlert(el, path);
      case 'Atomic':
      case 'Sequence':
        return readContainer(el, path, el.name);
      case 'Results':
        return readResults(el, path);
      case 'Status':
        return readStatus(el, path);
      default:
        return unknown(el);
    }
  } catch (e) {
    if (e instanceof SyncMLParseError && e.code === 'invalid-structure') return unknown(el, e.detail);
    throw e;
  }
}

function unknown(el: XmlElement, reason?: string): UnknownCommand {
  const command: UnknownCommand = { kind: 'Unknown', name: el.name };
  const cmdID = lenientCmdID(el);
  if (cmdID !== undefined) command.cmdID = cmdID;
  if (reason !== undefined) command.reason = reason;
  return command;
}

/** The CmdID of an element we could not read, if it has exactly one readable CmdID child. */
function lenientCmdID(el: XmlElement): string | undefined {
  const ids = el.children.filter((c): c is XmlElement => c.kind === 'element' && c.name === 'CmdID');
  if (ids.length !== 1 || ids[0] === undefined) return undefined;
  try {
    const value = readText(ids[0], '', true);
    return value === '' ? undefined : value;
  } catch {
    return undefined;
  }
}

function readBase(c: Children): { cmdID: string; noResp?: true } {
  const base: { cmdID: string; noResp?: true } = { cmdID: readToken(c.required('CmdID'), c.childPath('CmdID')) };
  const noResp = c.optional('NoResp');
  if (noResp !== undefined) base.noResp = readFlag(noResp, c.childPath('NoResp'));
  return base;
}

/**
 * The command object with CmdID and NoResp from `base`. Built by assignment, not as `{ kind, ...base, items: [] }`:
 * with Node 20's V8 every property after a spread in an object literal costs about 2 µs
 * (https://bugs.chromium.org/p/v8/issues/detail?id=11536), a few µs per command read.
 */
function withBase<T extends { cmdID: string; noResp?: boolean }>(command: T, base: { cmdID: string; noResp?: true }): T {
  if (base.noResp !== undefined) command.noResp = base.noResp;
  return command;
}

function readItemCommand(el: XmlElement, path: string, kind: ItemCommandKind): ItemCommand {
  const fields = ['CmdID', 'NoResp', 'Cred', 'Meta', 'Item'];
  if (kind === 'Exec') fields.push('Correlator');
  const c = new Children(el, path, fields);
  const base = readBase(c);
  const command = withBase<ItemCommand>({ kind, cmdID: base.cmdID, items: [] }, base);
  const cred = c.optional('Cred');
  if (cred !== undefined) command.cred = readCred(cred, c.childPath('Cred'));
  const meta = c.optional('Meta');
  if (meta !== undefined) command.meta = readMeta(meta, c.childPath('Meta'));
  const correlator = c.optional('Correlator');
  if (correlator !== undefined) command.correlator = readToken(correlator, c.childPath('Correlator'));
  command.items = readItems(c);
  return command;
}

function readAlert(el: XmlElement, path: string): Alert {
  const c = new Children(el, path, ['CmdID', 'NoResp', 'Cred', 'Data', 'Correlator', 'Item']);
  const base = readBase(c);
  const command = withBase<Alert>({ kind: 'Alert', cmdID: base.cmdID, data: readToken(c.required('Data'), c.childPath('Data')), items: [] }, base);
  const cred = c.optional('Cred');
  if (cred !== undefined) command.cred = readCred(cred, c.childPath('Cred'));
  const correlator = c.optional('Correlator');
  if (correlator !== undefined) command.correlator = readToken(correlator, c.childPath('Correlator'));
  command.items = readItems(c);
  return command;
}

function readContainer(el: XmlElement, path: string, kind: 'Atomic' | 'Sequence'): Container {
  const fields: XmlElement[] = [];
  const nested: { el: XmlElement; index: number }[] = [];
  let index = 0;
  for (const child of el.children) {
    if (child.kind !== 'element') continue;
    index++;
    if (CONTAINER_FIELDS.includes(child.name)) fields.push(child);
    else nested.push({ el: child, index });
  }
  const c = new Children({ ...el, children: el.children.filter((n) => n.kind !== 'element' || fields.includes(n)) }, path, CONTAINER_FIELDS);
  const base = readBase(c);
  const command = withBase<Container>({ kind, cmdID: base.cmdID, commands: [] }, base);
  const meta = c.optional('Meta');
  if (meta !== undefined) command.meta = readMeta(meta, c.childPath('Meta'));
  command.commands = nested.map(({ el: child, index: i }) => readCommand(child, `${path}/${child.name}[${i}]`, kind));
  return command;
}

function readRefs(c: Children, name: 'TargetRef' | 'SourceRef'): string[] | undefined {
  const refs = c.all(name);
  return refs.length === 0 ? undefined : refs.map((r, i) => readText(r, `${c.childPath(name)}[${i + 1}]`, true));
}

function readResults(el: XmlElement, path: string): Results {
  const c = new Children(el, path, ['CmdID', 'MsgRef', 'CmdRef', 'Cmd', 'Meta', 'TargetRef', 'SourceRef', 'Item']);
  const cmdRef = c.optional('CmdRef');
  const command: Results = {
    kind: 'Results',
    cmdID: readToken(c.required('CmdID'), c.childPath('CmdID')),
    // MS-MDM §2.2.7.8: "When CmdRef is not present in a Results element type, the response status
    // code is associated with a CmdID value of "1"".
    cmdRef: cmdRef === undefined ? '1' : readToken(cmdRef, c.childPath('CmdRef')),
    items: [],
  };
  const msgRef = c.optional('MsgRef');
  if (msgRef !== undefined) command.msgRef = readToken(msgRef, c.childPath('MsgRef'));
  const cmd = c.optional('Cmd');
  if (cmd !== undefined) command.cmd = readToken(cmd, c.childPath('Cmd'));
  const meta = c.optional('Meta');
  if (meta !== undefined) command.meta = readMeta(meta, c.childPath('Meta'));
  const targetRef = readRefs(c, 'TargetRef');
  if (targetRef !== undefined) command.targetRef = targetRef;
  const sourceRef = readRefs(c, 'SourceRef');
  if (sourceRef !== undefined) command.sourceRef = sourceRef;
  command.items = readItems(c);
  return command;
}

function readStatus(el: XmlElement, path: string): Status {
  const c = new Children(el, path, ['CmdID', 'MsgRef', 'CmdRef', 'Cmd', 'TargetRef', 'SourceRef', 'Cred', 'Chal', 'Data', 'Item']);
  const cmd = readToken(c.required('Cmd'), c.childPath('Cmd'));
  const cmdRef = c.optional('CmdRef');
  const dataEl = c.required('Data');
  const data = readData(dataEl);
  if (data.kind !== 'text' || trimXmlSpace(data.text) === '') throw structureError(c.childPath('Data'), 'the status code must be text');
  const command: Status = {
    kind: 'Status',
    cmdID: readToken(c.required('CmdID'), c.childPath('CmdID')),
    // MS-MDM §2.2.3.3: CmdRef may be absent when the Status refers to the SyncHdr (OMA-DMPRO §11
    // examples omit it); that is CmdRef "0".
    // A present but blank CmdRef is legal in a Status (OMA-SUP: the answer to a command without CmdID).
    cmdRef: cmdRef === undefined && cmd === 'SyncHdr' ? '0' : readText(c.required('CmdRef'), c.childPath('CmdRef'), true),
    cmd,
    data: trimXmlSpace(data.text),
    items: [],
  };
  const originalError = readOriginalError(dataEl);
  if (originalError !== undefined) command.originalError = originalError;
  const msgRef = c.optional('MsgRef');
  if (msgRef !== undefined) command.msgRef = readToken(msgRef, c.childPath('MsgRef'));
  const targetRef = readRefs(c, 'TargetRef');
  if (targetRef !== undefined) command.targetRef = targetRef;
  const sourceRef = readRefs(c, 'SourceRef');
  if (sourceRef !== undefined) command.sourceRef = sourceRef;
  const cred = c.optional('Cred');
  if (cred !== undefined) command.cred = readCred(cred, c.childPath('Cred'));
  const chal = c.optional('Chal');
  if (chal !== undefined) command.chal = readChal(chal, c.childPath('Chal'));
  command.items = readItems(c);
  return command;
}
