/**
 * Splits a transcript body into its messages, in file order: XML `<SyncML>` documents (split-syncml-documents.ts) and
 * WBXML documents written as armoured blocks, PEM style (docs/transcripts.md "WBXML"):
 *
 *   -----BEGIN WBXML-----            base64 of one WBXML document (`base64 request.bin`); whitespace is ignored
 *   AwCkAWoAbWxxA...
 *   -----END WBXML-----
 *   -----BEGIN WBXML HEX-----        or hex (`xxd -p request.bin`, Wireshark "Copy as Hex Stream", "03 a4 01 …")
 *   03a4016a006d6c71...
 *   -----END WBXML HEX-----
 *
 * The marker lines are exact (apart from trailing blanks). A block that is not closed, empty, or holds anything but
 * its alphabet is an error naming its line.
 */
import { splitSyncMLDocuments } from './split-syncml-documents.js';
import { TranscriptFormatError } from './transcript-format-error.js';

export type TranscriptDocument =
  | { kind: 'xml'; text: string; line: number }
  | { kind: 'wbxml'; bytes: Uint8Array; text: string; line: number };

const BEGIN = /^-----BEGIN WBXML( HEX)?-----[ \t]*$/;
const END = /^-----END WBXML( HEX)?-----[ \t]*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const HEX = /^(?:[0-9A-Fa-f]{2})*$/;

export function splitTranscriptMessages(body: string, options: { fileName?: string; lineOffset?: number } = {}): TranscriptDocument[] {
  const where = options.fileName ?? 'transcript';
  const lineOffset = options.lineOffset ?? 0;
  const lines = body.split('\n').map((l) => l.replace(/\r$/, ''));
  const out: TranscriptDocument[] = [];
  let segmentStart = 0; // index of the first line of the current XML segment
  const flushXml = (endExclusive: number): void => {
    const text = lines.slice(segmentStart, endExclusive).join('\n');
    const docs = splitSyncMLDocuments(text, { fileName: where, lineOffset: lineOffset + segmentStart });
    for (const d of docs) out.push({ kind: 'xml', text: d.text, line: d.line });
  };
  for (let n = 0; n < lines.length; n++) {
    const begin = BEGIN.exec(lines[n] ?? '');
    if (!begin) continue;
    flushXml(n);
    const hex = begin[1] !== undefined;
    const line = lineOffset + n + 1;
    let end = n + 1;
    while (end < lines.length && !END.test(lines[end] ?? '')) {
      if (BEGIN.test(lines[end] ?? '')) break;
      end++;
    }
    const closing = END.exec(lines[end] ?? '');
    if (end >= lines.length || !closing) throw new TranscriptFormatError(`${where}:${line}: "${lines[n]}" is never closed by its -----END WBXML${hex ? ' HEX' : ''}----- line`);
    if ((closing[1] !== undefined) !== hex) throw new TranscriptFormatError(`${where}:${lineOffset + end + 1}: "${lines[end]}" does not close "${lines[n]}"`);
    const payload = lines.slice(n + 1, end).join('').replace(/\s+/g, '');
    out.push({ kind: 'wbxml', bytes: decodePayload(payload, hex, `${where}:${line}`), text: lines.slice(n, end + 1).join('\n'), line });
    segmentStart = end + 1;
    n = end;
  }
  flushXml(lines.length);
  return out;
}

function decodePayload(payload: string, hex: boolean, where: string): Uint8Array {
  if (payload === '') throw new TranscriptFormatError(`${where}: empty WBXML block`);
  if (hex) {
    if (!HEX.test(payload)) throw new TranscriptFormatError(`${where}: WBXML HEX block holds something other than pairs of hex digits`);
    return new Uint8Array(Buffer.from(payload, 'hex'));
  }
  // Base64 of a WBXML document starts with "A" (version byte 0x00–0x03); hex of one with "00"–"03".
  if (!BASE64.test(payload) || payload.length % 4 !== 0 || (HEX.test(payload) && /^0[0-3]/.test(payload))) {
    throw new TranscriptFormatError(`${where}: WBXML block is not base64 (hex dumps go in a -----BEGIN WBXML HEX----- block)`);
  }
  return new Uint8Array(Buffer.from(payload, 'base64'));
}
