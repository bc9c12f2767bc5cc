/**
 * The gateway authenticating itself to the device (PROTOCOL.md a.7: "Authenticate server with MD5 credential at
 * application level"; w7 AAUTHLEVEL CLIENT requires DIGEST). The device challenges us in its Status for our SyncHdr
 * (401/407 + Chal with a NextNonce) and hands over the nonce for next time in a Chal on a 200/212 Status; we answer
 * with a Cred in the SyncHdr of our reply: Data = B64(MD5(B64(MD5(serverName:serverPassword)):nonce)). Pure.
 */
import type { Cred, Status, SyncML } from '../syncml/model.js';
import type { AuthStateChange, DeviceCredentials } from './credential-ports.js';
import { md5Digest } from './md5-digest.js';
import { AUTH_MD5 } from './presented-credential.js';

export interface ServerAuthView {
  /** The device asked for our credentials in this message (401/407 on our SyncHdr). */
  challenged: boolean;
  /** It accepted them (212 on our SyncHdr). */
  accepted: boolean;
  /** The nonce it gave us in a Chal, if any. */
  nextNonce: string | null;
  /** It challenged with a type we cannot answer. */
  unsupportedType: string | null;
}

/** What the device said about our SyncHdr (the Status with CmdRef 0). */
export function readServerAuth(message: SyncML): ServerAuthView {
  const status = message.body.commands.find((c): c is Status => c.kind === 'Status' && c.cmdRef.trim() === '0');
  const code = status?.data.trim() ?? '';
  const chal = status?.chal;
  const type = chal?.meta.type?.trim().toLowerCase() ?? AUTH_MD5;
  const nonce = chal?.meta.nextNonce?.trim();
  const challenged = code === '401' || code === '407';
  return {
    challenged,
    accepted: code === '212',
    nextNonce: type === AUTH_MD5 && nonce ? nonce : null,
    unsupportedType: challenged && type !== AUTH_MD5 ? type.slice(0, 64) : null,
  };
}

/**
 * The state change the device's message brings to our side of the exchange (only applied for an authenticated
 * message: OMA-DMSEC 5.1.3.4, never overwrite a nonce with one from an unauthenticated peer).
 */
export function serverAuthChange(view: ServerAuthView, sessionId: string): AuthStateChange {
  return {
    ...(view.nextNonce !== null ? { serverNonce: view.nextNonce } : {}),
    ...(view.accepted ? { serverAuthSessionId: sessionId } : {}),
  };
}

/**
 * Our Cred for the reply, or null: sent while the device has not accepted our credentials in this session (proactively
 * in the first reply, as "pre-configuration" allows, and again whenever it challenges us).
 */
export function serverCred(stored: DeviceCredentials, view: ServerAuthView, sessionId: string): Cred | null {
  if (stored.serverHash === null) return null;
  const nonce = view.nextNonce ?? stored.serverNonce;
  if (nonce === null) return null;
  if (!view.challenged && (view.accepted || stored.serverAuthSessionId === sessionId)) return null;
  return { meta: { type: AUTH_MD5, format: 'b64' }, data: md5Digest(stored.serverHash, nonce) };
}
