// Working sets of the predicate walk, over growable typed arrays: a binary min-heap of
// (key, slot, aux) triples (a max-heap is the same heap keyed by −distance), and an unordered
// pool from which the t nearest entries can be taken in linear time. Ties order by slot so the
// walk is deterministic.

export class SlotHeap {
  private key: Float32Array;
  private slot: Uint32Array;
  private aux: Int32Array;
  size = 0;

  constructor(capacity = 256) {
    this.key = new Float32Array(capacity);
    this.slot = new Uint32Array(capacity);
    this.aux = new Int32Array(capacity);
  }

  clear(): void {
    this.size = 0;
  }

  get topKey(): number {
    return this.key[0]!;
  }

  get topSlot(): number {
    return this.slot[0]!;
  }

  get topAux(): number {
    return this.aux[0]!;
  }

  /** Entry i in heap order (for scans that do not care about order). */
  keyAt(i: number): number {
    return this.key[i]!;
  }

  slotAt(i: number): number {
    return this.slot[i]!;
  }

  auxAt(i: number): number {
    return this.aux[i]!;
  }

  /** How many entries have a key ≥ x (O(size)); with keys −d: how many are within distance −x. */
  countAtLeast(x: number): number {
    let c = 0;
    const key = this.key;
    for (let i = 0; i < this.size; i++) if (key[i]! >= x) c++;
    return c;
  }

  private grow(): void {
    const cap = this.key.length * 2;
    const k = new Float32Array(cap);
    const s = new Uint32Array(cap);
    const a = new Int32Array(cap);
    k.set(this.key);
    s.set(this.slot);
    a.set(this.aux);
    this.key = k;
    this.slot = s;
    this.aux = a;
  }

  push(k: number, s: number, a = 0): void {
    if (this.size === this.key.length) this.grow();
    const key = this.key;
    const slot = this.slot;
    const aux = this.aux;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const kp = key[p]!;
      if (kp < k || (kp === k && slot[p]! <= s)) break;
      key[i] = kp;
      slot[i] = slot[p]!;
      aux[i] = aux[p]!;
      i = p;
    }
    key[i] = k;
    slot[i] = s;
    aux[i] = a;
  }

  /** Removes the top entry (read it first through topKey/topSlot/topAux). */
  pop(): void {
    const n = --this.size;
    if (n > 0) this.siftDown(this.key[n]!, this.slot[n]!, this.aux[n]!, n);
  }

  /** pop() then push(), in one sift. */
  replaceTop(k: number, s: number, a = 0): void {
    this.siftDown(k, s, a, this.size);
  }

  private siftDown(k: number, s: number, a: number, n: number): void {
    const key = this.key;
    const slot = this.slot;
    const aux = this.aux;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && (key[r]! < key[l]! || (key[r] === key[l] && slot[r]! < slot[l]!))) c = r;
      const kc = key[c]!;
      if (kc > k || (kc === k && slot[c]! >= s)) break;
      key[i] = kc;
      slot[i] = slot[c]!;
      aux[i] = aux[c]!;
      i = c;
    }
    key[i] = k;
    slot[i] = s;
    aux[i] = a;
  }
}

/** Unordered (distance, slot) pool: O(1) append; takeNearest(t) moves out the t nearest in O(size). */
export class SpillPool {
  private dist: Float32Array;
  private slot: Uint32Array;
  size = 0;

  constructor(capacity = 1024) {
    this.dist = new Float32Array(capacity);
    this.slot = new Uint32Array(capacity);
  }

  clear(): void {
    this.size = 0;
  }

  add(d: number, s: number): void {
    if (this.size === this.dist.length) {
      const dist = new Float32Array(this.size * 2);
      const slot = new Uint32Array(this.size * 2);
      dist.set(this.dist);
      slot.set(this.slot);
      this.dist = dist;
      this.slot = slot;
    }
    this.dist[this.size] = d;
    this.slot[this.size++] = s;
  }

  /** Calls take(d, s) for the t nearest entries (all when t ≥ size, in no order) and removes them. */
  takeNearest(t: number, take: (d: number, s: number) => void): void {
    const n = this.size;
    const dist = this.dist;
    const slot = this.slot;
    if (t >= n) {
      for (let i = 0; i < n; i++) take(dist[i]!, slot[i]!);
      this.size = 0;
      return;
    }
    if (t <= 0) return;
    // Quickselect (Hoare partition, middle pivot): afterwards [0, t) holds the t nearest.
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const pivot = dist[(lo + hi) >>> 1]!;
      let i = lo;
      let j = hi;
      while (i <= j) {
        while (dist[i]! < pivot) i++;
        while (dist[j]! > pivot) j--;
        if (i <= j) {
          const d = dist[i]!;
          dist[i] = dist[j]!;
          dist[j] = d;
          const s = slot[i]!;
          slot[i] = slot[j]!;
          slot[j] = s;
          i++;
          j--;
        }
      }
      if (t - 1 <= j) hi = j;
      else if (t - 1 >= i) lo = i;
      else break;
    }
    for (let i = 0; i < t; i++) take(dist[i]!, slot[i]!);
    dist.copyWithin(0, t, n);
    slot.copyWithin(0, t, n);
    this.size = n - t;
  }
}
