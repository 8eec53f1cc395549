/**
 * Specialty branch: the job's title (or the head of the description) → occupations of the
 * taxonomy (O*NET, ESCO, CBO; cached per tenant and text) → the tenant's candidates of those
 * occupations, best match first.
 */
import { cacheKey, type Cache } from '@hh/cache';
import type { Branch, BranchContext, BranchHit, SpecialtyMatch } from '../branch.js';
import { specialtyText } from '../query-text.js';
import type { SearchReadRepository } from '../read-repository.js';

export interface SpecialtyBranchDeps {
  cache: Cache;
  /** Job title or text → matching occupations. */
  lookup: (text: string) => Promise<SpecialtyMatch[]>;
  repo: SearchReadRepository;
}

export function createSpecialtyBranch(deps: SpecialtyBranchDeps): Branch {
  return {
    name: 'specialty',
    async run(ctx: BranchContext): Promise<BranchHit[]> {
      const text = specialtyText(ctx.request);
      const { value, status } = await deps.cache.getOrLoad(cacheKey('specialty', ctx.tenantId, text), () => deps.lookup(text), { ttlSeconds: 3600 });
      ctx.cacheStatuses.push(status);
      ctx.notes.occupations = value;
      return deps.repo.specialty(ctx.db, ctx.tenantId, value, ctx.sqlFilter(), ctx.window);
    },
  };
}
