/**
 * Alerts from the device (PROTOCOL.md b). Every Alert gets a Status (a.5: "Status MUST BE sent in response to Alert").
 */
import { AlertType } from '../syncml/codes.js';
import type { Alert, Item } from '../syncml/model.js';
import { note, type Turn } from './turn.js';

/** Returns the Status code for the Alert. */
export function handleAlert(turn: Turn, alert: Alert): string {
  const code = alert.data.trim();
  if (turn.firstMessage && turn.signals.firstAlert === null) turn.signals.firstAlert = code;
  switch (code) {
    case '1200':
    case '1201':
      return sessionAlert(turn, code);
    case '1222': // a.5: the device asks for the next message of our package.
      turn.signals.nextMessage = true;
      return '200';
    case '1223': // b: session abort; the server answers Status for the Alert and the SyncHdr, no new commands.
      turn.signals.abort = true;
      return '200';
    case '1224': // b: client events (LoginStatus, AADUserToken, …) are stored.
      record(turn, code, alert.items);
      return '200';
    case '1225': // b: "End of Data for chunked object not received" — we never send chunked objects.
      note(turn, 'device-1225', 'device reports an unfinished chunked object, but we sent none');
      return '200';
    case '1226': // b, OMA-DMPRO §8.7: generic alerts are stored; 412 "Incomplete command" when there is no Item at all.
      if (alert.items.length === 0) return '412';
      record(turn, code, alert.items);
      if (alert.items.some((i) => i.meta?.type?.trim() === AlertType.UserUnenroll)) {
        turn.signals.unenrolled = true;
        turn.effects.push({ type: 'device.unenrolled', deviceId: turn.deviceId, at: turn.now });
      }
      return '200';
    default:
      // 1100–1104 are server→client only; any other code is not one Windows uses. "Optional feature not supported"
      // (OMA-SUP 406) is what OMA-DMPRO §10 prescribes for alerts a recipient does not support.
      note(turn, 'unsupported-alert', `Alert ${code} is not supported from a device; answered 406`);
      return '406';
  }
}

function sessionAlert(turn: Turn, code: '1200' | '1201'): string {
  if (!turn.firstMessage) {
    note(turn, 'late-session-alert', `Alert ${code} after the first message of the session is ignored`);
    return '200';
  }
  if (turn.signals.sessionAlert === null) {
    turn.signals.sessionAlert = code;
    if (code === '1200') turn.effects.push({ type: 'session.serverInitiated', deviceId: turn.deviceId, sessionId: turn.sessionId, at: turn.now });
  }
  return '200';
}

const REDACTED_TYPES = new Set<string>([AlertType.AADUserToken]);

function record(turn: Turn, code: string, items: Item[]): void {
  const base = { type: 'alert.received' as const, deviceId: turn.deviceId, sessionId: turn.sessionId, alert: code, at: turn.now };
  if (items.length === 0) {
    turn.effects.push(base);
    return;
  }
  for (const item of items) {
    const alertType = item.meta?.type?.trim();
    const format = item.meta?.format?.trim();
    const mark = item.meta?.mark?.trim();
    const source = item.source?.locURI;
    let data = item.data ? (item.data.kind === 'text' ? item.data.text : item.data.xml) : undefined;
    // A bearer token is a credential: keep that it came and how long it was, never the token itself.
    if (data !== undefined && alertType && REDACTED_TYPES.has(alertType)) data = `[redacted: ${data.length} characters]`;
    turn.effects.push({
      ...base,
      ...(alertType ? { alertType } : {}),
      ...(format ? { format } : {}),
      ...(mark ? { mark } : {}),
      ...(source ? { source } : {}),
      ...(data !== undefined ? { data } : {}),
    });
  }
}
