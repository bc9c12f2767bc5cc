/**
 * What md5 authentication needs from storage, as narrow role interfaces (src/store/credential-repository.ts
 * implements them). Secrets are B64(MD5(username:password)) hashes (see md5-digest.ts), sealed at rest by the store.
 */

/** A device's application-layer credentials and the state of the nonce exchange (PROTOCOL.md a.7). */
export interface DeviceCredentials {
  deviceId: string;
  /** The userid the device authenticates as (Source LocName); informational, the hash binds it. */
  clientName: string;
  /** B64(MD5(clientName:clientPassword)). */
  clientHash: string;
  /** b64 nonce the device must use for its next fresh authentication (the last NextNonce we sent, or the provisioned one). */
  clientNonce: string;
  /** The nonce that authenticated `authSessionId` (still valid for later messages of that session). */
  sessionNonce: string | null;
  /** SessionID of the session we last answered 212 in. */
  authSessionId: string | null;
  /** Our own credentials towards this device (OMA-DMSEC 5.1.1: a different password per device), when provisioned. */
  serverName: string | null;
  /** B64(MD5(serverName:serverPassword)). */
  serverHash: string | null;
  /** b64 nonce the device gave us (its Chal NextNonce, or the provisioned one) for our next Cred. */
  serverNonce: string | null;
  /** SessionID in which the device accepted our credentials (212 on our SyncHdr). */
  serverAuthSessionId: string | null;
  /** Consecutive failed authentications. */
  failures: number;
}

/** The part of DeviceCredentials the md5 exchange changes. */
export type AuthStateChange = Partial<
  Pick<DeviceCredentials, 'clientNonce' | 'sessionNonce' | 'authSessionId' | 'serverNonce' | 'serverAuthSessionId' | 'failures'>
>;

/** Reads and moves the auth state (the SyncML endpoint). */
export interface DeviceCredentialReader {
  getDeviceCredentials(deviceId: string): Promise<DeviceCredentials | null>;
  updateAuthState(deviceId: string, change: AuthStateChange): Promise<void>;
}

/** What an operator provisions (passwords are turned into hashes before they are stored). */
export interface DeviceCredentialInput {
  client: { name: string; password?: string; hash?: string; nonce?: string };
  server?: { name: string; password?: string; hash?: string; nonce?: string } | null;
}

/** The operator side: provisioning, masked view, removal. */
export interface DeviceCredentialDirectory {
  /** Returns the stored credentials as getDeviceCredentials would (same transaction). */
  putDeviceCredentials(deviceId: string, input: DeviceCredentialInput): Promise<{ created: boolean; credentials: DeviceCredentials }>;
  deleteDeviceCredentials(deviceId: string): Promise<boolean>;
  getDeviceCredentials(deviceId: string): Promise<DeviceCredentials | null>;
}

export type DeviceCredentialStore = DeviceCredentialReader & DeviceCredentialDirectory;
