import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { DeviceAuthMode } from '../config/index.js';
import type { SyncML } from '../syncml/model.js';

/** Who the device is, as far as the transport and the message say. */
export interface DeviceIdentity {
  deviceId: string;
}

export interface DeviceAuthRequest {
  message: SyncML;
  headers: IncomingHttpHeaders;
  remoteAddress: string | undefined;
  /** The connection (a TLSSocket when the gateway serves HTTPS: mtls reads the verified peer certificate from it). */
  socket?: Socket;
}

/**
 * The device authentication seam of the SyncML endpoint. HTTP-level modes (mtls: the client certificate must name the
 * SyncHdr Source DeviceID; proxy-header: the same from a header set by a trusted proxy) implement this interface.
 * `md5` lives in the SyncML exchange itself (Cred/Chal/Status 401/407, PROTOCOL.md a.7), so it is a decorator of
 * the session service rather than an authenticator here. Throws DeviceAuthError (→ 401) or DeviceIdentityError (→ 400).
 */
export interface DeviceAuthenticator {
  readonly mode: DeviceAuthMode;
  authenticate(request: DeviceAuthRequest): Promise<DeviceIdentity>;
}

export class DeviceAuthError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeviceAuthError';
  }
}

/** Authenticated, but not as the device the message claims to be (mtls / proxy-header identity ≠ SyncHdr Source) → 403. */
export class DeviceForbiddenError extends DeviceAuthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeviceForbiddenError';
  }
}

/** The message names no usable DeviceID. */
export class DeviceIdentityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeviceIdentityError';
  }
}

const DEVICE_ID = /^[^\u0000-\u001f\u007f]{1,256}$/;

/** The DeviceID a message claims: SyncHdr Source LocURI (= ./DevInfo/DevID, PROTOCOL.md a.2). */
export function claimedDeviceId(message: SyncML): string {
  const id = message.header.source.locURI;
  if (!DEVICE_ID.test(id)) throw new DeviceIdentityError('SyncHdr Source LocURI is not a usable DeviceID');
  return id;
}

/** DEVICE_AUTH=none: trusts the SyncHdr Source. Only allowed on loopback unless ALLOW_INSECURE_DEVICE_AUTH=1 (config). */
export function createNoneAuthenticator(): DeviceAuthenticator {
  return {
    mode: 'none',
    authenticate: async ({ message }) => ({ deviceId: claimedDeviceId(message) }),
  };
}
