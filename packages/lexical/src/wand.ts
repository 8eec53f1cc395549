/**
 * Block-Max WAND (Ding & Suel 2011) over one segment, feeding a shared top-k heap. Cursors are kept
 * sorted by their current doc; the pivot is the first cursor at which the sum of term-level bounds
 * reaches the heap's threshold; a candidate whose block-level bounds fall short skips to the end of
 * the shortest block. Typed queries add a conjunctive lower bound (every required clause must have
 * one of its terms at the candidate), so an AND query leapfrogs like an intersection.
 *
 * Ties: a document scoring exactly the threshold can still enter with a lower id, so pruning only
 * drops candidates whose bound is strictly below the threshold.
 */
import { FIELD_COUNT } from './fields.js';
import { FieldTokens } from './forward.js';
import type { Plan } from './query.js';
import { Bm25f, clausesPresent, verifyForward } from './scoring.js';
import { BLOCK_SHIFT, type MutableSegment, type PostingView, type Segment } from './segment.js';
import type { TopK } from './topk.js';

const END = 0x100000000;

class Cursor {
  doc: number;
  pos: number;
  ub: number;
  readonly blockBounds: Float64Array;

  constructor(
    readonly ti: number,
    readonly v: PostingView,
    readonly idfw: number,
    s: Bm25f,
  ) {
    this.pos = v.start;
    this.doc = v.docs[v.start]!;
    this.blockBounds = new Float64Array(v.nBlocks).fill(-1);
    if (v.blockNorm) {
      // The term bound is the largest block bound: far tighter than the term-wide max tf with the
      // term-wide min length, which usually come from different documents. One pass over the block
      // metadata (1/128 of the postings).
      let ub = 0;
      for (let b = 0; b < v.nBlocks; b++) {
        const x = this.blockBound(b, s);
        if (x > ub) ub = x;
      }
      this.ub = ub;
    } else this.ub = s.bound(v.termMaxTf, v.termMinLen, v.termMetaOff, idfw);
  }

  next(): void {
    const p = ++this.pos;
    this.doc = p < this.v.end ? this.v.docs[p]! : END;
  }

  /** Moves to the first posting with doc ≥ target; returns blocks skipped. */
  advance(target: number): number {
    if (this.doc >= target) return 0;
    const v = this.v;
    let b = (this.pos - v.start) >>> BLOCK_SHIFT;
    const b0 = b;
    while (b < v.nBlocks && v.blockLast[v.blockBase + b]! < target) b++;
    if (b === v.nBlocks) {
      this.pos = v.end;
      this.doc = END;
      return b - b0;
    }
    let lo = Math.max(this.pos, v.start + (b << BLOCK_SHIFT));
    let hi = Math.min(v.end, v.start + ((b + 1) << BLOCK_SHIFT)) - 1;
    // The block's last doc is ≥ target, so the answer lies in [lo, hi].
    const docs = v.docs;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (docs[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    this.pos = lo;
    this.doc = docs[lo]!;
    return b - b0;
  }

  /** Block index holding `target` (without moving), or nBlocks when past the end. */
  blockOf(target: number): number {
    const v = this.v;
    let b = (this.pos - v.start) >>> BLOCK_SHIFT;
    while (b < v.nBlocks && v.blockLast[v.blockBase + b]! < target) b++;
    return b;
  }

  blockBound(b: number, s: Bm25f): number {
    let x = this.blockBounds[b]!;
    if (x < 0) {
      const v = this.v;
      const off = (v.blockBase + b) * FIELD_COUNT;
      x = s.bound(v.blockMaxTf, v.blockMinLen, off, this.idfw);
      if (v.blockNorm) x = Math.min(x, s.normBound(v.blockNorm, off, v.normB0!, this.idfw));
      this.blockBounds[b] = x;
    }
    return x;
  }
}

export interface SearchContext {
  plan: Plan;
  s: Bm25f;
  heap: TopK;
  accept?: ((id: number) => boolean) | undefined;
  stats: { scored: number; skippedBlocks: number };
  /** Scratch, one slot per plan term. */
  present: Uint8Array;
  contrib: Float64Array;
  ft: FieldTokens;
}

export function newContext(plan: Plan, s: Bm25f, heap: TopK, accept?: (id: number) => boolean): SearchContext {
  return {
    plan,
    s,
    heap,
    accept,
    stats: { scored: 0, skippedBlocks: 0 },
    present: new Uint8Array(plan.terms.length),
    contrib: new Float64Array(plan.terms.length),
    ft: new FieldTokens(),
  };
}

/**
 * Scores document d of the segment from the contributions in ctx.contrib / ctx.present (filled by
 * the caller) and offers it to the heap after the boolean checks and the accept filter.
 */
export function offer(ctx: SearchContext, seg: Segment | MutableSegment, d: number): void {
  const { plan, present, contrib, heap } = ctx;
  const T = plan.terms.length;
  let score = 0;
  for (let i = 0; i < T; i++) score += contrib[i]!;
  ctx.stats.scored++;
  const cols = seg.cols;
  const id = cols.extIds[d]!;
  const ok = heap.accepts(score, id) && (plan.clauses.length === 0 || clausesPresent(plan, present));
  if (ok && plan.needsForward) {
    ctx.ft.decode(cols.fwd, cols.fwdOff[d]!);
    if (!verifyForward(plan, present, ctx.ft)) return reset(ctx);
  }
  if (ok && (!ctx.accept || ctx.accept(id))) heap.push(score, id);
  reset(ctx);
}

function reset(ctx: SearchContext): void {
  ctx.contrib.fill(0);
  ctx.present.fill(0);
}

export function wandSegment(ctx: SearchContext, seg: Segment | MutableSegment): void {
  const { plan, s, heap } = ctx;
  if (plan.empty || seg.cols.liveCount === 0) return;
  const byTi: (Cursor | undefined)[] = [];
  const cursors: Cursor[] = [];
  plan.terms.forEach((t, ti) => {
    const v = seg.postings(t.termId);
    if (!v) return;
    const c = new Cursor(ti, v, t.idfw, s);
    byTi[ti] = c;
    cursors.push(c);
  });
  if (cursors.length === 0) return;
  const req: Cursor[][] = [];
  for (const cl of plan.clauses) {
    const cs = cl.tis.map((ti) => byTi[ti]).filter((c): c is Cursor => c !== undefined);
    if (cs.length === 0) return; // a required clause has no term in this segment
    req.push(cs);
  }
  const live = seg.cols.live;
  const lens = seg.cols.lens;
  const n = cursors.length;

  for (;;) {
    // Insertion sort by current doc: cursors move a little between rounds.
    for (let i = 1; i < n; i++) {
      const c = cursors[i]!;
      let j = i - 1;
      while (j >= 0 && cursors[j]!.doc > c.doc) {
        cursors[j + 1] = cursors[j]!;
        j--;
      }
      cursors[j + 1] = c;
    }
    const theta = heap.threshold;
    let acc = 0;
    let p = -1;
    for (let i = 0; i < n; i++) {
      const c = cursors[i]!;
      if (c.doc === END) break;
      acc += c.ub;
      if (acc >= theta) {
        p = i;
        break;
      }
    }
    if (p < 0) return;
    const pivot = cursors[p]!.doc;
    while (p + 1 < n && cursors[p + 1]!.doc === pivot) p++;

    if (req.length) {
      let lb = 0;
      for (const cs of req) {
        let m = END;
        for (const c of cs) if (c.doc < m) m = c.doc;
        if (m > lb) lb = m;
      }
      if (lb === END) return;
      if (lb > pivot) {
        for (const c of cursors) if (c.doc < lb) ctx.stats.skippedBlocks += c.advance(lb);
        continue;
      }
    }

    if (heap.full) {
      let bsum = 0;
      let nextDoc = p + 1 < n ? cursors[p + 1]!.doc : END;
      for (let i = 0; i <= p; i++) {
        const c = cursors[i]!;
        const b = c.blockOf(pivot);
        if (b >= c.v.nBlocks) continue;
        bsum += c.blockBound(b, s);
        const last = c.v.blockLast[c.v.blockBase + b]! + 1;
        if (last < nextDoc) nextDoc = last;
      }
      if (bsum < theta) {
        // No doc in [pivot, nextDoc) can reach the threshold: they hold only terms 0..p, each
        // inside the block that holds the pivot.
        for (let i = 0; i <= p; i++) ctx.stats.skippedBlocks += cursors[i]!.advance(nextDoc);
        continue;
      }
    }

    if (cursors[0]!.doc === pivot) {
      if (live[pivot]) {
        const lo = pivot * FIELD_COUNT;
        for (let i = 0; i <= p; i++) {
          const c = cursors[i]!;
          ctx.present[c.ti] = 1;
          ctx.contrib[c.ti] = s.score(c.v.tfs[c.pos]!, lens, lo, c.idfw);
        }
        offer(ctx, seg, pivot);
      }
      for (let i = 0; i <= p; i++) cursors[i]!.next();
    } else {
      // Docs before the pivot hold only terms 0..p-1, whose bounds sum below the threshold.
      for (let i = 0; i < p; i++) if (cursors[i]!.doc < pivot) ctx.stats.skippedBlocks += cursors[i]!.advance(pivot);
    }
  }
}
