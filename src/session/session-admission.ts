/**
 * Whether a device message continues its session, repeats the last one, or is refused (a.2: MsgID "monotonically
 * increasing … starts at one"; same SessionID for the whole session).
 *
 * - The immediate repeat of the last message (same MsgID, same bytes: a retransmission after a lost HTTP response
 *   sends the same body again) gets the stored reply again, with no effects. The bytes are compared by their digest
 *   (SessionInput.requestDigest, from the service); without one, by a digest of the message model.
 * - A MsgID that repeats with other content or goes backwards: refused with 400.
 * - The session has ended: MsgID 1 opens a new session under the same SessionID (Windows counts SessionIDs with a
 *   small wrapping counter, MS-MDM §2.2.3.8, so reuse is legitimate); anything else is refused with 403.
 * - A SyncHdr Source that is not the session's device: refused with 403.
 * - A MsgID that is not a positive integer: refused with 400.
 */
import { createHash } from 'node:crypto';
import type { SyncML } from '../syncml/model.js';
import { freshEngineData, readEngineData, type EngineData } from './engine-data.js';
import type { SessionInput, SessionState } from './ports.js';

export type Admission =
  | { kind: 'accept'; state: SessionState; data: EngineData; msgID: number }
  | { kind: 'replay'; reply: SyncML }
  | { kind: 'reject'; code: '400' | '403'; reason: string; noteCode: string };

/** SHA-256 of the request bytes (what the service passes as SessionInput.requestDigest). */
export function requestDigest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64url');
}

/** The message's fingerprint for the replay check: the request digest when there is one, else the model's digest. */
export function fingerprint(input: Pick<SessionInput, 'requestDigest'>, message: SyncML): string {
  return input.requestDigest ?? createHash('sha256').update(JSON.stringify(message)).digest('base64url');
}

export function admit(input: SessionInput, message: SyncML, print: string): Admission {
  const header = message.header;
  const deviceId = header.source.locURI;
  const stored = input.session;
  if (stored && stored.deviceId !== deviceId) {
    return { kind: 'reject', code: '403', noteCode: 'foreign-source', reason: `SyncHdr Source ${deviceId} is not the session's device ${stored.deviceId}` };
  }
  const msgID = /^\s*[1-9]\d{0,8}\s*$/.test(header.msgID) ? Number(header.msgID) : null;
  if (msgID === null) return { kind: 'reject', code: '400', noteCode: 'bad-msgid', reason: `MsgID ${JSON.stringify(header.msgID)} is not a positive integer` };
  if (!stored) return { kind: 'accept', state: newSession(input, message), data: freshEngineData(), msgID };
  const data = readEngineData(stored.data);
  if (msgID === data.lastDeviceMsgID && print === data.lastFingerprint && data.lastReply) return { kind: 'replay', reply: data.lastReply };
  if (stored.ended) {
    if (msgID === 1) return { kind: 'accept', state: newSession(input, message), data: freshEngineData(), msgID };
    return { kind: 'reject', code: '403', noteCode: 'session-ended', reason: `MsgID ${msgID} arrived after session ${stored.sessionId} ended` };
  }
  if (msgID <= data.lastDeviceMsgID) {
    return { kind: 'reject', code: '400', noteCode: 'msgid-not-increasing', reason: `MsgID ${msgID} does not follow the last MsgID ${data.lastDeviceMsgID}` };
  }
  return { kind: 'accept', state: stored, data, msgID };
}

export function newSession(input: SessionInput, message: SyncML): SessionState {
  const at = input.now.toISOString();
  return {
    deviceId: message.header.source.locURI,
    sessionId: message.header.sessionID,
    trigger: null,
    startedAt: at,
    updatedAt: at,
    ended: false,
    version: 0, // the engine sets the version of what it returns
    data: {},
  };
}
