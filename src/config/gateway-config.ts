/** The gateway's configuration, after env and CLI flags are merged and validated (schemas/config.schema.json). */
export type DeviceAuthMode = 'none' | 'mtls' | 'proxy-header' | 'md5';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface GatewayConfig {
  port: number;
  host: string;
  /** postgres://… selects PostgreSQL; undefined selects embedded SQLite under dataDir. */
  databaseUrl?: string;
  /** Absolute path. */
  dataDir: string;
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
  logLevel: LogLevel;
  syncmlBodyLimit: number;
  apiBodyLimit: number;
}
