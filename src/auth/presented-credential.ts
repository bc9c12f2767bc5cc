/**
 * What a device presents in its SyncHdr Cred (OMA-DMREPPRO 4.1.1.6: credentials only in the SyncHdr). Pure.
 *
 * Liberal where the protocol allows it: the Meta Type defaults to syncml:auth-basic (SyncML's default), a missing
 * Format is read as b64, type names are compared case-insensitively and trimmed. Anything else is `unsupported`.
 */
import type { Cred } from '../syncml/model.js';
import { credentialHash, sameDigest } from './md5-digest.js';

export const AUTH_MD5 = 'syncml:auth-md5';
export const AUTH_BASIC = 'syncml:auth-basic';

export type PresentedCredential =
  | { type: 'none' }
  | { type: 'md5'; digest: string }
  | { type: 'basic'; username: string; password: string }
  | { type: 'unsupported'; reason: string };

const B64 = /^[A-Za-z0-9+/=_-]+$/;

export function readPresentedCredential(cred: Cred | undefined): PresentedCredential {
  if (cred === undefined) return { type: 'none' };
  const type = (cred.meta?.type ?? AUTH_BASIC).trim().toLowerCase();
  const format = (cred.meta?.format ?? 'b64').trim().toLowerCase();
  const data = cred.data.replace(/\s+/g, '');
  if (format !== 'b64') return { type: 'unsupported', reason: `Cred Format ${format} (b64 required)` };
  if (data === '' || !B64.test(data)) return { type: 'unsupported', reason: 'Cred Data is not base64' };
  if (type === AUTH_MD5) return { type: 'md5', digest: data };
  if (type === AUTH_BASIC) {
    const text = Buffer.from(data, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon < 0) return { type: 'unsupported', reason: 'basic Cred Data is not userid:password' };
    return { type: 'basic', username: text.slice(0, colon), password: text.slice(colon + 1) };
  }
  return { type: 'unsupported', reason: `Cred Type ${type.slice(0, 64)}` };
}

/** A basic credential against the stored B64(MD5(username:password)), in constant time. */
export function basicMatches(presented: { username: string; password: string }, storedHash: string): boolean {
  return sameDigest(credentialHash(presented.username, presented.password), storedHash);
}
