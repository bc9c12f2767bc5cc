/** A transcript file that cannot be read: bad header, text outside documents, a message that does not parse. */
export class TranscriptFormatError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TranscriptFormatError';
  }
}
