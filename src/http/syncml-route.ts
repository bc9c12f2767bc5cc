import express, { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { LogContext } from '../observability/log-context.js';
import { StaleSessionError } from '../session/ports.js';
import { storeUnavailableReason } from '../store/store-unavailable.js';
import type { Command, SyncML } from '../syncml/model.js';
import { DeviceAuthError, DeviceForbiddenError, DeviceIdentityError, type DeviceAuthenticator } from './device-auth.js';
import { errorTaxonomy, HttpError } from './error-taxonomy.js';
import { logFieldsOf, reenterContext } from './request-context.js';
import { OverloadedError, RateLimitedError } from './shed-errors.js';
import { SyncMLDecodeError, type CodecRegistry } from './syncml-codecs.js';

/** The session service as the endpoint uses it (src/session/service.ts createSessionService). */
export interface SyncMLExchangeHandler {
  handle(request: {
    message: SyncML;
    requestBytes: Uint8Array;
    contentType: string;
    encode(reply: SyncML): Uint8Array;
  }): Promise<{ reply: SyncML; replyBytes: Uint8Array }>;
}

export interface SyncMLRouteDeps {
  path: string;
  bodyLimit: number;
  codecs: CodecRegistry;
  authenticator: DeviceAuthenticator;
  service: SyncMLExchangeHandler;
  logger: Logger;
  logContext: LogContext;
  metrics: GatewayMetrics;
  /** Run first, before the body is read: per-address rate limit, concurrency cap (src/http/syncml-guards.ts). */
  guards?: RequestHandler[];
}

/**
 * POST {SYNCML_PATH}: the device's SyncML in, the server's SyncML out, same content type. Three tiers (DESIGN):
 * an unreadable envelope gets a 4xx with a short text/plain reason; a failed command is a SyncML Status inside a 200
 * (the session engine's job); an internal fault is a 500 whose details only go to the log.
 */
export function syncmlRouter(deps: SyncMLRouteDeps): Router {
  const router = Router();
  router.post(
    deps.path,
    (_req, res, next) => {
      res.locals.route = deps.path;
      next();
    },
    ...(deps.guards ?? []),
    requireSyncMLContentType(deps),
    express.raw({ type: () => true, limit: deps.bodyLimit }),
    reenterContext(deps.logContext),
    exchange(deps),
  );
  router.all(deps.path, (_req, res, next) => {
    res.setHeader('Allow', 'POST');
    next(new HttpError('method-not-allowed', 'use POST'));
  });
  router.use(syncmlErrorHandler(deps));
  return router;
}

function requireSyncMLContentType(deps: SyncMLRouteDeps): RequestHandler {
  return (req, res, next) => {
    const found = deps.codecs.lookup(req.headers['content-type']);
    if (!found) {
      next(new HttpError('syncml-unsupported-media-type', `expected ${deps.codecs.mediaTypes.join(' or ')}`));
      return;
    }
    res.locals.syncml = found;
    next();
  };
}

function exchange(deps: SyncMLRouteDeps): RequestHandler {
  return async (req: Request, res: Response) => {
    const { codec, mediaType } = res.locals.syncml as NonNullable<ReturnType<CodecRegistry['lookup']>>;
    const body: unknown = req.body;
    const bytes = Buffer.isBuffer(body) ? new Uint8Array(body.buffer, body.byteOffset, body.byteLength) : new Uint8Array();
    if (bytes.byteLength === 0) throw new HttpError('syncml-malformed', 'empty body');
    const message = codec.decode(bytes);
    deps.logContext.add({ sessionId: message.header.sessionID, msgId: message.header.msgID });
    const { deviceId } = await deps.authenticator.authenticate({
      message,
      headers: req.headers,
      remoteAddress: req.socket.remoteAddress,
      socket: req.socket,
    });
    deps.logContext.add({ deviceId });
    observeDeviceMessage(deps.metrics, message);
    const { reply, replyBytes } = await deps.service.handle({
      message,
      requestBytes: bytes,
      contentType: mediaType,
      encode: (m) => codec.encode(m),
    });
    deps.metrics.syncmlMessage('ok', mediaType);
    deps.logger.info(
      {
        deviceCommands: message.body.commands.length,
        deviceFinal: message.body.final,
        replyCommands: reply.body.commands.length,
        replyFinal: reply.body.final,
        requestBytes: bytes.byteLength,
        replyBytes: replyBytes.byteLength,
      },
      'syncml exchange',
    );
    // The request's media type exactly (no charset parameter added: it would be wrong for WBXML).
    res.status(200).setHeader('Content-Type', mediaType);
    res.end(Buffer.from(replyBytes.buffer, replyBytes.byteOffset, replyBytes.byteLength));
  };
}

/** Sessions by trigger (the Alert of package 1) and the device's Status for each server command. */
function observeDeviceMessage(metrics: GatewayMetrics, message: SyncML): void {
  const alerts = message.body.commands.filter((c): c is Extract<Command, { kind: 'Alert' }> => c.kind === 'Alert');
  const trigger = alerts.find((a) => a.data === '1200' || a.data === '1201');
  if (trigger) metrics.sessionStarted(trigger.data);
  else if (message.header.msgID === '1') metrics.sessionStarted('unknown');
  for (const command of message.body.commands) {
    if (command.kind === 'Status' && command.cmdRef !== '0') metrics.commandOutcome(command.cmd, command.data);
  }
}

/** Every failure of the endpoint as text/plain: the taxonomy's title and a short reason, never a stack trace. */
function syncmlErrorHandler(deps: SyncMLRouteDeps): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const httpError = classify(error);
    // Only known media types become label values (a client-chosen header must not grow the metric's cardinality).
    const mediaType = (res.locals.syncml as { mediaType?: string } | undefined)?.mediaType ?? 'other';
    const outcome = outcomeLabel(httpError, error);
    deps.metrics.syncmlMessage(outcome, mediaType);
    deps.logContext.run(logFieldsOf(res), () => {
      if (httpError.kind === 'internal') deps.logger.error({ err: error }, 'syncml exchange failed');
      else if (httpError.kind === 'unavailable') deps.logger.warn({ err: error, reason: httpError.detail, outcome }, 'syncml request shed');
      else deps.logger.warn({ kind: httpError.kind, reason: httpError.detail, ...codecCode(error) }, 'syncml request refused');
    });
    const retryAfter = httpError.extensions.retryAfter ?? (httpError.kind === 'session-busy' ? 1 : undefined);
    if (typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
    const title = errorTaxonomy[httpError.kind].title;
    const text = httpError.kind === 'internal' || httpError.detail === undefined ? title : `${title}: ${httpError.detail}`;
    res.status(httpError.status).type('text/plain; charset=utf-8').send(`${text}\n`);
  };
}

/** The codec's error code (`truncated`, `doctype`, …) as its own log field, so refusals can be counted by cause. */
function codecCode(error: unknown): { code?: string } {
  return error instanceof SyncMLDecodeError && error.code !== undefined ? { code: error.code } : {};
}

function classify(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof SyncMLDecodeError) {
    return new HttpError(error.tooLarge ? 'syncml-too-large' : 'syncml-malformed', error.reason, {}, { cause: error });
  }
  if (error instanceof DeviceIdentityError) return new HttpError('syncml-malformed', error.message, {}, { cause: error });
  if (error instanceof DeviceForbiddenError) return new HttpError('device-forbidden', undefined, {}, { cause: error });
  if (error instanceof DeviceAuthError) return new HttpError('device-unauthorized', undefined, {}, { cause: error });
  if (error instanceof RateLimitedError) return new HttpError('rate-limited', error.message, { retryAfter: error.retryAfterSeconds }, { cause: error });
  if (error instanceof OverloadedError) return new HttpError('unavailable', error.message, { retryAfter: error.retryAfterSeconds }, { cause: error });
  const database = storeUnavailableReason(error);
  // Busy (no pooled connection free in time: a burst) is retried sooner than unreachable (an outage).
  if (database === 'busy') return new HttpError('unavailable', 'the database is busy', { retryAfter: 1 }, { cause: error });
  if (database === 'unreachable') return new HttpError('unavailable', 'the database is unreachable', { retryAfter: 5 }, { cause: error });
  if (error instanceof StaleSessionError) return new HttpError('session-busy', undefined, {}, { cause: error });
  const e = error as { type?: unknown; limit?: unknown };
  if (e.type === 'entity.too.large') return new HttpError('syncml-too-large', `the limit is ${String(e.limit)} bytes`, {}, { cause: error });
  if (e.type === 'request.aborted' || e.type === 'request.size.invalid') {
    return new HttpError('syncml-malformed', 'incomplete body', {}, { cause: error });
  }
  return new HttpError('internal', undefined, {}, { cause: error });
}

/** The outcome label of omadm_syncml_messages_total (GatewayMetrics.syncmlMessage lists the values). */
function outcomeLabel(error: HttpError, cause: unknown): string {
  switch (error.kind) {
    case 'syncml-malformed':
      return 'malformed';
    case 'syncml-too-large':
      return 'too-large';
    case 'syncml-unsupported-media-type':
      return 'unsupported';
    case 'device-unauthorized':
      return 'unauthorized';
    case 'device-forbidden':
      return 'forbidden';
    case 'rate-limited':
      return 'rate-limited';
    case 'unavailable': {
      // The database's two reasons apart from the rest (concurrency cap, answer timeout): a burst is not an outage.
      const database = storeUnavailableReason(cause);
      return database === null ? 'unavailable' : `database-${database}`;
    }
    case 'session-busy':
      return 'busy';
    case 'method-not-allowed':
      return 'method';
    default:
      return 'error';
  }
}
