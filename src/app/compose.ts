/**
 * The composition root: the one place that builds the real parts and wires them together — logger, metrics, data
 * source, store, session service, push dispatcher, Express app. Nothing else opens a database connection or an HTTP
 * client of its own.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Express } from 'express';
import type { DestinationStream, Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { ConfigError, ensureOperatorToken, schemasDir, type GatewayConfig, type OperatorTokenSource } from '../config/index.js';
import { createDeviceAuthenticator } from '../auth/device-authenticator.js';
import { withMd5Auth } from '../auth/md5-session-service.js';
import { createTrustedProxies } from '../auth/trusted-proxies.js';
import { syncmlLimitsOf } from '../config/syncml-limits.js';
import { createApp, type AppDeps } from '../http/app.js';
import { withAnswerTimeout, withDeviceRateLimit } from '../http/limited-exchange.js';
import { createSyncMLGuards } from '../http/syncml-guards.js';
import { createBearerAuthenticator } from '../http/operator-auth.js';
import { buildOpenApiDocument } from '../http/openapi-document.js';
import type { RouteEntry } from '../http/route-table.js';
import { createSchemaRegistry } from '../http/schema-registry.js';
import { createCodecRegistry } from '../http/syncml-codecs.js';
import { createXmlCodec } from '../http/xml-codec.js';
import { createWbxmlCodec } from '../http/wbxml-codec.js';
import { createLogger } from '../observability/create-logger.js';
import { createGatewayMetrics, type GatewayMetrics } from '../observability/gateway-metrics.js';
import { createLogContext } from '../observability/log-context.js';
import { ChannelPolicyConfigError, createChannelPolicy, type ChannelPolicy } from '../push/channel-policy.js';
import { createPushDispatcher, type DispatcherOptions, type PushDispatcher } from '../push/dispatcher.js';
import { createRawSender } from '../push/raw-sender.js';
import { createTokenSource } from '../push/token-source.js';
import { createWakeSender } from '../push/send-wake.js';
import { createWnsAgent, proxyUrlFromEnv } from '../push/wns-agent.js';
import { ENGINE_DEFAULTS } from '../session/engine-options.js';
import { createSyncMLMeasure } from '../session/measure.js';
import { createSessionService } from '../session/service.js';
import { createCredentialStore } from '../store/credential-repository.js';
import { createDataSource, createStore, loadOrCreateSecretKey, type Store } from '../store/index.js';
import { serializeSyncML, serializeSyncMLCommand } from '../syncml/index.js';
import { startHousekeeping, type HousekeepingLoop } from './housekeeping.js';
import { instrumentStore } from './instrument-store.js';
import { observeWakeLatency } from './observe-wake-latency.js';
import { pushMetricsFor } from './push-metrics-adapter.js';
import { createListener } from './create-listener.js';
import { createReadinessProbe } from './readiness-probe.js';

export interface ComposeOptions {
  /** Where log lines go (tests capture them); default stdout. */
  logDestination?: DestinationStream;
  clock?: () => Date;
  /** The undici dispatcher for WNS traffic (tests: one trusting the fake WNS's certificate). */
  wnsAgent?: Dispatcher;
  /** Without wnsAgent: extra CA certificates the composed WNS agent trusts (tests: the fake WNS's certificate). */
  wnsCa?: string;
  dispatcherOptions?: DispatcherOptions;
  /** Run the push dispatcher's loop and the housekeeping timer once listening (default true). */
  background?: boolean;
  /** Check every API response against its schema (tests). */
  validateResponses?: boolean;
}

export interface Gateway {
  readonly config: GatewayConfig;
  readonly app: Express;
  readonly routes: readonly RouteEntry[];
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  readonly store: Store;
  readonly dispatcher: PushDispatcher;
  readonly channelPolicy: ChannelPolicy;
  readonly operatorToken: OperatorTokenSource;
  /** Starts listening on config.host:config.port (and the background loops); resolves with the base URL. */
  listen(): Promise<{ url: string; server: Server }>;
  /** Stops everything it started and closes the database. */
  close(): Promise<void>;
}

export async function composeGateway(config: GatewayConfig, options: ComposeOptions = {}): Promise<Gateway> {
  const clock = options.clock ?? (() => new Date());
  const logContext = createLogContext();
  const logger = createLogger({ level: config.logLevel, context: logContext, ...(options.logDestination ? { destination: options.logDestination } : {}) });
  const metrics = createGatewayMetrics();

  // Everything that can refuse the configuration, before any connection is opened.
  const deviceAuth = createDeviceAuthenticator(config, { logger });
  const limits = syncmlLimitsOf(config);
  const listener = createListener(config, limits.requestTimeoutMs);
  let channelPolicy: ChannelPolicy;
  try {
    channelPolicy = createChannelPolicy(config.wnsChannelHosts.join(','));
  } catch (error) {
    if (error instanceof ChannelPolicyConfigError) throw new ConfigError([error.message], { cause: error });
    throw error;
  }
  const operatorToken = ensureOperatorToken(config.operatorToken, config.dataDir);
  const secretKey = loadOrCreateSecretKey(config.dataDir, config.secretKey);
  const schemas = createSchemaRegistry(join(schemasDir, 'api'));
  const openApi = buildOpenApiDocument(join(schemasDir, 'openapi.yaml'), schemas.documents);

  const dataSource = await createDataSource({
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    dataDir: config.dataDir,
    ...(config.sqliteSynchronous ? { sqliteSynchronous: config.sqliteSynchronous } : {}),
    ...(config.databasePoolSize ? { poolSize: config.databasePoolSize } : {}),
  });
  const rawStore = createStore(dataSource, {
    secretKey,
    defaultProviderId: config.defaultProviderId,
    wakeMaxAgeSeconds: config.wakeMaxAgeSeconds,
    alertRetention: config.alertRetention,
    pushAttemptRetention: config.pushAttemptRetention,
    historyTrimEvery: config.historyTrimEvery,
    clock,
  });
  const store = instrumentStore(rawStore, metrics);

  // HTTPS_PROXY (or https_proxy) sends token requests and notifications through that proxy with CONNECT.
  const wnsAgent = options.wnsAgent ?? createWnsAgent({ proxyUrl: proxyUrlFromEnv(), ...(options.wnsCa ? { ca: options.wnsCa } : {}) });
  const ownsAgent = options.wnsAgent === undefined;
  const pushMetrics = pushMetricsFor(metrics);
  const tokens = createTokenSource({
    dispatcher: wnsAgent,
    clock,
    tokenUrlOverride: config.wnsTokenUrl ?? null,
    logger: logger.child({ component: 'wns-token' }),
    onTokenRequest: (providerId, ok) => pushMetrics.tokenRequest(providerId, ok),
  });
  const wakeSender = createWakeSender({ tokens, sender: createRawSender({ dispatcher: wnsAgent }), clock });
  const dispatcher = createPushDispatcher(
    { store, wakeSender, policy: channelPolicy, clock, logger: logger.child({ component: 'push' }), metrics: pushMetrics },
    options.dispatcherOptions,
  );

  const serverURI = `${(config.publicUrl ?? `${listener.scheme}://${hostForUrl(config.host)}:${config.port}`).replace(/\/$/, '')}${config.syncmlPath}`;
  const sessionService = createSessionService({
    ports: observeWakeLatency(store, store, metrics, logger),
    clock,
    // MaxMsgSize is measured in XML for every reply. A WBXML reply is never larger than its XML (one-byte tags, no
    // namespaces, inline strings without escaping: test/http/wbxml-size-bound.test.ts checks it per command and per
    // envelope), so for a WBXML device the XML size is a safe upper bound; packages are only smaller than they could be.
    options: { serverURI, ...createSyncMLMeasure(serializeSyncML, serializeSyncMLCommand) },
    logger: logger.child({ component: 'session' }),
  });
  // Decorators of the session service (same interface): per-device rate limit → answer timeout → md5 authentication.
  const credentialStore = createCredentialStore(dataSource, { secretKey, clock });
  const authenticated =
    config.deviceAuth === 'md5'
      ? withMd5Auth({
          inner: sessionService,
          credentials: credentialStore,
          options: { allowBasic: config.deviceAuthBasic ?? false },
          serverURI,
          logger: logger.child({ component: 'device-auth' }),
        })
      : sessionService;
  const exchange = withDeviceRateLimit(withAnswerTimeout(authenticated, { timeoutMs: limits.requestTimeoutMs }), { perMinute: limits.ratePerDevice });
  const guards = createSyncMLGuards({
    ratePerAddress: limits.ratePerAddress,
    maxConcurrent: limits.maxConcurrent,
    bodyLimit: config.syncmlBodyLimit,
    proxies: createTrustedProxies(config.trustedProxies ?? []),
  });
  // Content negotiation: the request's type picks the codec, the reply goes out in the same one (issue 9).
  const codecs = createCodecRegistry([createXmlCodec({ maxBytes: config.syncmlBodyLimit }), createWbxmlCodec({ maxBytes: config.syncmlBodyLimit })]);

  const appDeps: AppDeps = {
    syncmlPath: config.syncmlPath,
    syncmlBodyLimit: config.syncmlBodyLimit,
    apiBodyLimit: config.apiBodyLimit,
    logger,
    logContext,
    metrics,
    operatorAuth: createBearerAuthenticator(operatorToken.token),
    ports: {
      providers: store,
      devices: store,
      commands: store,
      wakes: store,
      push: dispatcher,
      readiness: createReadinessProbe(() => rawStore.ping(), dataSource),
    },
    schemas,
    openApiDocument: () => openApi,
    codecs,
    deviceAuth,
    sessionService: exchange,
    syncmlGuards: guards.handlers,
    credentials: credentialStore,
    clock,
    validateResponses: options.validateResponses ?? false,
  };
  const { app, routes } = createApp(appDeps);

  let server: Server | null = null;
  let housekeeping: HousekeepingLoop | null = null;
  let closed = false;
  return {
    config,
    app,
    routes,
    logger,
    metrics,
    store,
    dispatcher,
    channelPolicy,
    operatorToken,
    async listen() {
      const listening = listener.server;
      listening.on('request', app);
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(config.port, config.host, () => {
          listening.off('error', reject);
          resolve();
        });
      });
      server = listening;
      if (options.background ?? true) {
        dispatcher.start();
        housekeeping = startHousekeeping(store, {
          intervalMs: 60_000,
          staleSentMs: 2 * ENGINE_DEFAULTS.commandExpiryMs,
          clock,
          logger: logger.child({ component: 'housekeeping' }),
        });
      }
      const address = listening.address() as AddressInfo;
      return { url: `${listener.scheme}://${hostForUrl(address.address)}:${address.port}`, server: listening };
    },
    async close() {
      if (closed) return;
      closed = true;
      housekeeping?.stop();
      await dispatcher.stop();
      if (server) {
        const s = server;
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeIdleConnections();
        });
      }
      if (ownsAgent) await wnsAgent.close();
      await rawStore.close();
    },
  };
}

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
