/** A growable output buffer for the encoder. */
export class ByteWriter {
  private buf: Uint8Array;
  private len = 0;
  private static readonly encoder = new TextEncoder();

  constructor(initialCapacity = 1024) {
    this.buf = new Uint8Array(initialCapacity);
  }

  get length(): number {
    return this.len;
  }

  private ensure(extra: number): void {
    const need = this.len + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  u8(value: number): void {
    this.ensure(1);
    this.buf[this.len] = value;
    this.len += 1;
  }

  /** mb_u_int32 (WAP-192-WBXML §5.1): 7 bits per byte, most significant group first. */
  mbUint32(value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) throw new RangeError(`not a u_int32: ${value}`);
    const groups: number[] = [value % 128];
    let rest = Math.floor(value / 128);
    while (rest > 0) {
      groups.push((rest % 128) | 0x80);
      rest = Math.floor(rest / 128);
    }
    for (let i = groups.length - 1; i >= 0; i -= 1) this.u8(groups[i] as number);
  }

  bytes(data: Uint8Array): void {
    this.ensure(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  /** UTF-8 bytes of `text`, without a terminator. */
  utf8(text: string): void {
    // Worst case three bytes per UTF-16 code unit.
    this.ensure(text.length * 3);
    const { written } = ByteWriter.encoder.encodeInto(text, this.buf.subarray(this.len));
    this.len += written;
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
