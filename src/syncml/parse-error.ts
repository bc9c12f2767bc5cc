/**
 * The one error type the SyncML XML parser throws. `code` is a closed set so callers can map it
 * (the HTTP layer answers every code with a 4xx and a short plain reason; DESIGN.md "three tiers").
 */
export type ParseErrorCode =
  | 'doctype'
  | 'entity'
  | 'too-large'
  | 'too-deep'
  | 'too-many-elements'
  | 'invalid-utf8'
  | 'malformed'
  | 'not-syncml'
  | 'invalid-structure';

export interface ParseErrorLocation {
  /** Byte offset into the input as received (a leading BOM counts as its 3 bytes). */
  offset?: number;
  /** Element path, e.g. `SyncML/SyncHdr/MsgID`. */
  path?: string;
}

export class SyncMLParseError extends Error {
  override readonly name = 'SyncMLParseError';
  readonly code: ParseErrorCode;
  readonly offset: number | undefined;
  readonly path: string | undefined;
  /** The message without the code prefix: what went wrong and where. */
  readonly detail: string;

  constructor(code: ParseErrorCode, message: string, where: ParseErrorLocation = {}, options?: { cause?: unknown }) {
    const detail = `${message}${describeWhere(where)}`;
    super(`${code}: ${detail}`, options);
    this.detail = detail;
    this.code = code;
    this.offset = where.offset;
    this.path = where.path;
  }
}

function describeWhere(where: ParseErrorLocation): string {
  const parts: string[] = [];
  if (where.path !== undefined && where.path !== '') parts.push(`at ${where.path}`);
  if (where.offset !== undefined) parts.push(`at byte ${where.offset}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}
