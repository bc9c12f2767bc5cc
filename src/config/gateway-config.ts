/** The gateway's configuration, after env and CLI flags are merged and validated (schemas/config.schema.json). */
export type DeviceAuthMode = 'none' | 'mtls' | 'proxy-header' | 'md5';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface GatewayConfig {
  port: number;
  host: string;
  /** postgres://… selects PostgreSQL; undefined selects embedded SQLite under dataDir. */
  databaseUrl?: string;
  /** DATABASE_POOL_SIZE (PostgreSQL only; undefined: 10): connections in the pool; a request waits up to 10 s for one. */
  databasePoolSize?: number;
  /** Absolute path. */
  dataDir: string;
  /**
   * SQLITE_SYNCHRONOUS (SQLite only; undefined: NORMAL): NORMAL survives a crash of the process, FULL also keeps the newest
   * commits through power loss or an OS crash, at an fsync per commit (src/store/data-source.ts).
   */
  sqliteSynchronous?: 'NORMAL' | 'FULL';
  syncmlPath: string;
  /** Base URL devices use (PUBLIC_URL); undefined: http://HOST:PORT. */
  publicUrl?: string;
  defaultProviderId: string;
  deviceAuth: DeviceAuthMode;
  allowInsecureDeviceAuth: boolean;
  /** Undefined: generated into dataDir on first start (see operator-token.ts). */
  operatorToken?: string;
  /** Undefined: generated into dataDir on first start (see secret-key.ts). */
  secretKey?: string;
  /** Replaces every provider's token endpoint (tests); undefined: the real endpoint of each flow. */
  wnsTokenUrl?: string;
  wnsChannelHosts: string[];
  /** WAKE_MAX_AGE_SECONDS: how long a wake may wait to be sent before it expires (a TTL bounds it further); default 24 h. */
  wakeMaxAgeSeconds?: number;
  /** ALERT_RETENTION, PUSH_ATTEMPT_RETENTION: rows kept per device (defaults 1,000 and 2,000); HISTORY_TRIM_EVERY: trim sampling (32; also for the raw messages). */
  alertRetention?: number;
  pushAttemptRetention?: number;
  historyTrimEvery?: number;
  logLevel: LogLevel;
  syncmlBodyLimit: number;
  apiBodyLimit: number;
  // ── device authentication and limits (issue 7; see SECURITY.md). Optional: unset means the default (syncml-limits.ts, src/auth). ──
  /** TLS_CERT / TLS_KEY: PEM files; when set the gateway serves HTTPS itself (required by DEVICE_AUTH=mtls). */
  tlsCert?: string;
  tlsKey?: string;
  /** TLS_CLIENT_CA: PEM bundle device certificates must chain to (mtls; optional extra check for proxy-header). */
  tlsClientCa?: string;
  /** TRUSTED_PROXIES: addresses / CIDRs whose identity headers are believed (proxy-header). */
  trustedProxies?: string[];
  /** PROXY_CERT_HEADER: header with the verified client certificate, PEM URL-encoded (default x-client-cert). */
  proxyCertHeader?: string;
  /** PROXY_IDENTITY_HEADER: header with the verified certificate's subject CN (alternative to the certificate). */
  proxyIdentityHeader?: string;
  /** DEVICE_AUTH_BASIC=1: accept syncml:auth-basic besides syncml:auth-md5 (DEVICE_AUTH=md5). */
  deviceAuthBasic?: boolean;
  /** RATE_LIMIT_DEVICE: SyncML messages per minute per device (0: off). */
  rateLimitDevice?: number;
  /** RATE_LIMIT_ADDRESS: SyncML requests per minute per client address (0: off). */
  rateLimitAddress?: number;
  /** MAX_CONCURRENT_SYNCML: SyncML requests handled at once; more are shed with 503. */
  maxConcurrentSyncml?: number;
  /** REQUEST_TIMEOUT_MS: longest a SyncML request may take to arrive and be answered. */
  requestTimeoutMs?: number;
}
