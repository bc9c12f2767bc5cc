import { parseSyncML, serializeSyncML, SyncMLParseError, CONTENT_TYPE_XML } from '../syncml/index.js';
import { SyncMLDecodeError, type SyncMLCodec } from './syncml-codecs.js';

/** Legacy SyncML media type, still sent by some clients (accepted liberally, issue 7). */
export const CONTENT_TYPE_LEGACY_XML = 'application/vnd.syncml+xml';

/** The XML codec (src/syncml) behind the codec seam; parse errors become short reasons. */
export function createXmlCodec(options: { maxBytes: number }): SyncMLCodec {
  const encoder = new TextEncoder();
  return {
    mediaTypes: [CONTENT_TYPE_XML, CONTENT_TYPE_LEGACY_XML],
    decode(bytes) {
      try {
        return parseSyncML(bytes, { maxBytes: options.maxBytes });
      } catch (error) {
        if (error instanceof SyncMLParseError) {
          throw new SyncMLDecodeError(`${error.code}: ${error.detail}`, error.code === 'too-large', { cause: error, code: error.code });
        }
        throw error;
      }
    },
    encode: (message) => encoder.encode(serializeSyncML(message)),
  };
}
