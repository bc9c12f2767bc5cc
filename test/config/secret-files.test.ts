import { mkdtempSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, ensureOperatorToken, ensureSecretKey } from '../../src/config/index.js';

const freshDir = () => join(mkdtempSync(join(tmpdir(), 'gw-config-')), 'data');

describe('generated secrets', () => {
  it('generates the operator token once, 0600, and reads it back later', () => {
    const dir = freshDir();
    const first = ensureOperatorToken(undefined, dir);
    expect(first.origin).toBe('generated');
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(first.path!).mode & 0o777).toBe(0o600);
    const second = ensureOperatorToken(undefined, dir);
    expect(second).toEqual({ token: first.token, origin: 'file', path: first.path });
  });

  it('prefers OPERATOR_TOKEN and writes nothing then', () => {
    expect(ensureOperatorToken('from-the-environment', freshDir())).toEqual({ token: 'from-the-environment', origin: 'env' });
  });

  it('tightens a token file that others can read', () => {
    const dir = freshDir();
    const { path } = ensureOperatorToken(undefined, dir);
    chmodSync(path!, 0o644);
    ensureOperatorToken(undefined, dir);
    expect(statSync(path!).mode & 0o777).toBe(0o600);
  });

  it('refuses an empty token file instead of running with a guessable token', () => {
    const dir = freshDir();
    const { path } = ensureOperatorToken(undefined, dir);
    writeFileSync(path!, '\n');
    expect(() => ensureOperatorToken(undefined, dir)).toThrow(ConfigError);
  });

  it('generates the secret key once, 32 random bytes, 0600', () => {
    const dir = freshDir();
    const first = ensureSecretKey(undefined, dir);
    expect(first.origin).toBe('generated');
    expect(Buffer.from(first.key, 'base64')).toHaveLength(32);
    expect(statSync(join(dir, 'secret-key')).mode & 0o777).toBe(0o600);
    expect(ensureSecretKey(undefined, dir)).toEqual({ key: first.key, origin: 'file' });
    expect(readFileSync(join(dir, 'secret-key'), 'utf8').trim()).toBe(first.key);
    expect(ensureSecretKey('configured-secret-key', dir)).toEqual({ key: 'configured-secret-key', origin: 'env' });
  });
});
