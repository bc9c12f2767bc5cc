/**
 * The OMA-DM session engine: one device message + the stored session → the reply, the new session state and the
 * effects for the store. Pure: no I/O, the clock is input.now, sizes come from options.measure.
 * Section tags (a.2 …) refer to ../shared/PROTOCOL.md.
 */
import type { Command, SyncHdr, SyncML } from '../syncml/model.js';
import { processDeviceCommands, answerTree } from './device-commands.js';
import { freshEngineData, readEngineData, type EngineData, type PackageItem } from './engine-data.js';
import { resolveEngineOptions, type EngineOptions, type ResolvedEngineOptions } from './engine-options.js';
import type { SessionOutput } from './engine-output.js';
import { abandonChunk, dropChunk } from './large-object.js';
import { estimateEnvelopeBytes } from './measure.js';
import { fillMessage, openPackage } from './package.js';
import type { SessionInput, SessionState } from './ports.js';
import { assembleReply, replyHeader, replyStatuses } from './reply-parts.js';
import { admit, fingerprint, newSession } from './session-admission.js';
import { settle } from './settle.js';
import { newTurn, note, type Turn } from './turn.js';

export type { EngineOptions } from './engine-options.js';
export type { EngineNote, SessionOutput } from './engine-output.js';

export function handleMessage(input: SessionInput, message: SyncML, options: EngineOptions): SessionOutput {
  const opts = resolveEngineOptions(options);
  const print = fingerprint(input, message);
  const admission = admit(input, message, print);
  if (admission.kind === 'replay') {
    const session = input.session as SessionState;
    const replayed = { code: 'replayed-message', message: `MsgID ${message.header.msgID} repeated; the stored reply is sent again` };
    return { reply: admission.reply, session, effects: [], notes: [replayed], disposition: 'replayed' };
  }
  if (admission.kind === 'reject') return reject(input, message, opts, admission.code, { code: admission.noteCode, message: admission.reason });

  const { state, data, msgID } = admission;
  const turn = newTurn({
    now: input.now,
    options: opts,
    deviceId: state.deviceId,
    sessionId: state.sessionId,
    deviceMsgID: message.header.msgID.trim(),
    firstMessage: data.lastDeviceMsgID === 0,
    data,
  });
  if (!turn.firstMessage && msgID > data.lastDeviceMsgID + 1) note(turn, 'msgid-gap', `MsgID ${msgID} after ${data.lastDeviceMsgID}: message(s) missing`);
  readSizeLimits(turn, message.header);
  processDeviceCommands(turn, message.body.commands);
  if (turn.firstMessage || turn.signals.devInfo) {
    // d.4: DevInfo comes with every session's first message; an empty devInfo means "nothing reported".
    turn.effects.unshift({ type: 'device.seen', deviceId: turn.deviceId, at: turn.now, devInfo: turn.signals.devInfo ?? {} });
  }
  if (turn.signals.unenrolled) data.unenrolled = true;

  const { reply, ended } = respond(turn, input, message);
  data.lastDeviceMsgID = msgID;
  data.lastFingerprint = print;
  data.lastReply = reply; // shared with the output: replies are never changed after this point
  data.nextServerMsgID += 1;
  const session: SessionState = {
    // Fields listed rather than spread (properties after a spread are slow in Node 20's V8, see turn.ts newTurn).
    deviceId: state.deviceId,
    sessionId: state.sessionId,
    startedAt: state.startedAt,
    trigger: turn.firstMessage ? (turn.signals.sessionAlert ?? turn.signals.firstAlert) : state.trigger,
    updatedAt: input.now.toISOString(),
    ended,
    version: (input.session?.version ?? 0) + 1,
    data: data as unknown as Record<string, unknown>,
  };
  return { reply, session, effects: turn.effects, notes: turn.notes, disposition: 'processed' };
}

/** a.6: MaxMsgSize / MaxObjSize in the device's SyncHdr Meta hold for the rest of the session unless renewed. */
function readSizeLimits(turn: Turn, header: SyncHdr): void {
  const valid = (n: number | undefined): n is number => typeof n === 'number' && Number.isFinite(n) && n > 0;
  if (valid(header.meta?.maxMsgSize)) turn.data.maxMsgSize = header.meta.maxMsgSize;
  if (valid(header.meta?.maxObjSize)) turn.data.maxObjSize = header.meta.maxObjSize;
}

type Mode = 'abort' | 'wait' | 'continue' | 'open' | 'end';

function respond(turn: Turn, input: SessionInput, message: SyncML): { reply: SyncML; ended: boolean } {
  const data = turn.data;
  let mode = chooseMode(turn, message);
  // a.5 "Next Message" response / a.6 asking for the next chunk: Alert 1222, no other commands, no Final.
  if (mode === 'wait') turn.serverAlerts.push({ kind: 'Alert', data: '1222', items: [] });
  // b (1223): the answer to an abort carries Status only.
  if (mode === 'abort') turn.serverAlerts = [];
  const items: PackageItem[] = mode === 'continue' ? data.remainder : mode === 'open' ? openPackage(turn, input) : [];
  data.remainder = [];

  const header = replyHeader(message.header, data.nextServerMsgID, turn.options.serverURI);
  const envelope = (turn.options.measureEnvelope ?? estimateEnvelopeBytes)(header);
  const statuses = replyStatuses(turn.deviceMsgID, '200', turn.statuses);
  let nextCmdID = statuses.length + 1;
  const alerts: Command[] = turn.serverAlerts.map((alert) => ({ ...alert, cmdID: String(nextCmdID++) }));
  const minimalBytes = envelope + turn.options.measure(statuses[0] as Command);
  const limitBytes = data.maxMsgSize ?? turn.options.defaultMaxMsgSize;
  const usedBytes = [...statuses, ...alerts].reduce((n, c) => n + turn.options.measure(c), envelope);
  if (usedBytes > limitBytes) note(turn, 'statuses-over-max-msg-size', `our Statuses alone take ${usedBytes} bytes, over MaxMsgSize ${limitBytes}`);

  const placed = items.length > 0 ? fillMessage(turn, input, items, { nextCmdID, usedBytes, minimalBytes, limitBytes }) : { commands: [], rest: [] };
  if ((mode === 'continue' || mode === 'open') && placed.commands.length === 0 && placed.rest.length === 0) mode = 'end';
  if (mode === 'end') settle(turn, 'session-end');
  data.remainder = placed.rest;
  // An Alert of ours (1225, a.6: "MUST respond with an Alert 1225") needs the device's Status: the session stays open for it.
  const ended = mode === 'abort' || (mode === 'end' && alerts.length === 0);
  // a.5: Final in every message when possible — not in a "Next Message" response, not while our package continues.
  const final = mode !== 'wait' && placed.rest.length === 0;
  return { reply: assembleReply(header, [...statuses, ...alerts, ...placed.commands], final), ended };
}

function chooseMode(turn: Turn, message: SyncML): Mode {
  const data = turn.data;
  if (turn.signals.abort) {
    // b (1223): Status for the Alert and the SyncHdr, no new commands; what is unanswered goes back to the queue.
    dropChunk(turn);
    settle(turn, 'session-end');
    return 'abort';
  }
  settle(turn, 'progress');
  // The device's package is complete with Final; a 1222 for a package of ours that has nothing left counts the same.
  const packageDone = message.body.final || (turn.signals.nextMessage && data.remainder.length === 0 && data.chunk === null);
  if (data.chunk && message.body.final) abandonChunk(turn, 'the device closed its package before the last chunk');
  if (packageDone) settle(turn, 'package-end');
  if (data.chunk) return 'wait';
  if (data.remainder.length > 0) return 'continue';
  if (!packageDone) return 'wait';
  // a.5: no new commands while any is unanswered — the device closed its package without them, so the session ends.
  if (data.outstanding.length > 0) return 'end';
  return 'open';
}

/** A refused message: Status for the SyncHdr and every command with the same code (like OMA-DMPRO §9's auth failure), Final, no effects. */
function reject(input: SessionInput, message: SyncML, opts: ResolvedEngineOptions, code: string, why: { code: string; message: string }): SessionOutput {
  const stored = input.session;
  const data: EngineData = stored ? readEngineData(stored.data) : freshEngineData();
  const turn = newTurn({
    now: input.now,
    options: opts,
    deviceId: message.header.source.locURI,
    sessionId: message.header.sessionID,
    deviceMsgID: message.header.msgID.trim(),
    firstMessage: false,
    data,
  });
  for (const command of message.body.commands) answerTree(turn, command, code);
  const reply = assembleReply(replyHeader(message.header, data.nextServerMsgID, opts.serverURI), replyStatuses(turn.deviceMsgID, code, turn.statuses), true);
  data.nextServerMsgID += 1;
  const base = stored ?? { ...newSession(input, message), ended: true };
  const session: SessionState = {
    ...base,
    updatedAt: input.now.toISOString(),
    version: (stored?.version ?? 0) + 1,
    data: data as unknown as Record<string, unknown>,
  };
  return { reply, session, effects: [], notes: [why], disposition: 'rejected' };
}
