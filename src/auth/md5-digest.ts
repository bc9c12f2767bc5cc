/**
 * OMA-DM `syncml:auth-md5` arithmetic (PROTOCOL.md a.7; OMA-TS-DM_Security 5.1.3.2):
 *
 *   Digest = H(B64(H(username:password)):nonce)      H = MD5, B64 = base64
 *
 * The nonce travels base64-encoded (Chal NextNonce, Format b64) but is hashed as its decoded bytes ("the octal form of
 * the binary data should be used when the service calculates the hash", SRVREQ / MS-MDM §1.3.1). Cred Data carries
 * B64(Digest). B64(H(username:password)) is what the store keeps (the "pre-computed hash" the spec allows), never the
 * password itself. Pure.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** B64(MD5(username:password)): the per-device secret the gateway stores (sealed) instead of the password. */
export function credentialHash(username: string, password: string): string {
  return createHash('md5').update(`${username}:${password}`, 'utf8').digest('base64');
}

/** B64(MD5(credentialHash ":" nonceBytes)) — the Cred Data of an md5 credential. */
export function md5Digest(hash: string, nonceB64: string): string {
  return createHash('md5')
    .update(Buffer.from(`${hash}:`, 'latin1'))
    .update(decodeNonce(nonceB64))
    .digest('base64');
}

/** The nonce bytes of a b64 NextNonce (liberal: URL-safe alphabet, missing padding and white space are accepted). */
export function decodeNonce(nonceB64: string): Buffer {
  return Buffer.from(nonceB64.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** Compares two base64 digests in constant time (over their decoded bytes, so padding differences do not matter). */
export function sameDigest(presented: string, expected: string): boolean {
  const a = Buffer.from(presented.trim(), 'base64');
  const b = Buffer.from(expected, 'base64');
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}
