/** Full-text branch answered by Postgres (weighted tsvector, ts_rank); see read-repository.ts. */
import type { Branch, BranchContext, BranchHit } from '../branch.js';
import { ftsQuery } from '../query-text.js';
import type { SearchReadRepository } from '../read-repository.js';

export function createPostgresFullTextBranch(repo: SearchReadRepository): Branch {
  return {
    name: 'fts',
    run(ctx: BranchContext): Promise<BranchHit[]> {
      const query = ftsQuery(ctx.request, ctx.filters?.mustHaveSkills ?? []);
      return repo.fullText(ctx.db, ctx.tenantId, query, ctx.sqlFilter(), ctx.window);
    },
  };
}
