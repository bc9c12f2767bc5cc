/**
 * A transcript may start with a YAML (or JSON, which is YAML) header between two lines that are exactly
 * `---`. Anything else at the start means "no header": the whole file is SyncML.
 */
import { TranscriptFormatError } from './transcript-format-error.js';

export interface FrontMatterSplit {
  /** The header text between the `---` lines, or null when the file has none. */
  header: string | null;
  /** The rest of the file (the SyncML documents). */
  body: string;
  /** Lines before `body` starts (so document line numbers can name lines of the whole file). */
  bodyLineOffset: number;
}

const DELIMITER = /^---[ \t]*$/;

export function splitFrontMatter(input: string, fileName = 'transcript'): FrontMatterSplit {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const lines = text.split('\n');
  if (!DELIMITER.test((lines[0] ?? '').replace(/\r$/, ''))) return { header: null, body: text, bodyLineOffset: 0 };
  for (let n = 1; n < lines.length; n++) {
    if (DELIMITER.test((lines[n] ?? '').replace(/\r$/, ''))) {
      return {
        header: lines.slice(1, n).join('\n'),
        body: lines.slice(n + 1).join('\n'),
        bodyLineOffset: n + 1,
      };
    }
  }
  throw new TranscriptFormatError(`${fileName}:1: header opened with "---" is never closed by a "---" line`);
}
