/**
 * DEVICE_AUTH=md5: OMA-DM application-layer authentication as a decorator of the session service, same interface
 * (DESIGN house style: extra behaviour wraps the core service). The decisions are pure (md5-decision.ts,
 * server-credentials.ts, auth-failure-reply.ts); this file only loads and stores the credential state around the
 * inner exchange.
 *
 * - Refused: the reply holds only Statuses (401/407 + Chal on the SyncHdr); the inner service is not called, so no
 *   session state, no effect and no raw exchange is stored for an unauthenticated message.
 * - Accepted: the inner service answers; on the way out (its `encode` hook, so the stored raw reply is exactly what was
 *   sent) the SyncHdr Status 200 becomes 212 with a Chal carrying the next session's nonce, and our own Cred goes into
 *   the SyncHdr while the device has not accepted it. The new nonce is stored only after the inner exchange committed
 *   and only when the engine accepted the message (SyncHdr Status 200); a lost reply therefore leaves the old nonce in
 *   place, and a nonce the device never saw is never required of it.
 * - A syncml:auth-basic Cred carries the password itself (base64): the raw exchange kept for operators then holds the
 *   message re-encoded with the Cred Data redacted instead of the bytes as received.
 */
import { randomBytes } from 'node:crypto';
import { pino, type Logger } from 'pino';
import type { SessionRequest, SessionResponse, SessionService } from '../session/service.js';
import type { Cred, Status, SyncML } from '../syncml/model.js';
import { authFailureReply } from './auth-failure-reply.js';
import type { AuthStateChange, DeviceCredentialReader, DeviceCredentials } from './credential-ports.js';
import { decideMd5Auth, md5Chal, type Md5AuthOptions } from './md5-decision.js';
import { readPresentedCredential } from './presented-credential.js';
import { readServerAuth, serverAuthChange, serverCred } from './server-credentials.js';

export interface Md5SessionServiceDeps {
  inner: SessionService;
  credentials: DeviceCredentialReader;
  options: Md5AuthOptions;
  /** Source LocURI of our replies (the same serverURI the engine uses). */
  serverURI: string;
  /** b64 of 16 random bytes by default (OMA-DMSEC 5.1.3.3: at least 128 bits, hard to predict). */
  newNonce?: () => string;
  logger?: Logger;
}

export function withMd5Auth(deps: Md5SessionServiceDeps): SessionService {
  const logger = deps.logger ?? pino({ level: 'silent' });
  const newNonce = deps.newNonce ?? (() => randomBytes(16).toString('base64'));
  return {
    async handle(request: SessionRequest): Promise<SessionResponse> {
      const { header } = request.message;
      const deviceId = header.source.locURI;
      const context = { deviceId, sessionId: header.sessionID, msgID: header.msgID };
      const stored = await deps.credentials.getDeviceCredentials(deviceId);
      const decision = decideMd5Auth(request.message, stored, deps.options, newNonce);

      if (decision.kind === 'challenge') {
        if (stored && decision.change) await deps.credentials.updateAuthState(deviceId, decision.change);
        logger.warn({ ...context, code: decision.code, reason: decision.reason }, 'device authentication failed; challenged');
        const reply = authFailureReply(request.message, decision.code, decision.chal, deps.serverURI);
        return { reply, replyBytes: request.encode(reply) };
      }

      const known = stored as DeviceCredentials;
      const view = readServerAuth(request.message);
      if (view.unsupportedType !== null) logger.warn({ ...context, type: view.unsupportedType }, 'device challenged the server with an unsupported type');
      else if (view.challenged && known.serverHash === null) logger.warn(context, 'device challenged the server, but no server credentials are provisioned for it');
      const ours = header.msgID.trim() === '1' ? { ...known, serverAuthSessionId: null } : known;
      const cred = serverCred(ours, view, header.sessionID);

      const out: { accepted: boolean; sent: SyncML | null } = { accepted: false, sent: null };
      const response = await deps.inner.handle({
        ...request,
        ...(readPresentedCredential(header.cred).type === 'basic' ? { requestBytes: request.encode(withoutCredData(request.message)) } : {}),
        encode: (reply) => {
          const headerStatus = reply.body.commands.find((c): c is Status => c.kind === 'Status' && c.cmdRef === '0');
          out.accepted = headerStatus?.data === '200';
          const authenticated = out.accepted && decision.accepted;
          out.sent = decorate(reply, authenticated ? decision.nextNonce : null, authenticated, cred);
          return request.encode(out.sent);
        },
      });
      if (out.accepted) {
        const change: AuthStateChange = { ...(decision.change ?? {}), ...serverAuthChange(view, header.sessionID) };
        if (Object.keys(change).length > 0) await deps.credentials.updateAuthState(deviceId, change);
        if (decision.accepted) logger.info({ ...context, reason: decision.reason }, 'device authenticated (212)');
      }
      return { reply: out.sent ?? response.reply, replyBytes: response.replyBytes };
    },
  };
}

/** 212 (+ Chal NextNonce) on the SyncHdr Status, our Cred in the SyncHdr. A new object: the engine's reply is not touched. */
function decorate(reply: SyncML, nextNonce: string | null, authenticated: boolean, cred: Cred | null): SyncML {
  const commands = reply.body.commands.map((c) => {
    if (!authenticated || c.kind !== 'Status' || c.cmdRef !== '0') return c;
    return { ...c, data: '212', ...(nextNonce ? { chal: md5Chal(nextNonce) } : {}) };
  });
  return { header: { ...reply.header, ...(cred ? { cred } : {}) }, body: { ...reply.body, commands } };
}

/** The message with its SyncHdr Cred Data replaced (for the stored raw exchange). */
function withoutCredData(message: SyncML): SyncML {
  const cred = message.header.cred;
  return cred ? { ...message, header: { ...message.header, cred: { ...cred, data: 'cmVkYWN0ZWQ=' } } } : message;
}
