/**
 * The device identity a client certificate carries, and whether it names the device a message claims. Pure.
 *
 * Decision: the identity is the certificate's subject CN. Windows MDM enrollment issues the device identity
 * certificate with the device id in the subject CN (MS-MDE2 / CERTAUTH: "CN=<DeviceID>"); subjectAltName is not used,
 * so a certificate whose SAN names a device but whose CN does not is not that device. A subject with no CN or with more
 * than one CN names no device.
 */
import type { X509Certificate } from 'node:crypto';

export type IdentityResult = { ok: true; identity: string } | { ok: false; reason: string };

/** From tls.PeerCertificate.subject (CN is an array when the subject repeats it). */
export function identityFromSubject(subject: Record<string, string | string[] | undefined> | undefined): IdentityResult {
  const cn = subject?.['CN'];
  if (cn === undefined || cn === '') return { ok: false, reason: 'the client certificate subject has no CN' };
  if (Array.isArray(cn)) return cn.length === 1 && cn[0] ? { ok: true, identity: cn[0] } : { ok: false, reason: 'the client certificate subject has several CNs' };
  return { ok: true, identity: cn };
}

/** From an X509Certificate (proxy-header mode): its subject is one `KEY=value` line per RDN. */
export function identityFromCertificate(cert: X509Certificate): IdentityResult {
  const cns = cert.subject
    .split('\n')
    .filter((line) => line.startsWith('CN='))
    .map((line) => line.slice(3));
  if (cns.length === 0) return { ok: false, reason: 'the client certificate subject has no CN' };
  if (cns.length > 1) return { ok: false, reason: 'the client certificate subject has several CNs' };
  return cns[0] ? { ok: true, identity: cns[0] } : { ok: false, reason: 'the client certificate CN is empty' };
}

const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

/**
 * The certificate identity names the SyncHdr Source LocURI: equal strings, or the same GUID written with other letter
 * case or with braces (GUID equality is case-insensitive by definition). Nothing else is normalised.
 */
export function namesDevice(identity: string, deviceId: string): boolean {
  if (identity === deviceId) return true;
  const a = GUID.exec(identity);
  const b = GUID.exec(deviceId);
  return a !== null && b !== null && a[1]!.toLowerCase() === b[1]!.toLowerCase();
}
