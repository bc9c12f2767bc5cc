import { trimXmlSpace } from './xml-text.js';

/**
 * Numeric Meta values (Size, MaxMsgSize, MaxObjSize) are decimal byte counts. Anything else
 * (signs, decimals, exponents, values beyond 2^53) is refused rather than guessed at.
 */
export function readMetaNumber(text: string): number | undefined {
  const trimmed = trimXmlSpace(text);
  if (!/^[0-9]{1,16}$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isSafeInteger(value) ? value : undefined;
}

export function isMetaNumber(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}
