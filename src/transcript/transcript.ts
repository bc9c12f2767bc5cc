/**
 * What a transcript file holds once read: the header (optional, see docs/transcripts.md and
 * schemas/transcript-header.schema.json) and the SyncML messages in file order, each with its side.
 */
import type { CommandSpec } from '../session/ports.js';
import type { SyncML } from '../syncml/model.js';

export type ReplayMode = 'strict' | 'device-only';
/** How SyncML travels: application/vnd.syncml.dm+xml or application/vnd.syncml.dm+wbxml. */
export type WireEncoding = 'xml' | 'wbxml';
export type Side = 'device' | 'server';

export interface ProviderSetup {
  providerId: string;
  pfn: string | null;
  wns?: { clientId: string; clientSecret: string };
  /** DMClient Poll schedule (the operator API's `pollSchedule`, csp/poll-schedule.ts); stored as given, not validated. */
  pollSchedule?: Record<string, unknown>;
  /** Set (or change) the provider just before this message is sent; default: before message 1. */
  beforeMessage?: number;
}

/** Binds a device to a provider before it first checks in (DEFAULT_PROVIDER_ID otherwise). */
export interface DeviceBinding {
  deviceId: string;
  providerId: string;
}

export interface CommandSetup {
  /** Name the expectations use for this command. */
  ref: string;
  /** Defaults to the device of the transcript's first device message. */
  deviceId?: string;
  spec: CommandSpec;
  addFallbackToReplace?: boolean;
  /** Queue just before this message (1-based file position) is sent; default: before message 1. */
  beforeMessage?: number;
}

export interface ClockSetup {
  /** ISO 8601 date-time the replay clock starts at. */
  start?: string;
  /** How far the clock moves before each device message (duration, default 1s). */
  step?: string;
  /** Extra advance before the given message: { "7": "16d" }. */
  advance?: Record<string, string>;
}

export interface TranscriptSetup {
  defaultProviderId?: string;
  providers?: ProviderSetup[];
  devices?: DeviceBinding[];
  commands?: CommandSetup[];
  clock?: ClockSetup;
}

/** A command a reply must (contains) or must not (lacks) carry, anywhere in the reply, in any order. */
export interface CommandPattern {
  verb: string;
  target?: string;
  data?: string;
}

export interface MessageOptions {
  /** Override side detection. */
  from?: Side;
  /** Compare this reply with the recorded server message exactly, whatever the transcript mode. */
  mode?: ReplayMode;
  /** Protocol rules that do not apply to the reply to this device message. */
  skipRules?: string[];
  /** Expected HTTP status of the reply (default 200). */
  httpStatus?: number;
  contains?: CommandPattern[];
  lacks?: CommandPattern[];
  note?: string;
}

export interface DeviceExpectation {
  deviceId?: string;
  providerId?: string;
  enrollmentState?: 'enrolled' | 'unenrolled';
  provisionedPfn?: string | null;
  /** The active ChannelURI (null: none). */
  channelUri?: string | null;
  pushStatus?: number | null;
  /** The device confirmed its provider's current poll schedule (false also when the provider has none). */
  pollProvisioned?: boolean;
  /** Subset of DevInfo values (node name → value). */
  devInfo?: Record<string, string>;
}

export interface ResultExpectation {
  source?: string;
  data?: string;
  format?: string;
  type?: string;
}

export interface CommandExpectation {
  ref: string;
  state?: string;
  status?: string | null;
  /** Exactly these Results items, in order (each field a subset match). */
  results?: ResultExpectation[];
  /** Atomic/Sequence: child statuses in order. */
  children?: string[];
}

export interface AlertExpectation {
  deviceId?: string;
  alert: string;
  alertType?: string;
  format?: string;
  mark?: string;
  source?: string;
  data?: string;
}

export interface ChannelExpectation {
  deviceId?: string;
  channelUri: string;
  state: 'active' | 'superseded' | 'gone' | 'invalid';
}

export interface TranscriptExpectations {
  devices?: DeviceExpectation[];
  commands?: CommandExpectation[];
  /** Exactly these alerts are stored, in the order received. */
  alerts?: AlertExpectation[];
  /** Channel history entries that must exist (others may too). */
  channels?: ChannelExpectation[];
}

export interface TranscriptHeader {
  purpose?: string;
  mode?: ReplayMode;
  /**
   * The encoding device messages are sent in and replies must come back in; default: wbxml when the file holds a WBXML
   * block, else xml. Messages written in the other form are converted through the model.
   */
  encoding?: WireEncoding;
  /** SyncHdr LocURI that names the server; default: Target of the first message. */
  serverUri?: string;
  /** device-only: the recorded server messages were written from the protocol; the reply must carry the
   * same commands (verb, targets, data) in any order and with any CmdIDs. */
  matchCommands?: boolean;
  setup?: TranscriptSetup;
  messages?: Record<string, MessageOptions>;
  expect?: TranscriptExpectations;
}

export interface TranscriptMessage {
  /** 1-based position in the file. */
  index: number;
  side: Side;
  /** 1-based line where the document starts. */
  line: number;
  /** The document exactly as in the file (an XML document is sent verbatim when no reference needs remapping). */
  text: string;
  /** How the message is written in the file: an XML document or a WBXML block. */
  encoding: WireEncoding;
  /** WBXML: the document's bytes (sent verbatim when the transcript's encoding is wbxml and nothing is remapped). */
  bytes?: Uint8Array;
  syncml: SyncML;
}

export interface Transcript {
  name: string;
  header: TranscriptHeader;
  /** True when the file had a header block. */
  hasHeader: boolean;
  mode: ReplayMode;
  /** The wire encoding of the replay (header `encoding`, else wbxml when the file holds a WBXML block). */
  encoding: WireEncoding;
  serverUri: string;
  messages: TranscriptMessage[];
}
