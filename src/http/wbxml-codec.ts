import { CONTENT_TYPE_WBXML } from '../syncml/model.js';
import { decodeWbxml, encodeWbxml, WbxmlError } from '../syncml/wbxml/index.js';
import { SyncMLDecodeError, type SyncMLCodec } from './syncml-codecs.js';

/**
 * The WBXML codec (src/syncml/wbxml) behind the same seam as XML: register it in the composition root's codec list
 * to accept application/vnd.syncml.dm+wbxml (MS-MDM §2.1; DMAcc DefaultEncoding) and answer in WBXML.
 */
export function createWbxmlCodec(options: { maxBytes: number }): SyncMLCodec {
  return {
    mediaTypes: [CONTENT_TYPE_WBXML],
    decode(bytes) {
      try {
        return decodeWbxml(bytes, { maxBytes: options.maxBytes });
      } catch (error) {
        if (error instanceof WbxmlError) {
          // WbxmlError.message ends in "(code at byte N)"; the reason leads with it instead, like the XML codec's "code: detail".
          const detail = error.message.replace(/ \([a-z0-9-]+ at byte \d+\)$/, '');
          throw new SyncMLDecodeError(`${error.code} at byte ${error.offset}: ${detail}`.slice(0, 200), error.code === 'too-large', { cause: error, code: error.code });
        }
        throw error;
      }
    },
    encode: (message) => encodeWbxml(message),
  };
}
