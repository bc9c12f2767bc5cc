/**
 * One device message over the ports: load what the message needs, run the pure engine, encode the reply, commit the
 * new session state with the effects and the raw exchange in one transaction. When another process moved the session
 * on meanwhile (StaleSessionError) the exchange is redone once on fresh state.
 */
import { pino, type Logger } from 'pino';
import type { SyncML } from '../syncml/model.js';
import { handleMessage } from './engine.js';
import { ENGINE_DEFAULTS, type EngineOptions } from './engine-options.js';
import type { SessionOutput } from './engine-output.js';
import { StaleSessionError, type SessionPorts } from './ports.js';
import { requestDigest } from './session-admission.js';

export interface SessionServiceDeps {
  ports: SessionPorts;
  clock: () => Date;
  options: EngineOptions;
  logger?: Logger;
  /** Queued commands loaded per message (default: twice maxOutstanding, so held-back ones do not starve the rest). */
  pendingLimit?: number;
}

export interface SessionRequest {
  message: SyncML;
  requestBytes: Uint8Array;
  contentType: string;
  encode(reply: SyncML): Uint8Array;
}

export interface SessionResponse {
  reply: SyncML;
  replyBytes: Uint8Array;
}

export interface SessionService {
  handle(request: SessionRequest): Promise<SessionResponse>;
}

/** Notes that record an expected turn of events rather than something odd the device did. */
const INFO_NOTES = new Set(['replayed-message', 'command-requeued', 'plan-unanswered', 'push-inconclusive']);

export function createSessionService(deps: SessionServiceDeps): SessionService {
  const logger = deps.logger ?? pino({ level: 'silent' });
  const pendingLimit = deps.pendingLimit ?? 2 * (deps.options.maxOutstanding ?? ENGINE_DEFAULTS.maxOutstanding);

  return {
    async handle(request) {
      const { header } = request.message;
      const deviceId = header.source.locURI;
      const sessionId = header.sessionID;
      const digest = requestDigest(request.requestBytes);
      for (let attempt = 1; ; attempt++) {
        const load = await deps.ports.loadForMessage(deviceId, sessionId, pendingLimit);
        const now = deps.clock();
        const input = { now, device: load.device, session: load.session, provider: load.provider, pending: load.pending, requestDigest: digest };
        const output = handleMessage(input, request.message, deps.options);
        const replyBytes = request.encode(output.reply);
        try {
          await deps.ports.commitExchange({
            session: output.session,
            expectedVersion: load.session?.version ?? null,
            effects: output.effects,
            raw: { deviceId, sessionId, msgID: header.msgID, at: now, contentType: request.contentType, request: request.requestBytes, reply: replyBytes },
          });
        } catch (error) {
          if (error instanceof StaleSessionError && attempt === 1) {
            logger.info({ deviceId, sessionId, msgID: header.msgID }, 'session changed meanwhile; answering again on fresh state');
            continue;
          }
          throw error;
        }
        logExchange(logger, deviceId, sessionId, header.msgID, output);
        return { reply: output.reply, replyBytes };
      }
    },
  };
}

function logExchange(logger: Logger, deviceId: string, sessionId: string, msgID: string, output: SessionOutput): void {
  const context = { deviceId, sessionId, msgID };
  for (const n of output.notes) {
    const entry = { ...context, note: n.code, ...(n.details ? { details: n.details } : {}) };
    if (INFO_NOTES.has(n.code)) logger.info(entry, n.message);
    else logger.warn(entry, n.message);
  }
  if (!logger.isLevelEnabled('debug')) return;
  logger.debug(
    { ...context, disposition: output.disposition, replyMsgID: output.reply.header.msgID, effects: output.effects.length, ended: output.session.ended },
    'device message answered',
  );
}
