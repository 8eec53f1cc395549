// Binary heaps of (distance, slot, aux) triples over growable typed arrays, for searches whose
// working sets are not bounded by a fixed list size (the predicate walk). Ties order by slot so
// results are deterministic.

export class SlotHeap {
  private dist: Float32Array;
  private slot: Uint32Array;
  private aux: Int32Array;
  size = 0;

  /** `max` = max-heap (top is the farthest), else min-heap (top is the nearest). */
  constructor(private readonly max: boolean, capacity = 256) {
    this.dist = new Float32Array(capacity);
    this.slot = new Uint32Array(capacity);
    this.aux = new Int32Array(capacity);
  }

  clear(): void {
    this.size = 0;
  }

  get topDist(): number {
    return this.dist[0]!;
  }

  get topSlot(): number {
    return this.slot[0]!;
  }

  get topAux(): number {
    return this.aux[0]!;
  }

  /** Entry i in heap order (for scans that do not care about order). */
  distAt(i: number): number {
    return this.dist[i]!;
  }

  slotAt(i: number): number {
    return this.slot[i]!;
  }

  auxAt(i: number): number {
    return this.aux[i]!;
  }

  /** How many entries have a distance ≤ d (O(size)). */
  countAtMost(d: number): number {
    let c = 0;
    const dist = this.dist;
    for (let i = 0; i < this.size; i++) if (dist[i]! <= d) c++;
    return c;
  }

  /** True when entry (da, sa) belongs above (db, sb). */
  private above(da: number, sa: number, db: number, sb: number): boolean {
    if (da !== db) return this.max ? da > db : da < db;
    return this.max ? sa > sb : sa < sb;
  }

  private grow(): void {
    const cap = this.dist.length * 2;
    const d = new Float32Array(cap);
    const s = new Uint32Array(cap);
    const a = new Int32Array(cap);
    d.set(this.dist);
    s.set(this.slot);
    a.set(this.aux);
    this.dist = d;
    this.slot = s;
    this.aux = a;
  }

  push(d: number, s: number, a = 0): void {
    if (this.size === this.dist.length) this.grow();
    const dist = this.dist;
    const slot = this.slot;
    const aux = this.aux;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.above(d, s, dist[p]!, slot[p]!)) break;
      dist[i] = dist[p]!;
      slot[i] = slot[p]!;
      aux[i] = aux[p]!;
      i = p;
    }
    dist[i] = d;
    slot[i] = s;
    aux[i] = a;
  }

  /** Removes the top entry (read it first through topDist/topSlot/topAux). */
  pop(): void {
    const n = --this.size;
    if (n <= 0) return;
    const dist = this.dist;
    const slot = this.slot;
    const aux = this.aux;
    const d = dist[n]!;
    const s = slot[n]!;
    const a = aux[n]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && this.above(dist[r]!, slot[r]!, dist[l]!, slot[l]!)) c = r;
      if (!this.above(dist[c]!, slot[c]!, d, s)) break;
      dist[i] = dist[c]!;
      slot[i] = slot[c]!;
      aux[i] = aux[c]!;
      i = c;
    }
    dist[i] = d;
    slot[i] = s;
    aux[i] = a;
  }
}
