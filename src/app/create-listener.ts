/**
 * The server the gateway listens with: node:http, or node:https when TLS_CERT/TLS_KEY are set. With DEVICE_AUTH=mtls it
 * asks every client for a certificate and verifies it against TLS_CLIENT_CA only (not the system roots); an
 * unverifiable or missing one does not fail the handshake — the SyncML endpoint answers 401 (src/auth/mtls-authenticator.ts),
 * the operator API keeps working with its bearer token. Timeouts bound slow clients: the whole request must arrive within
 * REQUEST_TIMEOUT_MS, its headers within min(20 s, that).
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { ConfigError, type GatewayConfig } from '../config/index.js';

/** Built before anything else is opened (a bad certificate path is a configuration error); the app is attached later. */
export function createListener(config: GatewayConfig, requestTimeoutMs: number): { server: Server; scheme: 'http' | 'https' } {
  const timeouts = {
    requestTimeout: requestTimeoutMs,
    headersTimeout: Math.min(20_000, requestTimeoutMs),
    keepAliveTimeout: 5_000,
    // How often expired requests are looked for (Node's default is 30 s, far coarser than a short timeout).
    connectionsCheckingInterval: Math.max(250, Math.min(5_000, Math.floor(requestTimeoutMs / 4))),
  };
  if (config.tlsCert === undefined || config.tlsKey === undefined) return { server: createHttpServer(timeouts), scheme: 'http' };
  const mtls = config.deviceAuth === 'mtls';
  const server = createHttpsServer(
    {
      ...timeouts,
      cert: pem(config.tlsCert, 'TLS_CERT'),
      key: pem(config.tlsKey, 'TLS_KEY'),
      minVersion: 'TLSv1.2',
      ...(mtls ? { requestCert: true, rejectUnauthorized: false, ca: pem(config.tlsClientCa ?? '', 'TLS_CLIENT_CA') } : {}),
    },
  );
  return { server, scheme: 'https' };
}

function pem(path: string, name: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ConfigError([`${name} ${path} cannot be read: ${(error as Error).message}`], { cause: error });
  }
}
