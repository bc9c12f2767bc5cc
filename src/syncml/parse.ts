/**
 * parseSyncML: SyncML DM 1.2 XML → model. Strict and bounded, in this order:
 *   1. size cap on the raw input (before decoding);
 *   2. strict UTF-8 (invalid and overlong sequences, encoded surrogates), BOM tolerated;
 *   3. one linear pre-scan (xml-scan.ts): DOCTYPE/ENTITY/PI rejection, depth and element caps,
 *      well-formedness, root must be SyncML in SYNCML:SYNCML1.2 or 1.1 (or no namespace);
 *   4. one fast-xml-parser pass (xml-tree.ts);
 *   5. the model (read-message.ts, read-command.ts): missing header fields reject the message,
 *      a bad command becomes an Unknown command the engine answers with 400.
 * Every failure is a SyncMLParseError with a code and a position or element path.
 */
import type { SyncML } from './model.js';
import { SyncMLParseError } from './parse-error.js';
import { resolveParseLimits, type ParseLimits } from './parse-limits.js';
import { readSyncML } from './read-message.js';
import { checkWellFormedString, decodeUtf8, utf8Length, type DecodedText } from './utf8.js';
import { scanDocument } from './xml-scan.js';
import { buildTree } from './xml-tree.js';

export function parseSyncML(input: Uint8Array | string, limits?: Partial<ParseLimits>): SyncML {
  const resolved = resolveParseLimits(limits);
  const decoded = decode(input, resolved.maxBytes);
  scanDocument(decoded.text, resolved, decoded.baseOffset);
  return readSyncML(buildTree(decoded.text));
}

function decode(input: Uint8Array | string, maxBytes: number): DecodedText {
  if (typeof input !== 'string') {
    if (input.byteLength > maxBytes) throw tooLarge(input.byteLength, maxBytes);
    return decodeUtf8(input);
  }
  // A UTF-16 code unit is at least one UTF-8 byte, so a long string fails before any counting.
  if (input.length > maxBytes) throw tooLarge(undefined, maxBytes);
  const decoded = checkWellFormedString(input);
  if (input.length * 3 > maxBytes) {
    const bytes = utf8Length(input);
    if (bytes > maxBytes) throw tooLarge(bytes, maxBytes);
  }
  return decoded;
}

function tooLarge(bytes: number | undefined, maxBytes: number): SyncMLParseError {
  const size = bytes === undefined ? `more than ${maxBytes}` : String(bytes);
  return new SyncMLParseError('too-large', `the body is ${size} bytes; the limit is ${maxBytes}`);
}
