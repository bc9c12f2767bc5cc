/**
 * SyncML Status and Alert codes with their meanings.
 * Sources: OMA-SUP "SyncML response status codes", SyncML RepPro §10, MS-MDM §2.2.7.2, OMA-TS-DM_Protocol §6-§10
 * (see ../shared/PROTOCOL.md sections b and c).
 */

export const StatusCode = {
  InProgress: '101',
  OK: '200',
  ItemAdded: '201',
  Accepted: '202',
  NoContent: '204',
  AuthenticationAccepted: '212',
  ChunkedItemAccepted: '213',
  OperationCancelled: '214',
  NotExecuted: '215',
  AtomicRollbackOK: '216',
  NotModified: '304',
  BadRequest: '400',
  InvalidCredentials: '401',
  Forbidden: '403',
  NotFound: '404',
  CommandNotAllowed: '405',
  OptionalFeatureNotSupported: '406',
  MissingCredentials: '407',
  RequestTimeout: '408',
  Gone: '410',
  IncompleteCommand: '412',
  RequestEntityTooLarge: '413',
  URITooLong: '414',
  UnsupportedMediaType: '415',
  RequestedSizeTooBig: '416',
  RetryLater: '417',
  AlreadyExists: '418',
  DeviceFull: '420',
  SizeMismatch: '424',
  PermissionDenied: '425',
  CommandFailed: '500',
  CommandNotImplemented: '501',
  ServiceUnavailable: '503',
  DTDVersionNotSupported: '505',
  ProcessingError: '506',
  AtomicFailed: '507',
  OperationCancelledBeforeProcessing: '514',
  AtomicRollbackFailed: '516',
} as const;
export type StatusCodeValue = (typeof StatusCode)[keyof typeof StatusCode];

export const statusMeaning: Readonly<Record<string, string>> = {
  '101': 'In progress',
  '200': 'The SyncML command completed successfully',
  '201': 'Item added',
  '202': 'Accepted for processing (asynchronous operation)',
  '204': 'No content',
  '212': 'Authentication accepted',
  '213': 'Chunked item accepted and buffered',
  '214': 'Operation canceled; no more commands are processed within the session',
  '215': 'Not executed (cancelled by user interaction)',
  '216': 'Atomic roll back OK',
  '304': 'Not modified',
  '400': 'Bad request (malformed syntax)',
  '401': 'Invalid credentials',
  '403': 'Forbidden',
  '404': 'Not found',
  '405': 'Command not allowed',
  '406': 'Optional feature not supported',
  '407': 'Missing credentials',
  '408': 'Request timeout',
  '410': 'Gone',
  '412': 'Incomplete command',
  '413': 'Request entity too large',
  '414': 'URI too long',
  '415': 'Unsupported type or format',
  '416': 'Requested size too big',
  '417': 'Retry later',
  '418': 'Already exists',
  '420': 'Device full',
  '424': 'Size mismatch',
  '425': 'Permission denied',
  '500': 'Command failed',
  '501': 'Command not implemented',
  '503': 'Service unavailable',
  '505': 'DTD version not supported',
  '506': 'Processing error',
  '507': 'Atomic failed',
  '514': 'Operation cancelled before processing',
  '516': 'Atomic roll back failed',
};

/** A status code in the 2xx range means the command succeeded (213 means "buffered", not final). */
export function isSuccessStatus(code: string): boolean {
  return code.length === 3 && code.startsWith('2');
}

export const AlertCode = {
  Display: '1100',
  ConfirmOrReject: '1101',
  TextInput: '1102',
  SingleChoice: '1103',
  MultipleChoice: '1104',
  ServerInitiatedMgmt: '1200',
  ClientInitiatedMgmt: '1201',
  NextMessage: '1222',
  SessionAbort: '1223',
  ClientEvent: '1224',
  NoEndOfData: '1225',
  GenericAlert: '1226',
} as const;
export type AlertCodeValue = (typeof AlertCode)[keyof typeof AlertCode];

export const alertMeaning: Readonly<Record<string, string>> = {
  '1100': 'Display (user interaction)',
  '1101': 'Confirm or reject (user interaction)',
  '1102': 'Text input (user interaction)',
  '1103': 'Single choice (user interaction)',
  '1104': 'Multiple choice (user interaction)',
  '1200': 'Server-initiated management session',
  '1201': 'Client-initiated management session',
  '1222': 'Next message',
  '1223': 'Session abort',
  '1224': 'Client event',
  '1225': 'End of data for chunked object not received',
  '1226': 'Generic alert',
};

/** Alert Types (Item Meta/Type) Microsoft documents; exact bytes matter (PROTOCOL.md b). */
export const AlertType = {
  LoginStatus: 'com.microsoft/MDM/LoginStatus',
  AADUserToken: 'com.microsoft/MDM/AADUserToken',
  SyncType: 'com.microsoft.mdm.synctype',
  DevicePrepSync: 'com.microsoft/MDM/DevicePrepSync',
  UserUnenroll: 'com.microsoft:mdm.unenrollment.userrequest',
  RequestPending: 'Reversed-Domain-Name:com.microsoft.mdm.requestpending',
} as const;
