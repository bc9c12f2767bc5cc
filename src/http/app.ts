import express, { Router, type Express, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { LogContext } from '../observability/log-context.js';
import type { DeviceCredentialDirectory } from '../auth/credential-ports.js';
import type { ApiDeps } from './api/api-deps.js';
import { commandRoutes } from './api/command-routes.js';
import { credentialRoutes } from './api/credential-routes.js';
import { deviceProviderRoutes } from './api/device-provider-routes.js';
import { deviceRoutes } from './api/device-routes.js';
import { metaRoutes } from './api/meta-routes.js';
import { providerRoutes } from './api/provider-routes.js';
import { pushRoutes } from './api/push-routes.js';
import { sessionRoutes } from './api/session-routes.js';
import type { DeviceAuthenticator } from './device-auth.js';
import { HttpError } from './error-taxonomy.js';
import { jsonBody } from './json-body.js';
import { requireOperator, type OperatorAuthenticator } from './operator-auth.js';
import type { OperatorPorts } from './operator-ports.js';
import { opsRoutes } from './ops-routes.js';
import { problemErrorHandler } from './problem-response.js';
import { reenterContext, requestContext } from './request-context.js';
import { createRouteTable, type RouteEntry } from './route-table.js';
import type { SchemaRegistry } from './schema-registry.js';
import type { CodecRegistry } from './syncml-codecs.js';
import { syncmlRouter, type SyncMLExchangeHandler } from './syncml-route.js';

export const API_PREFIX = '/api/v1';

export interface AppDeps {
  syncmlPath: string;
  syncmlBodyLimit: number;
  apiBodyLimit: number;
  logger: Logger;
  logContext: LogContext;
  metrics: GatewayMetrics;
  operatorAuth: OperatorAuthenticator;
  ports: OperatorPorts;
  schemas: SchemaRegistry;
  openApiDocument: () => unknown;
  codecs: CodecRegistry;
  deviceAuth: DeviceAuthenticator;
  sessionService: SyncMLExchangeHandler;
  /** Run before a SyncML body is read (rate limit per address, concurrency cap: src/http/syncml-guards.ts). */
  syncmlGuards?: RequestHandler[];
  /** md5 device credentials (DEVICE_AUTH=md5): PUT/GET/DELETE /devices/{deviceId}/credentials. */
  credentials?: DeviceCredentialDirectory;
  clock: () => Date;
  /** Check every API response against its schema (tests). */
  validateResponses?: boolean;
}

/**
 * The Express app: thin translation of HTTP into calls on the session service, the store and the push dispatcher.
 * Returns the routes it registered (the OpenAPI test checks each one is documented).
 */
export function createApp(deps: AppDeps): { app: Express; routes: readonly RouteEntry[] } {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');
  app.use(requestContext(deps));
  app.use(syncmlRouter({
    path: deps.syncmlPath,
    bodyLimit: deps.syncmlBodyLimit,
    codecs: deps.codecs,
    authenticator: deps.deviceAuth,
    service: deps.sessionService,
    logger: deps.logger,
    logContext: deps.logContext,
    metrics: deps.metrics,
    ...(deps.syncmlGuards ? { guards: deps.syncmlGuards } : {}),
  }));

  const ops = Router();
  const opsTable = createRouteTable(ops);
  opsRoutes(opsTable, { readiness: deps.ports.readiness, metrics: deps.metrics, auth: deps.operatorAuth });
  opsTable.finish();
  app.use(ops);

  const api = Router();
  const apiTable = createRouteTable(api, API_PREFIX);
  const apiDeps: ApiDeps = {
    ports: deps.ports,
    schemas: deps.schemas,
    logger: deps.logger,
    validateResponses: deps.validateResponses ?? false,
    openApiDocument: deps.openApiDocument,
  };
  providerRoutes(apiTable, apiDeps);
  deviceRoutes(apiTable, apiDeps);
  deviceProviderRoutes(apiTable, apiDeps);
  commandRoutes(apiTable, apiDeps, deps.clock);
  pushRoutes(apiTable, apiDeps);
  sessionRoutes(apiTable, apiDeps);
  if (deps.credentials) credentialRoutes(apiTable, apiDeps, deps.credentials);
  metaRoutes(apiTable, apiDeps);
  apiTable.finish();
  app.use(
    API_PREFIX,
    (_req, res, next) => {
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      next();
    },
    requireOperator(deps.operatorAuth),
    ...jsonBody(deps.apiBodyLimit),
    reenterContext(deps.logContext),
    api,
  );

  app.use((req, _res, next) => next(new HttpError('route-not-found', `no route ${req.method} ${req.path}`)));
  app.use(problemErrorHandler(deps.logger));
  return { app, routes: [...opsTable.entries, ...apiTable.entries] };
}
