/**
 * DEVICE_AUTH=proxy-header: a TLS-terminating proxy verified the client certificate and forwards it (PEM, URL-encoded,
 * in PROXY_CERT_HEADER — nginx `$ssl_client_escaped_cert`) or its subject CN (PROXY_IDENTITY_HEADER). Believed only
 * when the TCP peer is in TRUSTED_PROXIES; from anyone else the headers are ignored and the request is refused (401,
 * logged). The proxy must overwrite these headers on every request (SECURITY.md). With TLS_CLIENT_CA set, a forwarded
 * certificate must also be issued by one of those CAs and be within its validity period.
 */
import { X509Certificate } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { pino, type Logger } from 'pino';
import { claimedDeviceId, DeviceAuthError, DeviceForbiddenError, type DeviceAuthenticator } from '../http/device-auth.js';
import { identityFromCertificate, namesDevice, type IdentityResult } from './certificate-identity.js';
import type { TrustedProxies } from './trusted-proxies.js';

export interface ProxyHeaderOptions {
  proxies: TrustedProxies;
  /** Lower-case header names. */
  certHeader: string;
  identityHeader?: string;
  /** Issuers a forwarded certificate must come from (optional second check). */
  clientCa?: X509Certificate[];
  clock?: () => Date;
  logger?: Logger;
}

export function createProxyHeaderAuthenticator(options: ProxyHeaderOptions): DeviceAuthenticator {
  const logger = options.logger ?? pino({ level: 'silent' });
  const clock = options.clock ?? (() => new Date());
  return {
    mode: 'proxy-header',
    async authenticate({ message, headers, remoteAddress }) {
      const deviceId = claimedDeviceId(message);
      const refuse = (error: DeviceAuthError): never => {
        logger.warn({ deviceId, remoteAddress, reason: error.message, status: error instanceof DeviceForbiddenError ? 403 : 401 }, 'device refused (proxy-header)');
        throw error;
      };
      if (!options.proxies.trusts(remoteAddress)) return refuse(new DeviceAuthError('the request did not come through a trusted proxy'));
      const identity = forwardedIdentity(headers, options, clock());
      if (!identity.ok) return refuse(new DeviceAuthError(identity.reason));
      if (!namesDevice(identity.identity, deviceId)) {
        return refuse(new DeviceForbiddenError(`forwarded identity ${identity.identity} does not name SyncHdr Source ${deviceId}`));
      }
      return { deviceId };
    },
  };
}

function forwardedIdentity(headers: IncomingHttpHeaders, options: ProxyHeaderOptions, now: Date): IdentityResult {
  const certValue = single(headers[options.certHeader]);
  if (certValue !== undefined && certValue !== '') {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(decodeURIComponent(certValue));
    } catch {
      return { ok: false, reason: `${options.certHeader} is not a URL-encoded PEM certificate` };
    }
    if (now < new Date(cert.validFrom) || now > new Date(cert.validTo)) return { ok: false, reason: 'the forwarded certificate is not within its validity period' };
    if (options.clientCa && !options.clientCa.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey))) {
      return { ok: false, reason: 'the forwarded certificate is not issued by TLS_CLIENT_CA' };
    }
    return identityFromCertificate(cert);
  }
  if (options.identityHeader !== undefined) {
    const value = single(headers[options.identityHeader]);
    if (value !== undefined && value !== '') {
      let identity: string;
      try {
        identity = decodeURIComponent(value);
      } catch {
        return { ok: false, reason: `${options.identityHeader} is not valid` };
      }
      if (/[\u0000-\u001f\u007f]/.test(identity) || identity.length > 256) return { ok: false, reason: `${options.identityHeader} is not a usable identity` };
      return { ok: true, identity };
    }
  }
  return { ok: false, reason: 'no client certificate was forwarded' };
}

/** A header given twice is ambiguous (Node joins repeated custom headers): refused as absent. */
function single(value: string | string[] | undefined): string | undefined {
  if (Array.isArray(value)) return value.length === 1 ? value[0] : undefined;
  return value;
}
