/**
 * Typed model of a SyncML DM 1.2 message (OMA-TS-DM_RepPro 1.2, MS-MDM §2.2).
 *
 * Wire types only: database rows and API bodies have their own types elsewhere.
 * Values the spec defines as strings stay strings (SessionID, MsgID, CmdID, alert and status codes),
 * so nothing is lost in a round trip. The body is an ORDERED list of commands: Status order is a
 * protocol rule (MS-MDM §2.2.6.1), and per-verb lists lose it.
 */

/** Target or Source: a LocURI and an optional LocName. */
export interface LocRef {
  locURI: string;
  locName?: string;
}

/** Meta information (namespace syncml:metinf). Numeric fields are numbers; everything else stays text. */
export interface Meta {
  format?: string;
  type?: string;
  mark?: string;
  size?: number;
  nextNonce?: string;
  version?: string;
  maxMsgSize?: number;
  maxObjSize?: number;
  /** Extension meta information (EMI), kept verbatim. */
  emi?: string[];
}

/** Credentials (SyncHdr only in OMA-DM: OMA-TS-DM_RepPro 4.1.1.6). */
export interface Cred {
  meta?: Meta;
  data: string;
}

/** Challenge sent with a 401/407 Status (OMA-TS-DM_Protocol §9). */
export interface Chal {
  meta: Meta;
}

/**
 * The content of a Data element.
 * - `text`: character data (escaped text or CDATA on the wire; here unescaped).
 * - `xml`: embedded XML markup kept verbatim as it appeared between <Data> and </Data>.
 */
export type DataValue = { kind: 'text'; text: string } | { kind: 'xml'; xml: string };

export interface Item {
  target?: LocRef;
  source?: LocRef;
  meta?: Meta;
  data?: DataValue;
  /**
   * The `msft:originalerror` attribute of Data: the Windows HRESULT behind a failure, e.g. "0x86000002"
   * (MS-MDM §2.2.5.1; sent when SyncApplicationVersion >= 3.0).
   */
  originalError?: string;
  moreData?: boolean;
}

export interface SyncHdr {
  verDTD: string;
  verProto: string;
  sessionID: string;
  msgID: string;
  target: LocRef;
  source: LocRef;
  respURI?: string;
  noResp?: boolean;
  cred?: Cred;
  meta?: Meta;
}

interface CommandBase {
  cmdID: string;
  noResp?: boolean;
}

/** Add, Delete, Get, Replace and Exec: a verb over items. */
export interface ItemCommand extends CommandBase {
  kind: 'Add' | 'Delete' | 'Get' | 'Replace' | 'Exec' | 'Copy';
  cred?: Cred;
  meta?: Meta;
  /** Exec only; MS-MDM says Correlator is not supported, but it is kept if sent. */
  correlator?: string;
  items: Item[];
}

export interface Alert extends CommandBase {
  kind: 'Alert';
  /** The alert code, e.g. "1201" (see codes.ts AlertCode). */
  data: string;
  cred?: Cred;
  correlator?: string;
  items: Item[];
}

/** Atomic and Sequence carry nested commands, in order. */
export interface Container extends CommandBase {
  kind: 'Atomic' | 'Sequence';
  meta?: Meta;
  commands: Command[];
}

export interface Results extends CommandBase {
  kind: 'Results';
  /** Absent MsgRef "MUST be processed as having a value of 1" (MS-MDM §2.2.7.8). */
  msgRef?: string;
  cmdRef: string;
  meta?: Meta;
  /** MS-MDM §2.2.7.8 adds Cmd (the command the Results answer, "Get") after CmdRef; OMA's DTD has none. */
  cmd?: string;
  targetRef?: string[];
  sourceRef?: string[];
  items: Item[];
}

export interface Status extends CommandBase {
  kind: 'Status';
  msgRef?: string;
  cmdRef: string;
  /** Name of the command this Status answers ("SyncHdr" for CmdRef 0). */
  cmd: string;
  targetRef?: string[];
  sourceRef?: string[];
  cred?: Cred;
  chal?: Chal;
  /** The status code, e.g. "200" (see codes.ts StatusCode). */
  data: string;
  /** `msft:originalerror` on the status Data: the Windows HRESULT behind the code (MS-MDM §2.2.5.1). */
  originalError?: string;
  items: Item[];
}

/**
 * An element under SyncBody, Atomic or Sequence that is not a command we know, or a known command
 * whose content could not be read (then `reason` says why, e.g. a missing CmdID or an unexpected
 * child element). It is kept (never dropped silently) so the session engine can answer it with 400
 * (OMA-SUP: an invalid element under SyncBody/Atomic/Sequence gets 400; no CmdID → blank CmdRef).
 */
export interface UnknownCommand {
  kind: 'Unknown';
  name: string;
  cmdID?: string;
  /** Set when `name` is a known command whose content was malformed. */
  reason?: string;
}

export type Command = ItemCommand | Alert | Container | Results | Status | UnknownCommand;
export type CommandKind = Command['kind'];

export interface SyncBody {
  commands: Command[];
  final: boolean;
}

export interface SyncML {
  header: SyncHdr;
  body: SyncBody;
}

/** Namespace of SyncML 1.2 (MS-MDM §2.2.4.1); SYNCML:SYNCML1.1 is accepted on input too. */
export const SYNCML_NS = 'SYNCML:SYNCML1.2';
export const METINF_NS = 'syncml:metinf';
export const CONTENT_TYPE_XML = 'application/vnd.syncml.dm+xml';
export const CONTENT_TYPE_WBXML = 'application/vnd.syncml.dm+wbxml';
