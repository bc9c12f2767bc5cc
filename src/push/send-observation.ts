/**
 * What one POST to a ChannelURI produced, as data: either an HTTP answer with the WNS headers we record
 * (PROTOCOL.md e.5) or a network failure. The raw sender produces it; classify-outcome decides what it means.
 */

export type WnsStatus = 'received' | 'dropped' | 'channelthrottled';
/** `tempdisconnected` (header syntax) and `tempconnected` (table, deprecated) are both documented: accept both. */
export type WnsDeviceConnectionStatus = 'connected' | 'disconnected' | 'tempdisconnected' | 'tempconnected';

export interface WnsResponseHeaders {
  /** X-WNS-Status, or the legacy X-WNS-NotificationStatus alias; lower-cased; raw value kept when unknown. */
  status: string | null;
  deviceConnectionStatus: string | null;
  msgId: string | null;
  debugTrace: string | null;
  errorDescription: string | null;
  /** MS-CV as WNS echoed or generated it. */
  msCv: string | null;
  /** Retry-After as sent (delta-seconds or an HTTP date). */
  retryAfter: string | null;
}

export type NetworkErrorKind = 'connect-timeout' | 'timeout' | 'connection' | 'tls' | 'other';

export type SendObservation =
  | { kind: 'response'; httpStatus: number; headers: WnsResponseHeaders; durationMs: number; msCvSent: string }
  | { kind: 'network'; error: NetworkErrorKind; message: string; durationMs: number; msCvSent: string };

export function emptyWnsHeaders(): WnsResponseHeaders {
  return {
    status: null,
    deviceConnectionStatus: null,
    msgId: null,
    debugTrace: null,
    errorDescription: null,
    msCv: null,
    retryAfter: null,
  };
}
