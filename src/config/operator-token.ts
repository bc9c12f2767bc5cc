import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readOrCreateSecretFile } from './secret-file.js';

export const OPERATOR_TOKEN_FILE = 'operator-token';

export interface OperatorTokenSource {
  token: string;
  /** 'env' when OPERATOR_TOKEN was set; 'file' when read from dataDir; 'generated' on the first start. */
  origin: 'env' | 'file' | 'generated';
  /** Where the token file lives (when origin is not 'env'). */
  path?: string;
}

/** The operator API's bearer token: OPERATOR_TOKEN, else dataDir/operator-token (created 0600 on first start). */
export function ensureOperatorToken(configured: string | undefined, dataDir: string): OperatorTokenSource {
  if (configured !== undefined) return { token: configured, origin: 'env' };
  const path = join(dataDir, OPERATOR_TOKEN_FILE);
  const { value, created } = readOrCreateSecretFile(path, () => randomBytes(32).toString('base64url'));
  return { token: value, origin: created ? 'generated' : 'file', path };
}
