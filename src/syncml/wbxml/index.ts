/** SyncML DM in WBXML (application/vnd.syncml.dm+wbxml): the same model as the XML codec, in binary. */
export { decodeWbxml } from './decode-wbxml.js';
export { encodeWbxml, type EncodeWbxmlOptions } from './encode-wbxml.js';
export { WbxmlError, type WbxmlErrorCode } from './wbxml-error.js';
export { DEFAULT_WBXML_LIMITS, resolveWbxmlLimits, type WbxmlLimits } from './wbxml-limits.js';
