/**
 * DEVICE_AUTH=mtls: the gateway terminates TLS itself (node:https, requestCert, TLS_CLIENT_CA as the only trust
 * anchors) and the verified client certificate's subject CN must name the SyncHdr Source LocURI (certificate-identity.ts).
 *
 * The TLS handshake does not reject a missing or unverifiable certificate (rejectUnauthorized: false): the operator API
 * and health endpoints must stay reachable without one, and a device without a good certificate gets a logged HTTP 401
 * rather than a silent handshake failure. A verified certificate for another device gets 403, logged.
 */
import { TLSSocket } from 'node:tls';
import { pino, type Logger } from 'pino';
import { claimedDeviceId, DeviceAuthError, DeviceForbiddenError, type DeviceAuthenticator } from '../http/device-auth.js';
import { identityFromSubject, namesDevice } from './certificate-identity.js';

export function createMtlsAuthenticator(deps: { logger?: Logger } = {}): DeviceAuthenticator {
  const logger = deps.logger ?? pino({ level: 'silent' });
  return {
    mode: 'mtls',
    async authenticate({ message, socket, remoteAddress }) {
      const deviceId = claimedDeviceId(message);
      const refuse = (error: DeviceAuthError): never => {
        logger.warn({ deviceId, remoteAddress, reason: error.message, status: error instanceof DeviceForbiddenError ? 403 : 401 }, 'device refused (mtls)');
        throw error;
      };
      if (!(socket instanceof TLSSocket)) return refuse(new DeviceAuthError('the connection is not TLS'));
      if (!socket.authorized) {
        const why = socket.authorizationError ? String(socket.authorizationError) : 'none presented';
        return refuse(new DeviceAuthError(`no verified client certificate (${why})`));
      }
      const certificate = socket.getPeerCertificate();
      const identity = identityFromSubject(certificate.subject as unknown as Record<string, string | string[] | undefined> | undefined);
      if (!identity.ok) return refuse(new DeviceForbiddenError(identity.reason));
      if (!namesDevice(identity.identity, deviceId)) {
        return refuse(new DeviceForbiddenError(`client certificate CN ${identity.identity} does not name SyncHdr Source ${deviceId}`));
      }
      return { deviceId };
    },
  };
}
