/**
 * serializeSyncML: model → SyncML DM 1.2 XML (content type application/vnd.syncml.dm+xml).
 *
 * Deterministic and compact. Element order follows the SyncML RepPro V1.2 DTD
 * (OMA-TS-SyncML_RepPro_DTD-V1_2) as MS-MDM §2.2.2 requires ("the XML in the document MUST adhere
 * to the explicit order defined in the DTD"):
 *   SyncHdr  (VerDTD, VerProto, SessionID, MsgID, Target, Source, RespURI?, NoResp?, Cred?, Meta?)
 *   Status   (CmdID, MsgRef, CmdRef, Cmd, TargetRef*, SourceRef*, Cred?, Chal?, Data, Item*)
 *   Results  (CmdID, MsgRef?, CmdRef, Cmd?, Meta?, TargetRef*, SourceRef*, Item+)   Cmd: MS-MDM §2.2.7.8
 *   Add|Copy|Delete|Get|Replace (CmdID, NoResp?, Cred?, Meta?, Item+)
 *   Exec     (CmdID, NoResp?, Cred?, Meta?, Correlator?, Item)
 *   Alert    (CmdID, NoResp?, Cred?, Data?, Correlator?, Item*)
 *   Atomic|Sequence (CmdID, NoResp?, Meta?, commands+)
 *   Item     (Target?, Source?, Meta?, Data?, MoreData?)      Target|Source (LocURI, LocName?)
 *   Cred     (Meta?, Data)   Chal (Meta)
 *   MetInf   (Format?, Type?, Mark?, Size?, Version?, NextNonce?, MaxMsgSize?, MaxObjSize?, EMI*)
 * (DTD content models as quoted in public SyncML implementations, e.g. Borqs' TagStatus/TagSyncHdr.)
 *
 * Meta children carry xmlns="syncml:metinf" each, as Microsoft's samples and Windows clients write
 * them (MS-MDM §4). The root is <SyncML xmlns="SYNCML:SYNCML1.2">. Text is escaped so that `<`, `&`,
 * `>`, `]]>` and CR survive; 'xml' Data is written verbatim after a well-formedness check.
 * A model that would not read back as itself throws SyncMLSerializeError.
 */
import { COMMAND_NAMES, CONTAINER_FIELDS } from './read-command.js';
import type { Alert, Chal, Command, Container, Cred, DataValue, Item, ItemCommand, LocRef, Meta, Results, Status, SyncHdr, SyncML } from './model.js';
import { METINF_NS, SYNCML_NS } from './model.js';
import { isMetaNumber } from './meta-number.js';
import { SyncMLSerializeError } from './serialize-error.js';
import { checkXmlFragment } from './xml-scan.js';
import { firstUnencodableChar, isNCName, trimXmlSpace } from './xml-text.js';
import { XmlWriter, type Attributes } from './xml-writer.js';

const MSFT_NS = 'http://schemas.microsoft.com/MobileDevice/MDM';
const METINF_ATTRS: Attributes = [['xmlns', METINF_NS]];

export function serializeSyncML(msg: SyncML): string {
  const s = new Serializer();
  s.message(msg);
  return s.w.toString();
}

/**
 * One command as it is written inside SyncBody. The output is compact and a message is its envelope followed by its
 * commands in order, so a message's size is exactly its empty envelope's plus each command's fragment (the session
 * engine's size measure, session/measure.ts, relies on that).
 */
export function serializeSyncMLCommand(command: Command): string {
  const s = new Serializer();
  s.bodyCommand(command, 'body.commands[0]');
  return s.w.toString();
}

type Parent = 'SyncBody' | 'Atomic' | 'Sequence';

class Serializer {
  readonly w = new XmlWriter();

  message(msg: SyncML): void {
    this.w.start('SyncML', [['xmlns', SYNCML_NS]]);
    this.header(msg.header, 'header');
    this.w.start('SyncBody');
    msg.body.commands.forEach((c, i) => this.command(c, `body.commands[${i}]`, 'SyncBody'));
    if (msg.body.final) this.w.empty('Final');
    this.w.end('SyncBody').end('SyncML');
  }

  bodyCommand(c: Command, path: string): void {
    this.command(c, path, 'SyncBody');
  }

  private header(h: SyncHdr, path: string): void {
    this.w.start('SyncHdr');
    this.token('VerDTD', h.verDTD, `${path}.verDTD`);
    this.token('VerProto', h.verProto, `${path}.verProto`);
    this.token('SessionID', h.sessionID, `${path}.sessionID`);
    this.token('MsgID', h.msgID, `${path}.msgID`);
    this.locRef('Target', h.target, `${path}.target`, true);
    this.locRef('Source', h.source, `${path}.source`, true);
    if (h.respURI !== undefined) this.text('RespURI', h.respURI, `${path}.respURI`);
    if (h.noResp === true) this.w.empty('NoResp');
    if (h.cred !== undefined) this.cred(h.cred, `${path}.cred`);
    if (h.meta !== undefined) this.meta(h.meta, `${path}.meta`);
    this.w.end('SyncHdr');
  }

  private command(c: Command, path: string, parent: Parent): void {
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
        return this.itemCommand(c, path);
      case 'Alert':
        return this.alert(c, path);
      case 'Atomic':
      case 'Sequence':
        return this.container(c, path);
      case 'Results':
        return this.results(c, path);
      case 'Status':
        return this.status(c, path);
      case 'Unknown': {
        const reserved = COMMAND_NAMES.includes(c.name) || (parent === 'SyncBody' ? c.name === 'Final' : CONTAINER_FIELDS.includes(c.name));
        if (!isNCName(c.name) || reserved) {
          throw new SyncMLSerializeError(path, `an Unknown command named "${c.name}" cannot be written (it would not read back as itself)`);
        }
        if (c.cmdID === undefined) this.w.empty(c.name);
        else {
          this.w.start(c.name);
          this.token('CmdID', c.cmdID, `${path}.cmdID`);
          this.w.end(c.name);
        }
        return;
      }
    }
  }

  private base(c: { cmdID: string; noResp?: boolean }, path: string): void {
    this.token('CmdID', c.cmdID, `${path}.cmdID`);
    if (c.noResp === true) this.w.empty('NoResp');
  }

  private itemCommand(c: ItemCommand, path: string): void {
    if (c.correlator !== undefined && c.kind !== 'Exec') throw new SyncMLSerializeError(`${path}.correlator`, `Correlator is only allowed in Exec`);
    this.w.start(c.kind);
    this.base(c, path);
    if (c.cred !== undefined) this.cred(c.cred, `${path}.cred`);
    if (c.meta !== undefined) this.meta(c.meta, `${path}.meta`);
    if (c.correlator !== undefined) this.token('Correlator', c.correlator, `${path}.correlator`);
    this.items(c.items, path);
    this.w.end(c.kind);
  }

  private alert(c: Alert, path: string): void {
    this.w.start('Alert');
    this.base(c, path);
    if (c.cred !== undefined) this.cred(c.cred, `${path}.cred`);
    this.token('Data', c.data, `${path}.data`);
    if (c.correlator !== undefined) this.token('Correlator', c.correlator, `${path}.correlator`);
    this.items(c.items, path);
    this.w.end('Alert');
  }

  private container(c: Container, path: string): void {
    this.w.start(c.kind);
    this.base(c, path);
    if (c.meta !== undefined) this.meta(c.meta, `${path}.meta`);
    c.commands.forEach((child, i) => this.command(child, `${path}.commands[${i}]`, c.kind));
    this.w.end(c.kind);
  }

  private noRespRefused(c: { noResp?: boolean }, path: string, kind: string): void {
    if (c.noResp === true) throw new SyncMLSerializeError(`${path}.noResp`, `${kind} has no NoResp element`);
  }

  private results(c: Results, path: string): void {
    this.noRespRefused(c, path, 'Results');
    this.w.start('Results');
    this.token('CmdID', c.cmdID, `${path}.cmdID`);
    if (c.msgRef !== undefined) this.token('MsgRef', c.msgRef, `${path}.msgRef`);
    this.token('CmdRef', c.cmdRef, `${path}.cmdRef`);
    if (c.cmd !== undefined) this.token('Cmd', c.cmd, `${path}.cmd`);
    if (c.meta !== undefined) this.meta(c.meta, `${path}.meta`);
    this.refs('TargetRef', c.targetRef, `${path}.targetRef`);
    this.refs('SourceRef', c.sourceRef, `${path}.sourceRef`);
    this.items(c.items, path);
    this.w.end('Results');
  }

  private status(c: Status, path: string): void {
    this.noRespRefused(c, path, 'Status');
    this.w.start('Status');
    this.token('CmdID', c.cmdID, `${path}.cmdID`);
    if (c.msgRef !== undefined) this.token('MsgRef', c.msgRef, `${path}.msgRef`);
    // A Status may answer a command that had no usable CmdID: its CmdRef is then blank (OMA-SUP: "the client returns
    // blank in the status element and the status code 400"), so an empty CmdRef is written as <CmdRef></CmdRef>.
    if (c.cmdRef === '') this.text('CmdRef', '', `${path}.cmdRef`);
    else this.token('CmdRef', c.cmdRef, `${path}.cmdRef`);
    this.token('Cmd', c.cmd, `${path}.cmd`);
    this.refs('TargetRef', c.targetRef, `${path}.targetRef`);
    this.refs('SourceRef', c.sourceRef, `${path}.sourceRef`);
    if (c.cred !== undefined) this.cred(c.cred, `${path}.cred`);
    if (c.chal !== undefined) this.chal(c.chal, `${path}.chal`);
    this.token('Data', c.data, `${path}.data`, this.originalErrorAttributes(c.originalError, `${path}.originalError`));
    this.items(c.items, path);
    this.w.end('Status');
  }

  private refs(name: string, refs: readonly string[] | undefined, path: string): void {
    refs?.forEach((ref, i) => this.text(name, ref, `${path}[${i}]`));
  }

  private items(items: readonly Item[], path: string): void {
    items.forEach((item, i) => this.item(item, `${path}.items[${i}]`));
  }

  private item(item: Item, path: string): void {
    this.w.start('Item');
    if (item.target !== undefined) this.locRef('Target', item.target, `${path}.target`, false);
    if (item.source !== undefined) this.locRef('Source', item.source, `${path}.source`, false);
    if (item.meta !== undefined) this.meta(item.meta, `${path}.meta`);
    if (item.data !== undefined) this.data(item.data, `${path}.data`, this.originalErrorAttributes(item.originalError, `${path}.originalError`));
    else if (item.originalError !== undefined) throw new SyncMLSerializeError(`${path}.originalError`, 'originalError needs Data to sit on');
    if (item.moreData === true) this.w.empty('MoreData');
    this.w.end('Item');
  }

  private data(value: DataValue, path: string, attributes: Attributes | undefined): void {
    if (value.kind === 'text') {
      this.text('Data', value.text, path, attributes);
      return;
    }
    const problem = checkXmlData(value.xml);
    if (problem !== undefined) throw new SyncMLSerializeError(path, `xml Data is not usable: ${problem}`);
    this.w.markup('Data', value.xml, attributes);
  }

  private originalErrorAttributes(value: string | undefined, path: string): Attributes | undefined {
    if (value === undefined) return undefined;
    return [
      ['xmlns:msft', MSFT_NS],
      ['msft:originalerror', this.checked(value, path)],
    ];
  }

  private locRef(name: string, ref: LocRef, path: string, required: boolean): void {
    this.w.start(name);
    if (required) this.token('LocURI', ref.locURI, `${path}.locURI`);
    else this.text('LocURI', ref.locURI, `${path}.locURI`);
    if (ref.locName !== undefined) this.text('LocName', ref.locName, `${path}.locName`);
    this.w.end(name);
  }

  private cred(cred: Cred, path: string): void {
    this.w.start('Cred');
    if (cred.meta !== undefined) this.meta(cred.meta, `${path}.meta`);
    this.text('Data', cred.data, `${path}.data`);
    this.w.end('Cred');
  }

  private chal(chal: Chal, path: string): void {
    this.w.start('Chal');
    this.meta(chal.meta, `${path}.meta`);
    this.w.end('Chal');
  }

  private meta(meta: Meta, path: string): void {
    this.w.start('Meta');
    const text = (name: string, value: string | undefined, field: string): void => {
      if (value !== undefined) this.text(name, value, `${path}.${field}`, METINF_ATTRS);
    };
    const number = (name: string, value: number | undefined, field: string): void => {
      if (value === undefined) return;
      if (!isMetaNumber(value)) throw new SyncMLSerializeError(`${path}.${field}`, `${name} must be a non-negative safe integer`);
      this.w.text(name, String(value), METINF_ATTRS);
    };
    text('Format', meta.format, 'format');
    text('Type', meta.type, 'type');
    text('Mark', meta.mark, 'mark');
    number('Size', meta.size, 'size');
    text('Version', meta.version, 'version');
    text('NextNonce', meta.nextNonce, 'nextNonce');
    number('MaxMsgSize', meta.maxMsgSize, 'maxMsgSize');
    number('MaxObjSize', meta.maxObjSize, 'maxObjSize');
    meta.emi?.forEach((emi, i) => this.text('EMI', emi, `${path}.emi[${i}]`, METINF_ATTRS));
    this.w.end('Meta');
  }

  /** A text element. */
  private text(name: string, value: string, path: string, attributes?: Attributes): void {
    this.w.text(name, this.checked(value, path), attributes);
  }

  /** A required structural value: must not be empty or blank, or it would not read back. */
  private token(name: string, value: string, path: string, attributes?: Attributes): void {
    if (trimXmlSpace(value) === '') throw new SyncMLSerializeError(path, `${name} must not be empty`);
    this.text(name, value, path, attributes);
  }

  private checked(value: string, path: string): string {
    const bad = firstUnencodableChar(value);
    if (bad !== -1) {
      const hex = value.charCodeAt(bad).toString(16).toUpperCase().padStart(4, '0');
      throw new SyncMLSerializeError(path, `U+${hex} at index ${bad} cannot be carried in XML`);
    }
    return value;
  }
}

/** 'xml' Data must be well-formed element content with at least one element and LF line ends. */
function checkXmlData(xml: string): string | undefined {
  if (xml.includes('\r')) return 'it contains CR (XML would turn it into LF); use \\n';
  const bad = firstUnencodableChar(xml);
  if (bad !== -1) return `character at index ${bad} cannot be carried in XML`;
  const problem = checkXmlFragment(xml);
  if (problem !== undefined) return problem;
  if (!/<[^!?/]/.test(xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->/g, ''))) return 'it contains no element; use text Data';
  return undefined;
}
