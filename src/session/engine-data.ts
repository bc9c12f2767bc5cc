/**
 * The engine's private part of SessionState.data. JSON only (the store round-trips it as a document).
 */
import type { SessionPlanItem } from '../csp/session-plan.js';
import type { Command, Item, SyncML } from '../syncml/model.js';
import type { CommandSpec, ResultItem } from './ports.js';

/** A command we sent, as the device's Status/Results fill it in. Containers keep their children. */
export interface SentNode {
  cmdID: string;
  verb: string;
  status?: string;
  results: ResultItem[];
  /** The Results were lost on the way (chunk size mismatch, chunk abandoned): nothing may be concluded. */
  resultsLost?: boolean;
  children?: SentNode[];
}

export type Origin =
  | { kind: 'queue'; commandId: string; fallbackSpec?: CommandSpec }
  | { kind: 'plan'; item: SessionPlanItem };

/** One top-level command awaiting its answer, keyed by (server MsgID, CmdID). */
export interface OutstandingEntry {
  msgID: string;
  sentAt: string;
  origin: Origin;
  node: SentNode;
}

/** A command of the current server package not sent yet (the package is split over messages, a.5). */
export type PackageItem = { kind: 'queue'; commandId: string } | { kind: 'plan'; item: SessionPlanItem };

/** A large object arriving in chunks (a.6). */
export interface ChunkBuffer {
  /** The first chunk's command without its items. */
  command: Command;
  /** Items of that command that came complete before the chunked one. */
  doneItems: Item[];
  /** The chunked item without Data/MoreData. */
  item: Item;
  dataKind: 'text' | 'xml';
  data: string;
  bytes: number;
  /** Meta Size from the first chunk (a.6: "MUST only be specified in the first chunk"). */
  declaredSize: number | null;
  /** When the chunked command is Results: the Get it answers. */
  resultsRef?: { msgRef: string; cmdRef: string };
}

export interface EngineData {
  v: 1;
  /** Last device MsgID processed (0 before the first). */
  lastDeviceMsgID: number;
  /** MsgID of the next server message (a.2: the server numbers its own messages from 1). */
  nextServerMsgID: number;
  lastFingerprint: string | null;
  lastReply: SyncML | null;
  /** Device-declared MaxMsgSize/MaxObjSize (SyncHdr Meta), in force until a new value comes (a.6). */
  maxMsgSize: number | null;
  maxObjSize: number | null;
  planStarted: boolean;
  planFollowUps: SessionPlanItem[];
  outstanding: OutstandingEntry[];
  remainder: PackageItem[];
  /** Queued commands not to send again in this session (requeued after a lost answer, or too large). */
  heldBack: string[];
  chunk: ChunkBuffer | null;
  unenrolled: boolean;
}

export class SessionStateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SessionStateError';
  }
}

export function freshEngineData(): EngineData {
  return {
    v: 1,
    lastDeviceMsgID: 0,
    nextServerMsgID: 1,
    lastFingerprint: null,
    lastReply: null,
    maxMsgSize: null,
    maxObjSize: null,
    planStarted: false,
    planFollowUps: [],
    outstanding: [],
    remainder: [],
    heldBack: [],
    chunk: null,
    unenrolled: false,
  };
}

/** A deep copy of the stored data, checked for the shape this engine writes. */
export function readEngineData(data: Record<string, unknown>): EngineData {
  if (Object.keys(data).length === 0) return freshEngineData();
  const d = data as Partial<EngineData>;
  const ok =
    d.v === 1 &&
    typeof d.lastDeviceMsgID === 'number' &&
    typeof d.nextServerMsgID === 'number' &&
    Array.isArray(d.outstanding) &&
    Array.isArray(d.remainder) &&
    Array.isArray(d.heldBack) &&
    Array.isArray(d.planFollowUps);
  if (!ok) throw new SessionStateError('stored session data is not in the shape this engine writes (v1)');
  // lastReply is only ever replaced, never changed: it is not copied (it can be the largest part). Set on the copy
  // rather than written after a spread (slow in Node 20's V8, see turn.ts newTurn).
  const { lastReply, ...rest } = d;
  const copy = jsonCopy({ ...freshEngineData(), ...rest }) as EngineData;
  copy.lastReply = lastReply ?? null;
  return copy;
}

/** A deep copy of plain JSON data (much faster than structuredClone on large command lists). */
export function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
