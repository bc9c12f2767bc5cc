/** Bounds applied before and while parsing a SyncML XML body. All are checked before a tree is built. */
export interface ParseLimits {
  /** Largest accepted body in bytes (UTF-8). */
  maxBytes: number;
  /** Deepest accepted element nesting; the SyncML root is depth 1. */
  maxDepth: number;
  /** Most elements (start tags, including those inside Data) accepted in one message. */
  maxElements: number;
}

export const DEFAULT_PARSE_LIMITS: Readonly<ParseLimits> = Object.freeze({
  maxBytes: 1024 * 1024,
  maxDepth: 32,
  maxElements: 20_000,
});

/** The deepest nesting the tree builder is configured for; maxDepth may not exceed it. */
export const MAX_SUPPORTED_DEPTH = 1024;

/** Merges caller overrides with the defaults; every limit must be a positive integer. */
export function resolveParseLimits(overrides: Partial<ParseLimits> = {}): ParseLimits {
  const limits: ParseLimits = { ...DEFAULT_PARSE_LIMITS };
  for (const key of ['maxBytes', 'maxDepth', 'maxElements'] as const) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`ParseLimits.${key} must be a positive integer, got ${String(value)}`);
    }
    if (key === 'maxDepth' && value > MAX_SUPPORTED_DEPTH) {
      throw new RangeError(`ParseLimits.maxDepth may not exceed ${MAX_SUPPORTED_DEPTH}, got ${value}`);
    }
    limits[key] = value;
  }
  return limits;
}
