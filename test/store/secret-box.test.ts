import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorruptRowError } from '../../src/store/errors.js';
import { createSecretBox, loadOrCreateSecretKey, secretKeyFrom } from '../../src/store/secret-box.js';

const key = Buffer.alloc(32, 1);

describe('secret box (AES-256-GCM)', () => {
  it('seals to a versioned envelope that opens with the same key and associated data', () => {
    const box = createSecretBox(key);
    const sealed = box.seal('s3cret', 'provider-a');
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('s3cret');
    expect(box.open(sealed, 'provider-a')).toBe('s3cret');
  });

  it('uses a fresh IV every time', () => {
    const box = createSecretBox(key);
    expect(box.seal('same', 'p')).not.toBe(box.seal('same', 'p'));
  });

  it('refuses a wrong key, other associated data, a tampered body and an unknown format', () => {
    const sealed = createSecretBox(key).seal('s3cret', 'p');
    expect(() => createSecretBox(Buffer.alloc(32, 2)).open(sealed, 'p')).toThrow(CorruptRowError);
    expect(() => createSecretBox(key).open(sealed, 'q')).toThrow(CorruptRowError);
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = body[0]! ^ 1;
    expect(() => createSecretBox(key).open([...parts.slice(0, 3), body.toString('base64url')].join('.'), 'p')).toThrow(CorruptRowError);
    expect(() => createSecretBox(key).open(`v2.${parts.slice(1).join('.')}`, 'p')).toThrow(CorruptRowError);
    expect(() => createSecretBox(key).open('plaintext', 'p')).toThrow(CorruptRowError);
  });

  it('requires a 32-byte key', () => {
    expect(() => createSecretBox(Buffer.alloc(16))).toThrow(RangeError);
  });

  it('takes base64 or hex 32-byte keys as they are and stretches passphrases', () => {
    const raw = Buffer.alloc(32, 0xab);
    expect(secretKeyFrom(raw.toString('base64'))).toEqual(raw);
    expect(secretKeyFrom(raw.toString('base64url'))).toEqual(raw);
    expect(secretKeyFrom(raw.toString('hex'))).toEqual(raw);
    const stretched = secretKeyFrom('correct horse battery staple');
    expect(stretched).toHaveLength(32);
    expect(secretKeyFrom('correct horse battery staple')).toEqual(stretched);
  });

  it('loads SECRET_KEY, else creates a key file once (mode 0600) and reuses it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omadm-key-'));
    try {
      const first = loadOrCreateSecretKey(dir, undefined);
      expect(first).toHaveLength(32);
      expect(loadOrCreateSecretKey(dir, undefined)).toEqual(first);
      expect((await stat(join(dir, 'secret-key'))).mode & 0o777).toBe(0o600);
      expect(secretKeyFrom(await readFile(join(dir, 'secret-key'), 'utf8'))).toEqual(first);
      const raw = Buffer.alloc(32, 5);
      expect(loadOrCreateSecretKey(dir, raw.toString('base64'))).toEqual(raw);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
