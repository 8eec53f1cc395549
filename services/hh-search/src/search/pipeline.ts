/**
 * One ranked list for one search, the way the architecture draws it: the retrieval branches in
 * parallel (each inside its budget) → Reciprocal Rank Fusion → nice-to-have boost → rerank of the
 * head within what is left of the deadline → presentation. Every failure on the way becomes a
 * status and a degraded code; when no retrieval branch answered, the search is refused with 503
 * rather than answered with an empty list that would read as "nobody matches".
 */
import type pg from 'pg';
import { HttpProblem, type Deadline } from '@hh/service-kit';
import { normSkill } from '../candidates/derive.js';
import { runBranches, type Branch, type BranchContext } from './branch.js';
import { budgetedQuery, isOverload } from './db.js';
import { compileFilters, type CompiledFilter } from './filters.js';
import { compileAttributeFilter, type AttributeFilter } from './attribute-filter.js';
import type { AttributeStore } from '../index/attributes/store.js';
import { boostNiceToHave, rrfFuse } from './fusion.js';
import type { SearchMetrics } from './metrics.js';
import { present } from './presentation.js';
import type { CandidateDoc, SearchReadRepository } from './read-repository.js';
import type { createRerankStage } from './rerank.js';
import type { BranchName, SearchRequest, SearchResponse } from './schema.js';

/** What the page cache stores: the whole ranked list for one request at one data version. */
export interface RankedList {
  results: SearchResponse['results'];
  degraded: string[];
  branches: SearchResponse['branches'];
  timings: Record<string, number>;
}

export interface PipelineDeps {
  pool: pg.Pool;
  branches: readonly Branch[];
  repo: SearchReadRepository;
  rerank: ReturnType<typeof createRerankStage>;
  metrics: SearchMetrics;
  /** Page and rerank fields by id (in memory when available; else one primary-key query). */
  documents?: (tenantId: number, ids: number[]) => Map<number, CandidateDoc> | undefined;
  /** The attribute store once the in-memory structures are loaded and caught up. */
  attributes?: () => AttributeStore | undefined;
  config: { branchTimeoutMs: number; rrfK: number; window: number };
}

const BRANCHES: BranchName[] = ['vector', 'fts', 'specialty'];
const round = (n: number) => Math.round(n * 100) / 100;

export function createPipeline(deps: PipelineDeps) {
  const { config, metrics } = deps;

  return async function rank(tenantId: number, req: SearchRequest, deadline: Deadline, requestId: string): Promise<RankedList & { cacheStatuses: string[] }> {
    const degraded = new Set<string>();
    const cacheStatuses: string[] = [];
    const timings: Record<string, number> = {};
    const weights = { vector: req.weights?.vector ?? 1, fts: req.weights?.fts ?? 1, specialty: req.weights?.specialty ?? 1 };
    const budget = () => deadline.timeout(config.branchTimeoutMs);
    let sqlFilter: CompiledFilter | undefined;
    let memory: { store: AttributeStore; filter: AttributeFilter } | undefined | null = null;
    const ctx: BranchContext = {
      tenantId,
      request: req,
      filters: req.filters,
      window: config.window,
      deadline,
      requestId,
      budget,
      degraded,
      cacheStatuses,
      db: budgetedQuery(deps.pool, budget),
      sqlFilter: () => (sqlFilter ??= compileFilters(req.filters)),
      memory: () => {
        if (memory === null) {
          const store = deps.attributes?.();
          memory = store ? { store, filter: compileAttributeFilter(store, tenantId, req.filters) } : undefined;
        }
        return memory;
      },
      notes: {},
      async time(stage, fn) {
        const t0 = performance.now();
        try {
          return await fn();
        } finally {
          timings[stage] = round(performance.now() - t0);
          metrics.branchDuration.observe({ branch: stage }, (performance.now() - t0) / 1000);
        }
      },
    };

    const { lists, statuses } = await runBranches(deps.branches, weights, ctx, metrics, timings);
    if (!BRANCHES.some((n) => statuses[n].status === 'ok')) {
      const what = BRANCHES.map((n) => `${n}: ${statuses[n].status}`).join(', ');
      throw new HttpProblem(503, 'HH_SEARCH_UNAVAILABLE', `no retrieval branch answered (${what}); retry shortly`, undefined, { 'retry-after': '1' });
    }

    // ---- fusion, then the documents the page and the reranker need
    const t0 = performance.now();
    let fused = rrfFuse(lists, { k: config.rrfK, window: config.window, weights });
    const ids = fused.map((f) => f.id);
    let docs = deps.documents?.(tenantId, ids);
    if (!docs) {
      try {
        docs = await deps.repo.documents(budgetedQuery(deps.pool, () => Math.max(deadline.remaining(), 200)), tenantId, ids);
      } catch (err) {
        // Without the documents there is nothing to show: tell the client to retry, never a 500.
        if (isOverload(err)) throw new HttpProblem(503, 'HH_SEARCH_OVERLOADED', 'search is overloaded; retry shortly', undefined, { 'retry-after': '1' });
        throw err;
      }
    }
    const found = docs;
    fused = fused.filter((f) => found.has(f.id)); // deleted between a branch and now
    const nice = (req.filters?.niceToHaveSkills ?? []).map(normSkill);
    const niceMatched = boostNiceToHave(fused, nice, (id) => found.get(id)!.skillsNorm);
    timings.fusion = round(performance.now() - t0);
    metrics.fusedCandidates.observe(fused.length);

    // ---- rerank the head within the remaining budget; the fused order stands if it cannot
    const rr = await deps.rerank({ tenantId, req, fused, docs: found, deadline, requestId, cacheStatuses });
    if (rr.degraded) degraded.add(rr.degraded);
    timings.rerank = rr.status.ms;
    if (rr.status.status !== 'skipped' || rr.degraded) metrics.branchDuration.observe({ branch: 'rerank' }, rr.status.ms / 1000);

    const results = present({ fused, docs: found, rerank: rr, niceMatched, niceTotal: nice.length, occupations: ctx.notes.occupations ?? [] });
    return { results, degraded: [...degraded], branches: { ...statuses, rerank: rr.status }, timings, cacheStatuses };
  };
}
