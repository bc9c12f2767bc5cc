import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogContext } from './log-context.js';

/**
 * Paths pino censors wherever they appear in a log object: bearer tokens, WNS client secrets and access tokens,
 * generated keys. (pino's `*` matches one level, so the common nestings are listed.)
 */
export const REDACT_PATHS = [
  'authorization', '*.authorization', '*.*.authorization', 'req.headers.authorization', 'headers.authorization',
  'token', '*.token', 'accessToken', '*.accessToken', 'access_token', '*.access_token',
  'operatorToken', '*.operatorToken', 'secretKey', '*.secretKey', 'secret', '*.secret',
  'clientSecret', '*.clientSecret', '*.*.clientSecret', 'client_secret', '*.client_secret',
  'password', '*.password', 'cred', '*.cred',
  // SQL parameters of a failed query (TypeORM QueryFailedError): may hold sealed secrets or device data.
  'err.parameters', 'err.driverError.parameters',
];

export interface LoggerOptions {
  level: string;
  context?: LogContext;
  /** Where lines go (tests capture them); default stdout. */
  destination?: DestinationStream;
}

/** The gateway's root logger: JSON lines, secrets redacted, request context (ids) mixed into every line. */
export function createLogger(options: LoggerOptions): Logger {
  const { context } = options;
  return pino(
    {
      level: options.level,
      base: { service: 'omadm-gateway' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      mixin: context ? () => context.current() as Record<string, unknown> : undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}
