/**
 * Splits a capture into its `<SyncML>…</SyncML>` documents. Between documents only whitespace, XML
 * declarations (and other processing instructions), comments and DOCTYPE declarations may appear; they are
 * skipped. Inside a document, comments, CDATA sections, processing instructions and quoted attribute values
 * are skipped while looking for the closing tag, so a `</SyncML>` inside CDATA does not end the document.
 * Anything else outside a document is an error naming its line: silently dropping text from a capture would
 * hide a truncated or corrupted trace.
 */
import { TranscriptFormatError } from './transcript-format-error.js';

export interface SyncMLDocumentText {
  text: string;
  /** Offset of the document's `<` in the input. */
  offset: number;
  /** 1-based line of the document's start (counting from `lineOffset`). */
  line: number;
}

const NAME_CHAR = /[A-Za-z0-9_.:\-]/;

export function splitSyncMLDocuments(input: string, options: { fileName?: string; lineOffset?: number } = {}): SyncMLDocumentText[] {
  const where = options.fileName ?? 'transcript';
  const lineOffset = options.lineOffset ?? 0;
  const lineAt = lineCounter(input, lineOffset);
  const docs: SyncMLDocumentText[] = [];
  let i = input.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < input.length) {
    const c = input[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
      continue;
    }
    if (input.startsWith('<!--', i)) {
      i = skipPast(input, i, '-->', where, lineAt);
      continue;
    }
    if (input.startsWith('<?', i)) {
      i = skipPast(input, i, '?>', where, lineAt);
      continue;
    }
    if (input.startsWith('<!DOCTYPE', i)) {
      i = skipDoctype(input, i, where, lineAt);
      continue;
    }
    const tag = c === '<' ? readTag(input, i, where, lineAt) : null;
    if (tag && !tag.closing && localName(tag.name) === 'SyncML') {
      const end = tag.selfClosing ? tag.end : findDocumentEnd(input, tag.end, where, lineAt, i);
      docs.push({ text: input.slice(i, end), offset: i, line: lineAt(i) });
      i = end;
      continue;
    }
    const snippet = input.slice(i, i + 40).split('\n')[0] ?? '';
    throw new TranscriptFormatError(`${where}:${lineAt(i)}: text outside a <SyncML> document: "${snippet}"`);
  }
  return docs;
}

interface Tag {
  name: string;
  closing: boolean;
  selfClosing: boolean;
  /** Offset just past the tag's `>`. */
  end: number;
}

function findDocumentEnd(input: string, from: number, where: string, lineAt: (o: number) => number, start: number): number {
  let depth = 1;
  let i = from;
  while (i < input.length) {
    const lt = input.indexOf('<', i);
    if (lt < 0) break;
    if (input.startsWith('<!--', lt)) {
      i = skipPast(input, lt, '-->', where, lineAt);
    } else if (input.startsWith('<![CDATA[', lt)) {
      i = skipPast(input, lt, ']]>', where, lineAt);
    } else if (input.startsWith('<?', lt)) {
      i = skipPast(input, lt, '?>', where, lineAt);
    } else if (input.startsWith('<!', lt)) {
      i = skipPast(input, lt, '>', where, lineAt);
    } else {
      const tag = readTag(input, lt, where, lineAt);
      i = tag.end;
      if (localName(tag.name) !== 'SyncML' || tag.selfClosing) continue;
      depth += tag.closing ? -1 : 1;
      if (depth === 0) return i;
    }
  }
  throw new TranscriptFormatError(`${where}:${lineAt(start)}: <SyncML> document is not closed (truncated capture?)`);
}

function readTag(input: string, at: number, where: string, lineAt: (o: number) => number): Tag {
  let i = at + 1;
  const closing = input[i] === '/';
  if (closing) i++;
  const nameStart = i;
  while (i < input.length && NAME_CHAR.test(input[i] ?? '')) i++;
  const name = input.slice(nameStart, i);
  let quote: string | null = null;
  for (; i < input.length; i++) {
    const ch = input[i];
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '>') {
      return { name, closing, selfClosing: input[i - 1] === '/', end: i + 1 };
    }
  }
  throw new TranscriptFormatError(`${where}:${lineAt(at)}: unterminated tag <${closing ? '/' : ''}${name}`);
}

function skipPast(input: string, at: number, terminator: string, where: string, lineAt: (o: number) => number): number {
  const end = input.indexOf(terminator, at + 2);
  if (end < 0) throw new TranscriptFormatError(`${where}:${lineAt(at)}: unterminated "${input.slice(at, at + 9)}"`);
  return end + terminator.length;
}

function skipDoctype(input: string, at: number, where: string, lineAt: (o: number) => number): number {
  let bracket = 0;
  for (let i = at; i < input.length; i++) {
    const ch = input[i];
    if (ch === '[') bracket++;
    else if (ch === ']') bracket--;
    else if (ch === '>' && bracket <= 0) return i + 1;
  }
  throw new TranscriptFormatError(`${where}:${lineAt(at)}: unterminated <!DOCTYPE`);
}

function localName(name: string): string {
  const colon = name.lastIndexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

/** Line of an offset, computed incrementally (offsets are asked for in increasing order). */
function lineCounter(input: string, lineOffset: number): (offset: number) => number {
  let pos = 0;
  let line = 1 + lineOffset;
  return (offset) => {
    if (offset < pos) {
      pos = 0;
      line = 1 + lineOffset;
    }
    for (; pos < offset; pos++) if (input.charCodeAt(pos) === 10) line++;
    return line;
  };
}
