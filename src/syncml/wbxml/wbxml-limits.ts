/** Bounds applied while decoding; every one is checked before the work it bounds is done. */
export interface WbxmlLimits {
  /** Largest accepted input. */
  maxBytes: number;
  /** Largest declared string table. */
  maxStringTableBytes: number;
  /** Deepest element nesting (the root is depth 1; nested markup inside Data counts). */
  maxDepth: number;
  /** Most elements in one document, nested markup included. */
  maxElements: number;
}

export const DEFAULT_WBXML_LIMITS: Readonly<WbxmlLimits> = Object.freeze({
  maxBytes: 4 * 1024 * 1024,
  maxStringTableBytes: 256 * 1024,
  maxDepth: 64,
  maxElements: 100_000,
});

export function resolveWbxmlLimits(limits?: Partial<WbxmlLimits>): WbxmlLimits {
  return { ...DEFAULT_WBXML_LIMITS, ...limits };
}
