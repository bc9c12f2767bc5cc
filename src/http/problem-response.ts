import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { errorTaxonomy, HttpError, problemType } from './error-taxonomy.js';
import {
  CommandNotCancellableError,
  CommandNotFoundError,
  InvalidCursorError,
  NoUsableChannelError,
  UnknownDeviceError,
} from '../store/errors.js';
import { storeUnavailableReason } from '../store/store-unavailable.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Writes `error` as an RFC 9457 problem document. */
export function sendProblem(res: Response, error: HttpError): void {
  const { title } = errorTaxonomy[error.kind];
  const requestId = res.getHeader('X-Request-Id');
  const body = {
    type: problemType(error.kind),
    title,
    status: error.status,
    ...(error.detail !== undefined ? { detail: error.detail } : {}),
    ...(typeof requestId === 'string' ? { requestId } : {}),
    ...error.extensions,
  };
  if (error.kind === 'unauthorized') res.setHeader('WWW-Authenticate', 'Bearer realm="omadm-gateway"');
  res.status(error.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}

/**
 * Maps anything thrown while handling a request to the error taxonomy: HttpError as is, the store's typed errors,
 * body-parser and router errors to their kinds, everything else to `internal` (500) with the details only in the log.
 */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof InvalidCursorError) return new HttpError('invalid-cursor', undefined, {}, { cause: error });
  if (error instanceof UnknownDeviceError) return new HttpError('device-not-found', `no device ${error.deviceId}`, {}, { cause: error });
  if (error instanceof CommandNotFoundError) return new HttpError('command-not-found', `no command ${error.commandId} for this device`, {}, { cause: error });
  if (error instanceof CommandNotCancellableError) return new HttpError('command-not-cancellable', `the command is ${error.state}`, {}, { cause: error });
  if (error instanceof NoUsableChannelError) return new HttpError('no-usable-channel', error.reason, { reason: error.reason }, { cause: error });
  const e = error as { type?: unknown; status?: unknown; statusCode?: unknown; limit?: unknown };
  switch (e.type) {
    case 'entity.too.large':
      return new HttpError('body-too-large', `the limit is ${String(e.limit)} bytes`, {}, { cause: error });
    case 'entity.parse.failed':
      return new HttpError('malformed-json', undefined, {}, { cause: error });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpError('unsupported-media-type', 'unsupported body encoding or charset', {}, { cause: error });
    case 'request.aborted':
    case 'request.size.invalid':
      return new HttpError('validation-failed', 'the request body was incomplete', {}, { cause: error });
    default:
      break;
  }
  const database = storeUnavailableReason(error);
  if (database !== null) {
    const detail = database === 'busy' ? 'the database is busy' : 'the database is unreachable';
    return new HttpError('unavailable', detail, { reason: `database-${database}` }, { cause: error });
  }
  if (error instanceof URIError || e.status === 400 || e.statusCode === 400) {
    return new HttpError('validation-failed', 'the request URL is malformed', {}, { cause: error });
  }
  return new HttpError('internal', undefined, {}, { cause: error });
}

export function problemErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const httpError = toHttpError(error);
    if (httpError.kind === 'unavailable') {
      const reason = httpError.extensions.reason;
      logger.warn({ err: error, reason }, 'request shed: temporarily unavailable');
      // Busy (no pooled connection free in time: a burst) is retried sooner than unreachable (an outage).
      res.setHeader('Retry-After', reason === 'database-busy' ? '1' : '5');
    } else if (httpError.status >= 500) logger.error({ err: error }, 'request failed');
    sendProblem(res, httpError);
  };
}
