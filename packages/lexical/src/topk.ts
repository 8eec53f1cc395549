/**
 * A bounded heap of the best k (score, id) pairs. Order: higher score first, then lower id; the
 * root is the worst kept entry, so `accepts` is O(1) and the threshold is `minScore`.
 */
export class TopK {
  readonly scores: Float64Array;
  readonly ids: Float64Array;
  size = 0;

  constructor(readonly k: number) {
    this.scores = new Float64Array(k);
    this.ids = new Float64Array(k);
  }

  get full(): boolean {
    return this.size >= this.k;
  }

  /** Score a candidate needs to reach to be considered (ties then go by id). */
  get threshold(): number {
    return this.size >= this.k ? this.scores[0]! : -Infinity;
  }

  accepts(score: number, id: number): boolean {
    if (this.size < this.k) return true;
    const s = this.scores[0]!;
    return score > s || (score === s && id < this.ids[0]!);
  }

  // a is worse than b
  private worse(sa: number, ia: number, sb: number, ib: number): boolean {
    return sa < sb || (sa === sb && ia > ib);
  }

  push(score: number, id: number): void {
    if (this.k === 0) return;
    const S = this.scores;
    const I = this.ids;
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!this.worse(score, id, S[p]!, I[p]!)) break;
        S[i] = S[p]!;
        I[i] = I[p]!;
        i = p;
      }
      S[i] = score;
      I[i] = id;
      return;
    }
    if (!this.accepts(score, id)) return;
    // Replace the root and sift down.
    let i = 0;
    const n = this.size;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && this.worse(S[r]!, I[r]!, S[l]!, I[l]!)) c = r;
      if (!this.worse(S[c]!, I[c]!, score, id)) break;
      S[i] = S[c]!;
      I[i] = I[c]!;
      i = c;
    }
    S[i] = score;
    I[i] = id;
  }

  /** Entries best first. */
  sorted(): { id: number; score: number }[] {
    const out: { id: number; score: number }[] = [];
    for (let i = 0; i < this.size; i++) out.push({ id: this.ids[i]!, score: this.scores[i]! });
    return out.sort((a, b) => b.score - a.score || a.id - b.id);
  }
}
