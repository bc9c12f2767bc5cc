import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from './config-error.js';

/**
 * Reads a one-line secret file, or creates it (mode 0600, exclusive create so two processes starting at once agree on
 * one value). A file readable by group or others is tightened to 0600.
 */
export function readOrCreateSecretFile(path: string, generate: () => string): { value: string; created: boolean } {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, `${generate()}\n`, { mode: 0o600, flag: 'wx' });
    return { value: readSecret(path), created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new ConfigError([`cannot create ${path}: ${(error as Error).message}`], { cause: error });
    }
  }
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  return { value: readSecret(path), created: false };
}

function readSecret(path: string): string {
  const value = readFileSync(path, 'utf8').trim();
  if (value.length < 16) throw new ConfigError([`${path} holds no usable secret (delete it to generate a new one)`]);
  return value;
}
