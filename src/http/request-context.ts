import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { LogContext, LogFields } from '../observability/log-context.js';

const INCOMING_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const PROBE_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/** The log fields of the request `res` answers (request id, and DeviceID/SessionID/MsgID once the SyncML is read). */
export function logFieldsOf(res: Response): LogFields {
  return (res.locals.logFields as LogFields | undefined) ?? {};
}

/**
 * First middleware: a request id (the caller's X-Request-Id when it is sane, else a new UUID, echoed back), the log
 * context for everything that runs for this request, one access-log line and the HTTP metric (labelled with the
 * route template a handler set in res.locals.route) when the answer is sent.
 * Bodies are never logged.
 */
export function requestContext(deps: { logger: Logger; logContext: LogContext; metrics: GatewayMetrics }): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && INCOMING_ID.test(incoming) ? incoming : randomUUID();
    const fields: LogFields = { requestId };
    res.locals.logFields = fields;
    res.setHeader('X-Request-Id', requestId);
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = typeof res.locals.route === 'string' ? res.locals.route : 'unmatched';
      deps.metrics.httpRequest(route, req.method, res.statusCode, seconds);
      // Probes and scrapes that succeed are routine: debug, so they do not drown the log.
      const routine = PROBE_ROUTES.has(route) && res.statusCode < 400;
      deps.logContext.run(fields, () =>
        deps.logger[routine ? 'debug' : 'info'](
          { method: req.method, path: req.originalUrl.split('?')[0], route, status: res.statusCode, durationMs: Math.round(seconds * 1e4) / 10 },
          'request',
        ),
      );
    });
    deps.logContext.run(fields, next);
  };
}

/**
 * Re-enters the request's log context. Body parsers resume the middleware chain from socket events, which run outside
 * the context the first middleware opened; put this right after each of them.
 */
export function reenterContext(logContext: LogContext): RequestHandler {
  return (_req, res, next) => logContext.run(logFieldsOf(res), next);
}
