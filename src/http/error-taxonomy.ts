/**
 * The one closed list of errors the HTTP layer can answer with, and their HTTP status — mapped here and nowhere else.
 * The operator API renders them as RFC 9457 problem+json (`type` = PROBLEM_TYPE_PREFIX + kind, stable);
 * the SyncML endpoint renders the same kinds as a short text/plain reason (devices do not read problem+json).
 */
export const errorTaxonomy = {
  // operator API
  unauthorized: { status: 401, title: 'Authentication required' },
  'validation-failed': { status: 400, title: 'The request does not match its schema' },
  'malformed-json': { status: 400, title: 'The request body is not valid JSON' },
  'invalid-loc-uri': { status: 400, title: 'A target is not a valid LocURI' },
  'invalid-command': { status: 400, title: 'The command cannot be sent as SyncML' },
  'invalid-cursor': { status: 400, title: 'The pagination cursor is not valid' },
  'route-not-found': { status: 404, title: 'No such route' },
  'device-not-found': { status: 404, title: 'No such device' },
  'provider-not-found': { status: 404, title: 'No such provider' },
  'session-not-found': { status: 404, title: 'No such session for this device' },
  'command-not-found': { status: 404, title: 'No such command' },
  'credentials-not-found': { status: 404, title: 'No credentials for this device' },
  'method-not-allowed': { status: 405, title: 'Method not allowed on this route' },
  'command-not-cancellable': { status: 409, title: 'Only a queued command can be cancelled' },
  'no-usable-channel': { status: 409, title: 'The device has no usable push channel' },
  'body-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported content type' },
  unavailable: { status: 503, title: 'Temporarily unavailable' },
  internal: { status: 500, title: 'Internal error' },
  // SyncML endpoint (PROTOCOL.md a.1; three tiers: unreadable → 4xx, failed command → Status in a 200, fault → 500)
  'syncml-malformed': { status: 400, title: 'not a well-formed SyncML message' },
  'syncml-too-large': { status: 413, title: 'SyncML message too large' },
  'syncml-unsupported-media-type': { status: 415, title: 'unsupported content type' },
  'device-unauthorized': { status: 401, title: 'device not authenticated' },
  'device-forbidden': { status: 403, title: 'device identity does not match the message' },
  'rate-limited': { status: 429, title: 'too many requests, retry later' },
  'session-busy': { status: 503, title: 'session is busy, retry' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorKind = keyof typeof errorTaxonomy;

export const PROBLEM_TYPE_PREFIX = 'urn:omadm-gateway:problem:';

export function problemType(kind: ErrorKind): string {
  return PROBLEM_TYPE_PREFIX + kind;
}

/** An expected error outcome of a request. `detail` is safe to show to the caller; `cause` only goes to the log. */
export class HttpError extends Error {
  readonly status: number;

  constructor(
    readonly kind: ErrorKind,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(detail ?? errorTaxonomy[kind].title, options);
    this.name = 'HttpError';
    this.status = errorTaxonomy[kind].status;
  }
}
