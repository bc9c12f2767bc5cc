import { serializeSyncML, SyncMLSerializeError } from '../../syncml/index.js';
import { CONTENT_TYPE_WBXML } from '../../syncml/model.js';
import { DEFAULT_WBXML_LIMITS, decodeWbxml, WbxmlError } from '../../syncml/wbxml/index.js';

/** Whether a stored message's content type is WBXML (application/vnd.syncml.dm+wbxml, parameters ignored). */
export function isWbxmlContentType(contentType: string): boolean {
  return contentType.split(';')[0]!.trim().toLowerCase() === CONTENT_TYPE_WBXML;
}

/**
 * A readable XML rendering of a stored WBXML message for the operator API: decoded into the model and written by the
 * XML serializer (so it reads like an XML exchange, canonical form). The original bytes stay the record (base64 beside
 * it). When the bytes do not decode, or the model holds what the serializer refuses (e.g. a device command the codec
 * could only read as Unknown under a verb's name), `xml` is null and `xmlError` says why.
 */
export function renderWbxmlAsXml(bytes: Uint8Array): { xml: string } | { xml: null; xmlError: string } {
  try {
    // Stored messages were accepted under the gateway's body limit; the rendering must not refuse them for size.
    const message = decodeWbxml(bytes, { maxBytes: Math.max(bytes.byteLength, DEFAULT_WBXML_LIMITS.maxBytes) });
    return { xml: serializeSyncML(message) };
  } catch (error) {
    if (error instanceof WbxmlError) return { xml: null, xmlError: error.message };
    if (error instanceof SyncMLSerializeError) return { xml: null, xmlError: `not renderable as XML: ${error.message}` };
    throw error;
  }
}
