/**
 * The closed set of reasons a WBXML SyncML document is refused. Every error carries the byte offset where the
 * problem was found (for structural errors: the offset of the element's tag token), so a log line points at the byte.
 */
export type WbxmlErrorCode =
  /** Input ended inside a token, string, header or element (missing END). */
  | 'truncated'
  /** Input larger than `limits.maxBytes`. */
  | 'too-large'
  /** WBXML version byte other than 1.0–1.3 (WAP-192-WBXML §5.4). */
  | 'unsupported-version'
  /** Public identifier is not a SyncML one (WAP-192-WBXML §5.5; OMNA registry). */
  | 'unsupported-public-id'
  /** Charset other than UTF-8, MIBenum 106 (WAP-192-WBXML §5.6). */
  | 'unsupported-charset'
  /** mb_u_int32 longer than 5 bytes or above 2^32-1 (WAP-192-WBXML §5.1). */
  | 'mb-uint32-overflow'
  /** A declared length (string table, OPAQUE) runs past the end of the input. */
  | 'length-out-of-range'
  /** String table larger than `limits.maxStringTableBytes`. */
  | 'string-table-too-large'
  /** STR_T / LITERAL / public-id index outside the string table, or not NUL-terminated inside it. */
  | 'string-table-ref'
  /** A tag or attribute token with no meaning in the current code page, or SWITCH_PAGE to an unknown page. */
  | 'unknown-token'
  /** A global token SyncML does not use (PI, EXT_*, attribute-value tokens). */
  | 'unsupported-token'
  /** Nesting deeper than `limits.maxDepth`. */
  | 'too-deep'
  /** More elements than `limits.maxElements`. */
  | 'too-many-elements'
  /** A string, or an OPAQUE that must be text, is not valid UTF-8. */
  | 'invalid-utf8'
  /** A character XML cannot carry (C0 controls, U+FFFE/U+FFFF, via a string or a character entity). */
  | 'invalid-char'
  /** Bytes after the root element. */
  | 'trailing-data'
  /** The root element is not SyncML. */
  | 'not-syncml'
  /**
   * Well-formed WBXML whose elements do not form a SyncML DM message: the header or the SyncML/SyncHdr/SyncBody frame
   * is unreadable (a bad command is not an error: it becomes an Unknown command, as in the XML codec).
   */
  | 'invalid-structure';

export class WbxmlError extends Error {
  override readonly name = 'WbxmlError';
  readonly code: WbxmlErrorCode;
  /** Byte offset in the input where the problem was detected. */
  readonly offset: number;

  constructor(code: WbxmlErrorCode, message: string, offset: number, options?: { cause?: unknown }) {
    super(`${message} (${code} at byte ${offset})`, options);
    this.code = code;
    this.offset = offset;
  }
}
