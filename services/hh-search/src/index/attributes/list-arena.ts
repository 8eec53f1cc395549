/**
 * Short sorted integer lists per slot (a candidate's skill codes, its occupation ids) in one
 * Int32Array, addressed by (start, length) per slot. One typed array per candidate would cost
 * V8's ~100-byte header each; here a list costs its 4 bytes per value plus 6 bytes per slot.
 * A rewrite appends and leaves the old range as garbage, reclaimed by compaction once garbage is
 * half the arena.
 */
export class ListArena {
  private data = new Int32Array(4096);
  private used = 0;
  private garbage = 0;
  private start: Int32Array;
  private len: Uint16Array;

  constructor(capacity: number) {
    this.start = new Int32Array(capacity);
    this.len = new Uint16Array(capacity);
  }

  /** Room for slots below `capacity`. */
  grow(capacity: number): void {
    if (capacity <= this.start.length) return;
    const s = new Int32Array(capacity);
    s.set(this.start);
    this.start = s;
    const l = new Uint16Array(capacity);
    l.set(this.len);
    this.len = l;
  }

  /** `values`: sorted ascending, distinct (at most 65,535). */
  set(slot: number, values: ArrayLike<number>): void {
    this.clear(slot);
    const n = Math.min(values.length, 0xffff);
    if (n === 0) return;
    if (this.used + n > this.data.length) this.makeRoom(n);
    this.data.set(n === values.length ? (values as ArrayLike<number>) : Array.from(values).slice(0, n), this.used);
    this.start[slot] = this.used;
    this.len[slot] = n;
    this.used += n;
  }

  clear(slot: number): void {
    this.garbage += this.len[slot]!;
    this.len[slot] = 0;
  }

  get(slot: number): Int32Array {
    const s = this.start[slot]!;
    return this.data.subarray(s, s + this.len[slot]!);
  }

  /** Does the slot's list hold every one of `sorted` (ascending)? A merge walk over two short lists. */
  includesAll(slot: number, sorted: ArrayLike<number>): boolean {
    let i = this.start[slot]!;
    const end = i + this.len[slot]!;
    const d = this.data;
    for (let j = 0; j < sorted.length; j++) {
      const want = sorted[j]!;
      while (i < end && d[i]! < want) i++;
      if (i === end || d[i] !== want) return false;
      i++;
    }
    return true;
  }

  /** Does the slot's list hold any of `set`? */
  intersects(slot: number, set: ReadonlySet<number>): boolean {
    const s = this.start[slot]!;
    const end = s + this.len[slot]!;
    for (let i = s; i < end; i++) if (set.has(this.data[i]!)) return true;
    return false;
  }

  bytes(): number {
    return this.data.byteLength + this.start.byteLength + this.len.byteLength;
  }

  private makeRoom(n: number): void {
    const live = this.used - this.garbage;
    if (this.garbage > live) {
      this.compact(Math.max(this.data.length, (live + n) * 2));
      return;
    }
    const d = new Int32Array(Math.max(this.data.length * 2, this.used + n));
    d.set(this.data.subarray(0, this.used));
    this.data = d;
  }

  private compact(size: number): void {
    const d = new Int32Array(size);
    let at = 0;
    for (let slot = 0; slot < this.len.length; slot++) {
      const n = this.len[slot]!;
      if (n === 0) continue;
      const s = this.start[slot]!;
      d.set(this.data.subarray(s, s + n), at);
      this.start[slot] = at;
      at += n;
    }
    this.data = d;
    this.used = at;
    this.garbage = 0;
  }
}
