import { WbxmlError } from './wbxml-error.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Largest value an mb_u_int32 may carry, and the most bytes it may take (WAP-192-WBXML §5.1). */
const MB_U_INT32_MAX = 0xffff_ffff;
const MB_U_INT32_MAX_BYTES = 5;

/** Below this length an ASCII string is built directly: cheaper than a TextDecoder call for SyncML's short values. */
const ASCII_FAST_PATH_MAX = 64;

/** Decodes UTF-8 strictly; `offset` is where the bytes started in the input, for the error. */
export function decodeUtf8(bytes: Uint8Array, offset: number): string {
  if (bytes.length <= ASCII_FAST_PATH_MAX) {
    let s = '';
    let i = 0;
    for (; i < bytes.length; i += 1) {
      const b = bytes[i] as number;
      if (b >= 0x80) break;
      s += String.fromCharCode(b);
    }
    if (i === bytes.length) return s;
  }
  try {
    return utf8.decode(bytes);
  } catch (err) {
    throw new WbxmlError('invalid-utf8', 'string is not valid UTF-8', offset, { cause: err });
  }
}

/**
 * A cursor over the input that never reads past its end: every read checks the bytes it needs first.
 * `base` is added to reported offsets, so a document nested inside an OPAQUE reports positions in the outer input.
 */
export class ByteReader {
  pos = 0;

  constructor(
    readonly bytes: Uint8Array,
    readonly base = 0,
  ) {}

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  get atEnd(): boolean {
    return this.pos >= this.bytes.length;
  }

  /** Absolute offset of the next byte (for error reports). */
  get offset(): number {
    return this.base + this.pos;
  }

  u8(what: string): number {
    const b = this.bytes[this.pos];
    if (b === undefined) throw new WbxmlError('truncated', `input ends where ${what} was expected`, this.offset);
    this.pos += 1;
    return b;
  }

  peek(): number | undefined {
    return this.bytes[this.pos];
  }

  /** Multi-byte unsigned integer: 7 bits per byte, most significant first, high bit set on all but the last byte. */
  mbUint32(what: string): number {
    const start = this.offset;
    let value = 0;
    for (let i = 0; i < MB_U_INT32_MAX_BYTES; i += 1) {
      const b = this.u8(what);
      value = value * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) {
        if (value > MB_U_INT32_MAX) throw new WbxmlError('mb-uint32-overflow', `${what} exceeds 2^32-1`, start);
        return value;
      }
    }
    throw new WbxmlError('mb-uint32-overflow', `${what} is longer than ${MB_U_INT32_MAX_BYTES} bytes`, start);
  }

  /** `length` bytes, refusing a length that runs past the end of the input. */
  take(length: number, what: string): Uint8Array {
    if (length > this.remaining) {
      throw new WbxmlError('length-out-of-range', `${what} declares ${length} bytes but ${this.remaining} remain`, this.offset);
    }
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  /** NUL-terminated UTF-8 string (termstr). */
  termstr(what: string): string {
    const start = this.pos;
    const end = this.bytes.indexOf(0, start);
    if (end < 0) throw new WbxmlError('truncated', `${what} is not NUL-terminated`, this.base + start);
    this.pos = end + 1;
    return decodeUtf8(this.bytes.subarray(start, end), this.base + start);
  }
}
