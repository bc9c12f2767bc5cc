/** Reads transcript files from disk (the I/O edge of the pure parser). */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseSyncML } from '../syncml/index.js';
import { decodeWbxml } from '../syncml/wbxml/index.js';
import { parseTranscript } from './parse-transcript.js';
import type { ReplayMode, Transcript } from './transcript.js';
import { TranscriptFormatError } from './transcript-format-error.js';

export const TRANSCRIPT_FILE = /\.(xml|syncml)$/i;

export async function readTranscriptFile(path: string, options: { mode?: ReplayMode } = {}): Promise<Transcript> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new TranscriptFormatError(`${path}: cannot read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return parseTranscript(text, {
    fileName: path,
    parse: (doc) => parseSyncML(doc),
    decodeWbxml: (bytes) => decodeWbxml(bytes),
    ...(options.mode ? { mode: options.mode } : {}),
  });
}

/** Files as given; a directory stands for its *.xml and *.syncml files (WBXML transcripts are *.syncml), in name order. */
export async function listTranscriptFiles(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (info?.isDirectory()) {
      const names = (await readdir(path)).filter((n) => TRANSCRIPT_FILE.test(n)).sort();
      out.push(...names.map((n) => join(path, n)));
    } else out.push(path);
  }
  return out;
}
