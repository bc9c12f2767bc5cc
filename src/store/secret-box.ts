import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { ensureSecretKey } from '../config/secret-key.js';
import { CorruptRowError } from './errors.js';

/**
 * Secrets at rest: AES-256-GCM, a random 96-bit IV per seal, the 128-bit tag checked on open, and an associated-data
 * string (e.g. the provider id) so a sealed value cannot be moved to another row. Envelope, versioned for key rotation:
 *   v1.<iv base64url>.<tag base64url>.<ciphertext base64url>
 */
export interface SecretBox {
  seal(plaintext: string, associatedData: string): string;
  open(envelope: string, associatedData: string): string;
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new RangeError(`secret key must be 32 bytes, got ${key.length}`);
  return {
    seal(plaintext, associatedData) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(associatedData, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    },
    open(envelope, associatedData) {
      const [version, iv, tag, body, ...rest] = envelope.split('.');
      if (version !== VERSION || iv === undefined || tag === undefined || body === undefined || rest.length > 0) {
        throw new CorruptRowError('sealed secret has an unknown format');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(associatedData, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      } catch (error) {
        throw new CorruptRowError('sealed secret does not open with this key (SECRET_KEY changed?)', { cause: error });
      }
    },
  };
}

/**
 * The 32-byte key from its configured form: base64 or hex of exactly 32 bytes is used as is (what the generated key file
 * holds); any other string (a passphrase in SECRET_KEY) is stretched with HKDF-SHA-256.
 */
export function secretKeyFrom(value: string): Buffer {
  const trimmed = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === 32) return bytes;
  }
  return Buffer.from(hkdfSync('sha256', Buffer.from(trimmed, 'utf8'), 'omadm-gateway', 'secret-box v1', 32));
}

/** SECRET_KEY when set, else the key file in dataDir (created 0600 on first start; see src/config/secret-key.ts). */
export function loadOrCreateSecretKey(dataDir: string, envValue: string | undefined): Buffer {
  return secretKeyFrom(ensureSecretKey(envValue, dataDir).key);
}
