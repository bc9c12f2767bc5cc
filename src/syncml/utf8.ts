/**
 * Strict UTF-8 handling for the parser: decoding that rejects invalid and overlong sequences and
 * encoded surrogates (WHATWG TextDecoder with `fatal: true`), and the byte arithmetic needed to
 * report error positions as byte offsets.
 */
import { SyncMLParseError } from './parse-error.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

export interface DecodedText {
  text: string;
  /** Bytes consumed before `text` starts (3 when a UTF-8 BOM was stripped). */
  baseOffset: number;
}

export function decodeUtf8(bytes: Uint8Array): DecodedText {
  const hasBom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  try {
    // The decoder strips a leading BOM itself (ignoreBOM defaults to false).
    return { text: decoder.decode(bytes), baseOffset: hasBom ? 3 : 0 };
  } catch (cause) {
    const offset = firstInvalidUtf8(bytes);
    throw new SyncMLParseError('invalid-utf8', 'the body is not valid UTF-8', { offset }, { cause });
  }
}

/** Rejects a string with unpaired surrogates (it cannot be encoded as UTF-8); strips a leading BOM. */
export function checkWellFormedString(input: string): DecodedText {
  const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.exec(input);
  if (lone !== null) {
    throw new SyncMLParseError('invalid-utf8', 'the text contains an unpaired surrogate', {
      offset: utf8Length(input, 0, lone.index),
    });
  }
  return input.charCodeAt(0) === 0xfeff ? { text: input.slice(1), baseOffset: 3 } : { text: input, baseOffset: 0 };
}

/** UTF-8 length of `text.slice(start, end)` without allocating. */
export function utf8Length(text: string, start = 0, end = text.length): number {
  let bytes = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** Offset of the first byte that starts an ill-formed sequence (Unicode Table 3-7), or bytes.length. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0; // overlong
      if (b === 0xed) hi = 0x9f; // surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90; // overlong
      if (b === 0xf4) hi = 0x8f; // above U+10FFFF
    } else return i; // 0x80-0xC1 (continuation or overlong lead) and 0xF5-0xFF
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i;
      const min = k === 1 ? lo : 0x80;
      const max = k === 1 ? hi : 0xbf;
      if (c < min || c > max) return i;
    }
    i += need + 1;
  }
  return bytes.length;
}
