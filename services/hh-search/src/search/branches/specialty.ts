/**
 * Specialty branch: the job's title (or the head of the description) → occupations of the
 * taxonomy (O*NET, ESCO, CBO; cached per tenant and text) → the tenant's candidates of those
 * occupations, best match first: by the occupation's match confidence, then most years of
 * experience, then id. Answered from the in-memory occupation postings intersected with the
 * request's filter; while those load, by SQL.
 */
import { cacheKey, type Cache } from '@hh/cache';
import type { Branch, BranchContext, BranchHit, SpecialtyMatch } from '../branch.js';
import { specialtyText } from '../query-text.js';
import type { SearchReadRepository } from '../read-repository.js';
import type { AttributeStore } from '../../index/attributes/store.js';
import type { AttributeFilter } from '../attribute-filter.js';

export interface SpecialtyBranchDeps {
  cache: Cache;
  /** Job title or text → matching occupations. */
  lookup: (text: string) => Promise<SpecialtyMatch[]>;
  repo: SearchReadRepository;
}

/**
 * The window from the postings: occupations taken in groups of equal confidence (best first), each
 * group's postings merged by years, so the order equals the SQL form's `conf DESC, years DESC NULLS
 * LAST, id`. Stops at the window: the cost follows the window and the filter, not the occupation sizes.
 */
export function specialtyFromPostings(store: AttributeStore, filter: AttributeFilter, matches: readonly SpecialtyMatch[], window: number): BranchHit[] {
  if (filter.none || matches.length === 0) return [];
  const byConf = new Map<number, SpecialtyMatch[]>();
  for (const m of matches) byConf.set(m.confidence, [...(byConf.get(m.confidence) ?? []), m]);
  const seen = new Set<number>();
  const hits: BranchHit[] = [];
  for (const conf of [...byConf.keys()].sort((a, b) => b - a)) {
    const group = byConf.get(conf)!;
    const titles = new Map(group.map((m) => [m.occupationId, m.title]));
    for (const t of store.postings.take(filter.tenantId, [...titles.keys()], window - hits.length, filter.acceptId, seen)) {
      hits.push({ id: t.id, score: conf, occupation: titles.get(t.occupation)! });
    }
    if (hits.length >= window) break;
  }
  return hits;
}

export function createSpecialtyBranch(deps: SpecialtyBranchDeps): Branch {
  return {
    name: 'specialty',
    async run(ctx: BranchContext): Promise<BranchHit[]> {
      const text = specialtyText(ctx.request);
      const { value, status } = await deps.cache.getOrLoad(cacheKey('specialty', ctx.tenantId, text), () => deps.lookup(text), { ttlSeconds: 3600 });
      ctx.cacheStatuses.push(status);
      ctx.notes.occupations = value;
      const memory = ctx.memory();
      if (memory) return specialtyFromPostings(memory.store, memory.filter, value, ctx.window);
      return deps.repo.specialty(ctx.db, ctx.tenantId, value, ctx.sqlFilter(), ctx.window);
    },
  };
}
