/**
 * Exhaustive BM25F: every posting of every query term is read and every matching document is
 * scored and offered to the heap (document at a time over all the terms' postings, no bounds, no
 * skipping). Same plan, same scoring and the same checks as the pruned search: the reference for
 * tests and the baseline for the benchmark.
 */
import { FIELD_COUNT } from './fields.js';
import type { LexicalIndex, SearchOptions, SearchResult } from './lexical-index.js';
import type { SearchQuery } from './query.js';
import type { PostingView } from './segment.js';
import { TopK } from './topk.js';
import { newContext, offer } from './wand.js';

export class ExhaustiveScorer {
  constructor(private readonly index: LexicalIndex) {}

  search(q: SearchQuery, opts: SearchOptions): SearchResult {
    const { plan, s } = this.index.prepare(q);
    const heap = new TopK(opts.k);
    const ctx = newContext(plan, s, heap, opts.accept);
    const T = plan.terms.length;
    if (!plan.empty) {
      for (const seg of this.index.allSegments()) {
        const lens = seg.cols.lens;
        const live = seg.cols.live;
        const views: (PostingView | undefined)[] = plan.terms.map((t) => seg.postings(t.termId));
        const pos = views.map((v) => (v ? v.start : 0));
        for (;;) {
          let d = Infinity;
          for (let ti = 0; ti < T; ti++) {
            const v = views[ti];
            if (v && pos[ti]! < v.end && v.docs[pos[ti]!]! < d) d = v.docs[pos[ti]!]!;
          }
          if (d === Infinity) break;
          for (let ti = 0; ti < T; ti++) {
            const v = views[ti];
            if (!v || pos[ti]! >= v.end || v.docs[pos[ti]!] !== d) continue;
            ctx.contrib[ti] = s.score(v.tfs[pos[ti]!]!, lens, d * FIELD_COUNT, plan.terms[ti]!.idfw);
            ctx.present[ti] = 1;
            pos[ti]!++;
          }
          if (live[d]) offer(ctx, seg, d);
          else {
            ctx.contrib.fill(0);
            ctx.present.fill(0);
          }
        }
      }
    }
    return this.index.finish(heap, plan, { terms: T, scored: ctx.stats.scored }, opts.explain === true);
  }
}
