import { describe, expect, it } from 'vitest';
import { credentialHash, decodeNonce, md5Digest, sameDigest } from '../../src/auth/md5-digest.js';
import { basicMatches, readPresentedCredential } from '../../src/auth/presented-credential.js';

describe('syncml:auth-md5 digest (OMA-DMSEC 5.1.3.2)', () => {
  it('matches the OMA worked example: Bruce2 / OhBehave / nonce "Nonce" → Zz6EivR3yeaaENcRN6lpAQ==', () => {
    // The nonce travels as b64 and is hashed as its decoded bytes (PROTOCOL.md a.7): b64("Nonce") = "Tm9uY2U=".
    expect(credentialHash('Bruce2', 'OhBehave')).toBe('PtEdr8lBQ45IbT1bZIkrOQ==');
    expect(md5Digest(credentialHash('Bruce2', 'OhBehave'), 'Tm9uY2U=')).toBe('Zz6EivR3yeaaENcRN6lpAQ==');
  });

  it('hashes binary nonces as bytes, not as their base64 text', () => {
    const nonce = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x7f]).toString('base64');
    const hash = credentialHash('dev', 'secret');
    const asText = md5Digest(hash, Buffer.from(nonce, 'utf8').toString('base64'));
    expect(md5Digest(hash, nonce)).not.toBe(asText);
    expect(decodeNonce(nonce)).toEqual(Buffer.from([0x00, 0xff, 0x10, 0x80, 0x7f]));
  });

  it('reads URL-safe and unpadded nonces liberally', () => {
    const bytes = Buffer.from([0xfb, 0xff, 0xfe, 0x01]);
    expect(decodeNonce(bytes.toString('base64url'))).toEqual(bytes);
    expect(decodeNonce(' +//+AQ== ')).toEqual(bytes);
  });

  it('compares digests over their bytes and refuses empty or different lengths', () => {
    expect(sameDigest('Zz6EivR3yeaaENcRN6lpAQ==', 'Zz6EivR3yeaaENcRN6lpAQ==')).toBe(true);
    expect(sameDigest('Zz6EivR3yeaaENcRN6lpAQ', 'Zz6EivR3yeaaENcRN6lpAQ==')).toBe(true);
    expect(sameDigest('Zz6EivR3yeaaENcRN6lpAA==', 'Zz6EivR3yeaaENcRN6lpAQ==')).toBe(false);
    expect(sameDigest('', '')).toBe(false);
    expect(sameDigest('AAAA', 'Zz6EivR3yeaaENcRN6lpAQ==')).toBe(false);
  });
});

describe('presented credentials (SyncHdr Cred)', () => {
  it('reads md5, basic, and the defaults (Type basic, Format b64)', () => {
    expect(readPresentedCredential(undefined)).toEqual({ type: 'none' });
    expect(readPresentedCredential({ meta: { type: 'syncml:auth-md5', format: 'b64' }, data: 'Zz6EivR3yeaaENcRN6lpAQ==' })).toEqual({ type: 'md5', digest: 'Zz6EivR3yeaaENcRN6lpAQ==' });
    expect(readPresentedCredential({ meta: { type: ' SyncML:Auth-MD5 ' }, data: 'Zz6E ivR3\nyeaaENcRN6lpAQ==' })).toEqual({ type: 'md5', digest: 'Zz6EivR3yeaaENcRN6lpAQ==' });
    const basic = Buffer.from('Bruce2:Oh:Behave').toString('base64');
    expect(readPresentedCredential({ data: basic })).toEqual({ type: 'basic', username: 'Bruce2', password: 'Oh:Behave' });
  });

  it('calls anything else unsupported', () => {
    expect(readPresentedCredential({ meta: { type: 'syncml:auth-md5', format: 'chr' }, data: 'x' }).type).toBe('unsupported');
    expect(readPresentedCredential({ meta: { type: 'syncml:auth-mac' }, data: 'AAAA' }).type).toBe('unsupported');
    expect(readPresentedCredential({ meta: { type: 'syncml:auth-md5' }, data: 'not base64!' }).type).toBe('unsupported');
    expect(readPresentedCredential({ data: Buffer.from('no-colon').toString('base64') }).type).toBe('unsupported');
    expect(readPresentedCredential({ data: '' }).type).toBe('unsupported');
  });

  it('checks basic credentials against the stored hash only', () => {
    const stored = credentialHash('Bruce2', 'OhBehave');
    expect(basicMatches({ username: 'Bruce2', password: 'OhBehave' }, stored)).toBe(true);
    expect(basicMatches({ username: 'Bruce2', password: 'ohbehave' }, stored)).toBe(false);
    expect(basicMatches({ username: 'Bruce3', password: 'OhBehave' }, stored)).toBe(false);
  });
});
