import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsPkg from 'ajv-formats';
import { ConfigError } from './config-error.js';
import type { GatewayConfig } from './gateway-config.js';
import { deviceAuthProblems } from './device-auth-problems.js';
import { isLoopbackHost } from './is-loopback-host.js';
import { schemasDir } from './schemas-dir.js';

const addFormats = addFormatsPkg as unknown as typeof addFormatsPkg.default;

type Kind = 'string' | 'int' | 'size' | 'bool' | 'list';

/** Every configuration key, where it comes from, and how its text is read. Flags are commander's camelCase names. */
const sources: ReadonlyArray<{ key: keyof GatewayConfig; env: string; flag?: string; kind: Kind }> = [
  { key: 'port', env: 'PORT', flag: 'port', kind: 'int' },
  { key: 'host', env: 'HOST', flag: 'host', kind: 'string' },
  { key: 'databaseUrl', env: 'DATABASE_URL', flag: 'databaseUrl', kind: 'string' },
  { key: 'databasePoolSize', env: 'DATABASE_POOL_SIZE', kind: 'int' },
  { key: 'dataDir', env: 'DATA_DIR', flag: 'dataDir', kind: 'string' },
  { key: 'sqliteSynchronous', env: 'SQLITE_SYNCHRONOUS', kind: 'string' },
  { key: 'syncmlPath', env: 'SYNCML_PATH', flag: 'syncmlPath', kind: 'string' },
  { key: 'publicUrl', env: 'PUBLIC_URL', flag: 'publicUrl', kind: 'string' },
  { key: 'defaultProviderId', env: 'DEFAULT_PROVIDER_ID', flag: 'defaultProviderId', kind: 'string' },
  { key: 'deviceAuth', env: 'DEVICE_AUTH', flag: 'deviceAuth', kind: 'string' },
  { key: 'allowInsecureDeviceAuth', env: 'ALLOW_INSECURE_DEVICE_AUTH', kind: 'bool' },
  { key: 'operatorToken', env: 'OPERATOR_TOKEN', kind: 'string' },
  { key: 'secretKey', env: 'SECRET_KEY', kind: 'string' },
  { key: 'wnsTokenUrl', env: 'WNS_TOKEN_URL', kind: 'string' },
  { key: 'wnsChannelHosts', env: 'WNS_CHANNEL_HOSTS', kind: 'list' },
  { key: 'wakeMaxAgeSeconds', env: 'WAKE_MAX_AGE_SECONDS', kind: 'int' },
  { key: 'alertRetention', env: 'ALERT_RETENTION', kind: 'int' },
  { key: 'pushAttemptRetention', env: 'PUSH_ATTEMPT_RETENTION', kind: 'int' },
  { key: 'historyTrimEvery', env: 'HISTORY_TRIM_EVERY', kind: 'int' },
  { key: 'logLevel', env: 'LOG_LEVEL', flag: 'logLevel', kind: 'string' },
  { key: 'syncmlBodyLimit', env: 'SYNCML_BODY_LIMIT', kind: 'size' },
  { key: 'apiBodyLimit', env: 'API_BODY_LIMIT', kind: 'size' },
  { key: 'tlsCert', env: 'TLS_CERT', kind: 'string' },
  { key: 'tlsKey', env: 'TLS_KEY', kind: 'string' },
  { key: 'tlsClientCa', env: 'TLS_CLIENT_CA', kind: 'string' },
  { key: 'trustedProxies', env: 'TRUSTED_PROXIES', kind: 'list' },
  { key: 'proxyCertHeader', env: 'PROXY_CERT_HEADER', kind: 'string' },
  { key: 'proxyIdentityHeader', env: 'PROXY_IDENTITY_HEADER', kind: 'string' },
  { key: 'deviceAuthBasic', env: 'DEVICE_AUTH_BASIC', kind: 'bool' },
  { key: 'rateLimitDevice', env: 'RATE_LIMIT_DEVICE', kind: 'int' },
  { key: 'rateLimitAddress', env: 'RATE_LIMIT_ADDRESS', kind: 'int' },
  { key: 'maxConcurrentSyncml', env: 'MAX_CONCURRENT_SYNCML', kind: 'int' },
  { key: 'requestTimeoutMs', env: 'REQUEST_TIMEOUT_MS', kind: 'int' },
];

/** Names the settings that a flag can set, for `serve --help` and error messages. */
export const configFlags = sources.filter((s) => s.flag !== undefined).map((s) => ({ flag: s.flag!, env: s.env }));

export interface ConfigInputs {
  env: Readonly<Record<string, string | undefined>>;
  /** CLI flag values (commander camelCase keys); they win over env. */
  flags?: Readonly<Record<string, unknown>>;
  /** Base for a relative DATA_DIR; defaults to process.cwd(). */
  cwd?: string;
}

/** Reads env + flags into a validated GatewayConfig, or throws ConfigError listing every problem. */
export function loadConfig(inputs: ConfigInputs): GatewayConfig {
  const raw: Record<string, unknown> = {};
  for (const source of sources) {
    const flagValue = source.flag === undefined ? undefined : inputs.flags?.[source.flag];
    const text = flagValue !== undefined && flagValue !== null ? String(flagValue) : inputs.env[source.env];
    if (text === undefined || text.trim() === '') continue;
    raw[source.key] = readText(text.trim(), source.kind);
  }
  const validate = compileConfigSchema();
  if (!validate(raw)) {
    const problems = (validate.errors ?? []).map((e) => {
      const key = e.instancePath.split('/')[1] ?? (e.params as { additionalProperty?: string }).additionalProperty ?? '';
      const source = sources.find((s) => s.key === key);
      const name = source ? source.env + (source.flag ? ` (--${kebab(source.flag)})` : '') : key || 'configuration';
      const detail = e.instancePath.split('/').length > 2 ? ` (item ${e.instancePath.split('/').slice(2).join('/')})` : '';
      // An enum names its choices (`SQLITE_SYNCHRONOUS must be equal to one of the allowed values: NORMAL, FULL`).
      const choices = e.keyword === 'enum' ? `: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` : '';
      return `${name}${detail} ${e.message ?? 'is invalid'}${choices}`;
    });
    throw new ConfigError([...new Set(problems)]);
  }
  const config = raw as unknown as GatewayConfig;
  config.dataDir = resolve(inputs.cwd ?? process.cwd(), config.dataDir);
  const authProblems = deviceAuthProblems(config);
  if (authProblems.length > 0) throw new ConfigError(authProblems);
  if (config.deviceAuth === 'none' && !isLoopbackHost(config.host) && !config.allowInsecureDeviceAuth) {
    throw new ConfigError([
      `DEVICE_AUTH=none on the non-loopback HOST ${config.host} would let anyone act as any device; ` +
        'choose another DEVICE_AUTH mode, listen on 127.0.0.1, or set ALLOW_INSECURE_DEVICE_AUTH=1 if you really mean it',
    ]);
  }
  return config;
}

function compileConfigSchema() {
  const ajv = new Ajv2020({ allErrors: true, strict: true, useDefaults: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(join(schemasDir, 'config.schema.json'), 'utf8')) as object);
}

/** Parsed value, or the text itself when it does not parse (so the schema reports it with the variable's name). */
function readText(text: string, kind: Kind): unknown {
  switch (kind) {
    case 'string':
      return text;
    case 'int':
      return /^\d{1,9}$/.test(text) ? Number(text) : text;
    case 'size': {
      const m = /^(\d{1,12})\s*(b|k|kb|kib|m|mb|mib)?$/i.exec(text);
      if (!m) return text;
      const unit = (m[2] ?? 'b').toLowerCase();
      return Number(m[1]) * (unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 * 1024 : 1);
    }
    case 'bool':
      if (/^(1|true|yes|on)$/i.test(text)) return true;
      if (/^(0|false|no|off)$/i.test(text)) return false;
      return text;
    case 'list':
      return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  }
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
