import type { SyncML } from '../syncml/model.js';

/**
 * The SyncML codecs by content type. The endpoint looks the request's media type up here, decodes once, and encodes
 * the reply with the same codec and the same media type. XML (application/vnd.syncml.dm+xml, and the legacy
 * application/vnd.syncml+xml some clients send) and WBXML (application/vnd.syncml.dm+wbxml, wbxml-codec.ts) are
 * registered by the composition root.
 */
export interface SyncMLCodec {
  /** Media types this codec reads, lower case, without parameters. */
  readonly mediaTypes: readonly string[];
  /** Throws SyncMLDecodeError for anything that is not a readable SyncML message. */
  decode(bytes: Uint8Array): SyncML;
  encode(message: SyncML): Uint8Array;
}

/** An unreadable envelope (tier 1 of DESIGN's three): answered with a 4xx and `reason`, never a stack trace. */
export class SyncMLDecodeError extends Error {
  /** The codec's own error code (SyncMLParseError / WbxmlError `.code`), logged as `code`. */
  readonly code: string | undefined;

  constructor(
    /** Short, safe to send to the client. */
    readonly reason: string,
    readonly tooLarge = false,
    options?: { cause?: unknown; code?: string },
  ) {
    super(reason, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SyncMLDecodeError';
    this.code = options?.code;
  }
}

export interface CodecRegistry {
  /** The codec for a Content-Type header value, with the media type to answer with; null when unsupported. */
  lookup(contentType: string | undefined): { codec: SyncMLCodec; mediaType: string } | null;
  readonly mediaTypes: readonly string[];
}

export function createCodecRegistry(codecs: readonly SyncMLCodec[]): CodecRegistry {
  const byType = new Map<string, SyncMLCodec>();
  for (const codec of codecs) for (const type of codec.mediaTypes) byType.set(type.toLowerCase(), codec);
  return {
    mediaTypes: [...byType.keys()],
    lookup(contentType) {
      const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
      const codec = byType.get(mediaType);
      return codec ? { codec, mediaType } : null;
    },
  };
}
