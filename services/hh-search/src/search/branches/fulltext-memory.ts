/**
 * Full-text branch on the in-memory BM25F index of the tenant: a job description keeps its
 * highest-weight terms, a typed query keeps its operators (all words, "phrases", -exclusions, OR).
 * Recruiter filters are applied inside the index's top-k loop. Must-have skills join a job
 * description's terms, as in the Postgres form. While the in-memory structures load, the Postgres
 * branch answers instead and the response says `lexical_index_warming`.
 */
import type { LexicalSink } from '../../index/lexical-sink.js';
import type { Branch, BranchContext, BranchHit } from '../branch.js';
import { ftsQuery } from '../query-text.js';

export function createMemoryFullTextBranch(deps: { lexical: LexicalSink; fallback: Branch; jobTerms: number }): Branch {
  return {
    name: 'fts',
    run(ctx: BranchContext): Promise<BranchHit[]> {
      const memory = ctx.memory();
      if (!memory) {
        ctx.degraded.add('lexical_index_warming');
        return deps.fallback.run(ctx);
      }
      const { filter } = memory;
      const idx = deps.lexical.index(ctx.tenantId);
      if (!idx || filter.none) return Promise.resolve([]);
      const q = ctx.request.query?.trim();
      const text = q ? q : [ctx.request.jobDescription ?? '', ...(ctx.filters?.mustHaveSkills ?? [])].join('\n');
      const mode = ftsQuery(ctx.request).mode;
      const res = idx.search({ text, mode, ...(mode === 'job' ? { maxTerms: deps.jobTerms } : {}) }, { k: ctx.window, explain: true, ...(filter.tenantOnly ? {} : { accept: filter.acceptId }) });
      return Promise.resolve(res.hits.map((h) => ({ id: h.id, score: h.score, ...(h.matched ? { matched: h.matched } : {}) })));
    },
  };
}
