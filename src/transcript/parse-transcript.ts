/**
 * Transcript text → Transcript: header (optional), documents, parsed messages, sides. Pure: the SyncML parser and the
 * WBXML decoder are passed in (read-transcript-file.ts passes the codec's parseSyncML and decodeWbxml).
 */
import type { SyncML } from '../syncml/model.js';
import { assignSides, inferServerUri } from './assign-sides.js';
import { parseTranscriptHeader } from './parse-transcript-header.js';
import { splitFrontMatter } from './split-front-matter.js';
import { splitTranscriptMessages } from './split-transcript-messages.js';
import type { Transcript, TranscriptHeader } from './transcript.js';
import { TranscriptFormatError } from './transcript-format-error.js';

export type SyncMLParser = (text: string) => SyncML;
export type WbxmlDecoder = (bytes: Uint8Array) => SyncML;

export interface ParseTranscriptOptions {
  fileName?: string;
  parse: SyncMLParser;
  /** For WBXML blocks (docs/transcripts.md "WBXML"); a file holding one without a decoder is refused. */
  decodeWbxml?: WbxmlDecoder;
  /** Overrides the header's mode (CLI --mode). */
  mode?: Transcript['mode'];
}

export function parseTranscript(input: string, options: ParseTranscriptOptions): Transcript {
  const name = options.fileName ?? 'transcript';
  const front = splitFrontMatter(input, name);
  const header: TranscriptHeader = front.header === null ? {} : parseTranscriptHeader(front.header, name);
  const docs = splitTranscriptMessages(front.body, { fileName: name, lineOffset: front.bodyLineOffset });
  if (docs.length === 0) throw new TranscriptFormatError(`${name}: no <SyncML> document found`);

  const parsed = docs.map((doc, i) => {
    if (doc.kind === 'wbxml' && !options.decodeWbxml) throw new TranscriptFormatError(`${name}:${doc.line}: message ${i + 1} is WBXML, and no WBXML decoder was given`);
    try {
      return doc.kind === 'wbxml' ? options.decodeWbxml!(doc.bytes) : options.parse(doc.text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new TranscriptFormatError(`${name}:${doc.line}: message ${i + 1} is not valid SyncML: ${reason}`, { cause: error });
    }
  });

  const messageOptions = header.messages ?? {};
  for (const key of Object.keys(messageOptions)) {
    if (Number(key) > docs.length) throw new TranscriptFormatError(`${name}: header has options for message ${key}, but the file holds ${docs.length}`);
  }
  for (const key of Object.keys(header.setup?.clock?.advance ?? {})) {
    if (Number(key) > docs.length) throw new TranscriptFormatError(`${name}: clock.advance names message ${key}, but the file holds ${docs.length}`);
  }

  const serverUri = header.serverUri ?? inferServerUri(parsed, messageOptions);
  const sides = assignSides(parsed, serverUri, messageOptions, name);
  for (const command of header.setup?.commands ?? []) {
    const at = command.beforeMessage;
    if (at !== undefined && (at > docs.length || sides[at - 1] !== 'device')) {
      throw new TranscriptFormatError(`${name}: command ${command.ref} is queued before message ${at}, which is not a device message`);
    }
  }
  for (const provider of header.setup?.providers ?? []) {
    const at = provider.beforeMessage;
    if (at !== undefined && (at > docs.length || sides[at - 1] !== 'device')) {
      throw new TranscriptFormatError(`${name}: provider ${provider.providerId} is set before message ${at}, which is not a device message`);
    }
  }
  const refs = new Set<string>();
  for (const command of header.setup?.commands ?? []) {
    if (refs.has(command.ref)) throw new TranscriptFormatError(`${name}: command ref ${command.ref} is used twice`);
    refs.add(command.ref);
  }
  for (const expectation of header.expect?.commands ?? []) {
    if (!refs.has(expectation.ref)) throw new TranscriptFormatError(`${name}: expect.commands names ${expectation.ref}, which setup.commands does not queue`);
  }

  return {
    name,
    header,
    hasHeader: front.header !== null,
    mode: options.mode ?? header.mode ?? 'strict',
    encoding: header.encoding ?? (docs.some((d) => d.kind === 'wbxml') ? 'wbxml' : 'xml'),
    serverUri,
    messages: docs.map((doc, i) => ({
      index: i + 1,
      side: sides[i] ?? 'device',
      line: doc.line,
      text: doc.text,
      encoding: doc.kind,
      ...(doc.kind === 'wbxml' ? { bytes: doc.bytes } : {}),
      syncml: parsed[i] as SyncML,
    })),
  };
}
