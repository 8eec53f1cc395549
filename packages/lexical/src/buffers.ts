/** Growable typed arrays and LEB128 varints: the building blocks of segments. */

type Typed = Uint8Array | Uint16Array | Uint32Array | Float64Array | Int32Array;

/** `arr` with room for at least `need` elements (doubling), contents kept. */
export function grow<T extends Typed>(arr: T, need: number): T {
  if (need <= arr.length) return arr;
  let cap = Math.max(8, arr.length);
  while (cap < need) cap *= 2;
  const next = new (arr.constructor as new (n: number) => T)(cap);
  next.set(arr);
  return next;
}

/** A byte vector that varints are appended to. */
export class ByteWriter {
  buf: Uint8Array;
  length = 0;
  constructor(capacity = 1024) {
    this.buf = new Uint8Array(capacity);
  }
  varint(v: number): void {
    if (this.length + 5 > this.buf.length) this.buf = grow(this.buf, this.length + 5);
    while (v >= 0x80) {
      this.buf[this.length++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.length++] = v;
  }
  bytes(src: Uint8Array): void {
    this.buf = grow(this.buf, this.length + src.length);
    this.buf.set(src, this.length);
    this.length += src.length;
  }
}
