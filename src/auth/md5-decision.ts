/**
 * Whether a device message passes OMA-DM application-layer authentication (PROTOCOL.md a.7; OMA-DMPRO §9,
 * OMA-DMSEC 5.1.3). Pure: the stored credentials, the message and a nonce source in; a decision and the state change
 * to store out.
 *
 * - A message that opens authentication (no 212 yet in this session, or MsgID 1, which always starts a session) must
 *   carry a Cred: md5 against the current nonce, or basic when DEVICE_AUTH_BASIC is on. Accepted → 212 with a Chal
 *   carrying the NextNonce for the next session. Missing → 407, wrong or unusable → 401, each with a Chal and a fresh
 *   nonce ("if authentication fails, one more challenge, along with the supply of a new nonce, MUST be made").
 * - Later messages of a session we answered 212 in need nothing more ("no further authentication is needed for the
 *   remainder of the DM session"); a Cred they do carry must still be right (the session's nonce or the next one).
 * - A device with no provisioned credentials gets exactly what a wrong credential gets, and nothing is stored.
 */
import type { Chal, SyncML } from '../syncml/model.js';
import type { AuthStateChange, DeviceCredentials } from './credential-ports.js';
import { md5Digest, sameDigest } from './md5-digest.js';
import { AUTH_BASIC, AUTH_MD5, basicMatches, readPresentedCredential, type PresentedCredential } from './presented-credential.js';

export interface Md5AuthOptions {
  /** Accept syncml:auth-basic as well (DEVICE_AUTH_BASIC=1). */
  allowBasic: boolean;
}

export type Md5Decision =
  | {
      kind: 'challenge';
      /** 407 "Missing credentials" or 401 "Invalid credentials". */
      code: '401' | '407';
      chal: Chal;
      /** null: store nothing (no credentials row). */
      change: AuthStateChange | null;
      reason: string;
    }
  | {
      kind: 'proceed';
      /** True when this message's Cred authenticated the session: answer 212 (and send `nextNonce` in a Chal). */
      accepted: boolean;
      nextNonce: string | null;
      /** Stored only when the engine accepted the message (its SyncHdr Status is 200). */
      change: AuthStateChange | null;
      reason: string;
    };

export function md5Chal(nonce: string): Chal {
  return { meta: { type: AUTH_MD5, format: 'b64', nextNonce: nonce } };
}

const BASIC_CHAL: Chal = { meta: { type: AUTH_BASIC, format: 'b64' } };

export function decideMd5Auth(message: SyncML, stored: DeviceCredentials | null, options: Md5AuthOptions, newNonce: () => string): Md5Decision {
  const header = message.header;
  const presented = readPresentedCredential(header.cred);
  if (stored === null) {
    return { kind: 'challenge', code: presented.type === 'none' ? '407' : '401', chal: md5Chal(newNonce()), change: null, reason: 'no credentials are provisioned for this device' };
  }
  const sessionId = header.sessionID;
  const opensSession = header.msgID.trim() === '1';
  const fail = (code: '401' | '407', reason: string): Md5Decision => {
    const nonce = newNonce();
    return { kind: 'challenge', code, chal: md5Chal(nonce), change: { clientNonce: nonce, failures: stored.failures + 1 }, reason };
  };

  if (stored.authSessionId === sessionId && !opensSession) {
    if (presented.type === 'none') return { kind: 'proceed', accepted: false, nextNonce: null, change: null, reason: 'authenticated earlier in this session' };
    const nonces = [stored.sessionNonce, stored.clientNonce].filter((n): n is string => n !== null);
    if (matches(presented, stored, nonces, options)) return { kind: 'proceed', accepted: false, nextNonce: null, change: null, reason: 'credentials repeated within the session' };
    return fail('401', `a ${presented.type} credential within the authenticated session does not match`);
  }

  switch (presented.type) {
    case 'none':
      return fail('407', 'credentials missing');
    case 'unsupported':
      return fail('401', presented.reason);
    case 'basic': {
      if (!options.allowBasic) return fail('401', 'syncml:auth-basic is not enabled (DEVICE_AUTH_BASIC)');
      if (!basicMatches(presented, stored.clientHash)) {
        return { kind: 'challenge', code: '401', chal: BASIC_CHAL, change: { failures: stored.failures + 1 }, reason: 'basic credentials do not match' };
      }
      return { kind: 'proceed', accepted: true, nextNonce: null, change: { authSessionId: sessionId, sessionNonce: null, failures: 0 }, reason: 'basic credentials accepted' };
    }
    case 'md5': {
      if (!matches(presented, stored, [stored.clientNonce], options)) return fail('401', 'md5 digest does not match the current nonce');
      const next = newNonce();
      return {
        kind: 'proceed',
        accepted: true,
        nextNonce: next,
        change: { clientNonce: next, sessionNonce: stored.clientNonce, authSessionId: sessionId, failures: 0 },
        reason: 'md5 credentials accepted',
      };
    }
  }
}

function matches(presented: PresentedCredential, stored: DeviceCredentials, nonces: string[], options: Md5AuthOptions): boolean {
  if (presented.type === 'md5') return nonces.some((nonce) => sameDigest(presented.digest, md5Digest(stored.clientHash, nonce)));
  if (presented.type === 'basic') return options.allowBasic && basicMatches(presented, stored.clientHash);
  return false;
}
