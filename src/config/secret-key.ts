import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readOrCreateSecretFile } from './secret-file.js';

export const SECRET_KEY_FILE = 'secret-key';

/** The key that encrypts secrets at rest: SECRET_KEY, else dataDir/secret-key (32 random bytes, base64, created 0600). */
export function ensureSecretKey(configured: string | undefined, dataDir: string): { key: string; origin: 'env' | 'file' | 'generated' } {
  if (configured !== undefined) return { key: configured, origin: 'env' };
  const { value, created } = readOrCreateSecretFile(join(dataDir, SECRET_KEY_FILE), () => randomBytes(32).toString('base64'));
  return { key: value, origin: created ? 'generated' : 'file' };
}
