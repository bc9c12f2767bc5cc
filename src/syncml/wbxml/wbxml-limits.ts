import { DEFAULT_PARSE_LIMITS, type ParseLimits } from '../parse-limits.js';

/**
 * Bounds applied while decoding; every one is checked before the work it bounds is done. The first three are the XML
 * parser's (same names, same defaults), so one limits object configures both encodings.
 */
export interface WbxmlLimits extends ParseLimits {
  /** Largest declared string table, in bytes. */
  maxStringTableBytes: number;
}

export const DEFAULT_WBXML_LIMITS: Readonly<WbxmlLimits> = Object.freeze({
  ...DEFAULT_PARSE_LIMITS,
  maxStringTableBytes: 64 * 1024,
});

/** Merges caller overrides with the defaults; every limit must be a positive integer. */
export function resolveWbxmlLimits(overrides: Partial<WbxmlLimits> = {}): WbxmlLimits {
  const limits: WbxmlLimits = { ...DEFAULT_WBXML_LIMITS };
  for (const key of ['maxBytes', 'maxDepth', 'maxElements', 'maxStringTableBytes'] as const) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`WbxmlLimits.${key} must be a positive integer, got ${String(value)}`);
    }
    limits[key] = value;
  }
  return limits;
}
