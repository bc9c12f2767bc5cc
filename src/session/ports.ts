/**
 * What the session layer needs from the outside world, as narrow role interfaces.
 * store/ implements them; the engine itself (engine.ts) is pure: it takes a SessionInput and returns a
 * SessionOutput (reply + new state + effects). session/service.ts runs one exchange over these ports.
 *
 * These types are the contract between session/, store/ and http/. They are wire-independent: no XML here.
 */
import type { PollSchedule } from '../csp/poll-schedule.js';

/** OMA-DM command as an operator queues it (API body → store → engine). Maps 1:1 onto SyncML. */
export type CommandSpec =
  | {
      verb: 'Get' | 'Replace' | 'Add' | 'Delete' | 'Exec';
      target: string;
      data?: string;
      /** Meta Format: chr, int, bool, b64, xml, node, date, time, float, null. */
      format?: string;
      /** Meta Type (MIME type), e.g. text/plain. */
      type?: string;
    }
  | { verb: 'Atomic' | 'Sequence'; commands: CommandSpec[] };

export type CommandState = 'queued' | 'sent' | 'done' | 'failed' | 'expired' | 'cancelled';

/** One Results item as the device reported it. */
export interface ResultItem {
  source: string;
  format?: string;
  type?: string;
  data?: string;
}

/** The outcome the device reported for one leaf command (or for a container itself). */
export interface CommandOutcome {
  status: string;
  results: ResultItem[];
  /** For Atomic/Sequence: the status of each child in order (by CmdID). */
  children?: CommandOutcome[];
}

export interface QueuedCommand {
  id: string;
  deviceId: string;
  spec: CommandSpec;
  state: CommandState;
  attempts: number;
  createdAt: Date;
  expiresAt: Date | null;
  /** When an Add gets 418 (already exists), retry it as a Replace (operator opt-in). */
  addFallbackToReplace: boolean;
}

export interface DeviceRecord {
  deviceId: string;
  providerId: string;
  devInfo: Record<string, string>;
  enrollmentState: 'enrolled' | 'unenrolled';
  /** PFN the device was last confirmed (Status 200) to hold; null when never provisioned or reset. */
  provisionedPfn: string | null;
  /**
   * pollScheduleHash (csp/) of the DMClient Poll schedule the device confirmed with a 2xx for every node; null or absent
   * when it never confirmed one (or its Poll nodes are in an unknown state).
   */
  provisionedPollHash?: string | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

export interface ProviderView {
  providerId: string;
  /** Current PFN; null when the provider has no push configuration (no Replace PFN is sent). */
  pfn: string | null;
  /** DMClient Poll schedule devices should hold; null or absent: none is provisioned (devices keep their own). */
  pollSchedule?: PollSchedule | null;
}

/** What made the device open the session (Alert code in package 1). */
export type SessionTrigger = string;

/**
 * Session state persisted between messages (store keeps it as an opaque JSON document plus a few columns).
 * The engine owns its internal shape; store must round-trip it unchanged.
 */
export interface SessionState {
  deviceId: string;
  sessionId: string;
  trigger: SessionTrigger | null;
  startedAt: string;
  updatedAt: string;
  ended: boolean;
  /** Optimistic concurrency: incremented on each save; a save with a stale version fails. */
  version: number;
  /** Engine-private data (last device MsgID, next server MsgID, outstanding commands, chunk buffers, ...). */
  data: Record<string, unknown>;
}

/** State changes the engine asks the store to apply, atomically with the session save. */
export type SessionEffect =
  | { type: 'device.seen'; deviceId: string; at: Date; devInfo: Record<string, string> }
  | { type: 'device.unenrolled'; deviceId: string; at: Date }
  | { type: 'command.sent'; commandId: string; sessionId: string; msgID: string; cmdID: string; at: Date }
  | { type: 'command.completed'; commandId: string; state: 'done' | 'failed'; outcome: CommandOutcome; at: Date }
  /** Back to the queue (session ended or broke before its Status came back). */
  | { type: 'command.requeued'; commandId: string; at: Date }
  /** Replace a queued Add by a Replace after 418 (addFallbackToReplace). */
  | { type: 'command.respecified'; commandId: string; spec: CommandSpec; at: Date }
  | { type: 'push.pfnProvisioned'; deviceId: string; pfn: string; at: Date }
  | { type: 'push.pfnRejected'; deviceId: string; pfn: string; status: string; at: Date }
  | { type: 'push.channelReported'; deviceId: string; channelUri: string | null; at: Date }
  | { type: 'push.statusReported'; deviceId: string; pushStatus: number; at: Date }
  /** The device confirmed every Poll node of the schedule with this pollScheduleHash (csp/poll-plan.ts). */
  | { type: 'push.pollProvisioned'; deviceId: string; pollHash: string; at: Date }
  /**
   * The device refused the schedule. 'unchanged': it rolled back, the recorded schedule still holds; 'unknown': part of
   * it may be in place, so the recorded schedule is forgotten (the whole schedule goes out again next session).
   */
  | { type: 'push.pollRejected'; deviceId: string; pollHash: string; status: string; deviceState: 'unchanged' | 'unknown'; at: Date }
  | {
      type: 'alert.received';
      deviceId: string;
      sessionId: string;
      alert: string;
      alertType?: string;
      format?: string;
      mark?: string;
      source?: string;
      data?: string;
      at: Date;
    }
  /** Device opened a session with Alert 1200: proof of a wake. */
  | { type: 'session.serverInitiated'; deviceId: string; sessionId: string; at: Date };

/** Everything the engine needs to answer one device message. */
export interface SessionInput {
  now: Date;
  device: DeviceRecord | null;
  session: SessionState | null;
  provider: ProviderView;
  /** Queued commands for the device, oldest first (state 'queued'), up to a batch limit. */
  pending: QueuedCommand[];
  /**
   * Digest of the request bytes as received (service.ts), which the replay check compares: a retransmission after a
   * lost HTTP response is the same body again. Absent (the engine driven without a wire, as in tests): a digest of the
   * message model.
   */
  requestDigest?: string;
}

export interface SessionLoad {
  device: DeviceRecord | null;
  session: SessionState | null;
  provider: ProviderView;
  pending: QueuedCommand[];
}

/** Raw bytes of one exchange, kept for operators (retention-limited by the store). */
export interface RawExchange {
  deviceId: string;
  sessionId: string;
  msgID: string;
  at: Date;
  contentType: string;
  request: Uint8Array;
  reply: Uint8Array;
}

/** Loads what one message needs, in as few queries as the backend allows. */
export interface SessionLoader {
  loadForMessage(deviceId: string, sessionId: string, pendingLimit: number): Promise<SessionLoad>;
}

/** Saves the new session state and applies the effects in one transaction. */
export interface SessionCommitter {
  /** Throws StaleSessionError when the stored version is not `expectedVersion` (another process moved on). */
  commitExchange(change: {
    session: SessionState;
    expectedVersion: number | null;
    effects: SessionEffect[];
    raw?: RawExchange;
  }): Promise<void>;
}

export class StaleSessionError extends Error {
  constructor(
    readonly deviceId: string,
    readonly sessionId: string,
    options?: { cause?: unknown },
  ) {
    super(`session ${sessionId} of ${deviceId} was changed by someone else`, options);
    this.name = 'StaleSessionError';
  }
}

export type SessionPorts = SessionLoader & SessionCommitter;
