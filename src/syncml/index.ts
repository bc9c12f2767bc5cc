/** The SyncML DM 1.2 XML codec: typed model, parser, serializer, code tables. Pure, no I/O. */
export * from './model.js';
export * from './codes.js';
export { parseSyncML } from './parse.js';
export { serializeSyncML, serializeSyncMLCommand } from './serialize.js';
export { SyncMLParseError, type ParseErrorCode, type ParseErrorLocation } from './parse-error.js';
export { SyncMLSerializeError } from './serialize-error.js';
export { DEFAULT_PARSE_LIMITS, resolveParseLimits, type ParseLimits } from './parse-limits.js';
export { readMetaNumber } from './meta-number.js';
