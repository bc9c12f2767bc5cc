/**
 * The DeviceAuthenticator for DEVICE_AUTH (the SyncML endpoint's seam, src/http/device-auth.ts). md5 authenticates
 * inside the SyncML exchange (withMd5Auth decorates the session service); at the HTTP level it only reads the claimed
 * DeviceID, like none.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { ConfigError, isLoopbackHost, type GatewayConfig } from '../config/index.js';
import { claimedDeviceId, createNoneAuthenticator, type DeviceAuthenticator } from '../http/device-auth.js';
import { createMtlsAuthenticator } from './mtls-authenticator.js';
import { createProxyHeaderAuthenticator } from './proxy-header-authenticator.js';
import { createTrustedProxies } from './trusted-proxies.js';

export const DEFAULT_PROXY_CERT_HEADER = 'x-client-cert';

export function createDeviceAuthenticator(config: GatewayConfig, deps: { logger: Logger }): DeviceAuthenticator {
  const logger = deps.logger.child({ component: 'device-auth' });
  switch (config.deviceAuth) {
    case 'none':
      if (!isLoopbackHost(config.host)) {
        // loadConfig already refused this unless ALLOW_INSECURE_DEVICE_AUTH=1: say it loudly on every start.
        logger.warn(
          { host: config.host, deviceAuth: 'none' },
          'INSECURE: DEVICE_AUTH=none on a non-loopback address (ALLOW_INSECURE_DEVICE_AUTH=1): anyone who can reach this port can act as any device',
        );
      }
      return createNoneAuthenticator();
    case 'md5':
      return { mode: 'md5', authenticate: async ({ message }) => ({ deviceId: claimedDeviceId(message) }) };
    case 'mtls':
      return createMtlsAuthenticator({ logger });
    case 'proxy-header':
      return createProxyHeaderAuthenticator({
        proxies: createTrustedProxies(config.trustedProxies ?? []),
        certHeader: (config.proxyCertHeader ?? DEFAULT_PROXY_CERT_HEADER).toLowerCase(),
        ...(config.proxyIdentityHeader ? { identityHeader: config.proxyIdentityHeader.toLowerCase() } : {}),
        ...(config.tlsClientCa ? { clientCa: readCaBundle(config.tlsClientCa) } : {}),
        logger,
      });
  }
}

/** Every certificate of a PEM bundle file; a file without one is a configuration error. */
export function readCaBundle(path: string): X509Certificate[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`TLS_CLIENT_CA ${path} cannot be read: ${(error as Error).message}`], { cause: error });
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  try {
    const certs = blocks.map((b) => new X509Certificate(b));
    if (certs.length === 0) throw new Error('no certificate in it');
    return certs;
  } catch (error) {
    throw new ConfigError([`TLS_CLIENT_CA ${path} is not a PEM certificate bundle: ${(error as Error).message}`], { cause: error });
  }
}
