/**
 * Rerank stage: the fused top N scored by hh-rerank inside what is left of the budget (cached per
 * tenant, request and each document's version). It fails open: when the budget is too short or
 * hh-rerank fails, the fused order stands and the response says why.
 */
import { cacheKey, type Cache } from '@hh/cache';
import type { RerankClient, RerankDocument, RerankJob, RerankResult } from '../clients/rerank-client.js';
import { DownstreamError } from '../clients/http.js';
import type { BranchStatus } from './branch.js';
import type { FusedHit } from './fusion.js';
import type { SearchMetrics } from './metrics.js';
import type { CandidateDoc } from './read-repository.js';
import type { SearchRequest } from './schema.js';
import type { Deadline } from '@hh/service-kit';

/** Below this much budget a rerank call cannot pay off; the fused order is served. */
const MIN_RERANK_MS = 20;

export interface RerankDeps {
  rerank: RerankClient;
  cache: Cache;
  metrics: SearchMetrics;
  topN: number;
  timeoutMs: number;
  cacheTtlSeconds: number;
}

export interface RerankOutcome {
  /** Rerank results by candidate id (undefined when the fused order stands). */
  scores: Map<number, RerankResult> | undefined;
  /** How many of the fused hits, from the top, were reranked. */
  headSize: number;
  status: BranchStatus;
  degraded?: string;
}

/** What the scorer compares the candidates against, from the recruiter's filters. */
function jobOf(req: SearchRequest): RerankJob | undefined {
  const f = req.filters;
  const job: RerankJob = {
    ...(f?.mustHaveSkills ? { skills: f.mustHaveSkills } : {}),
    ...(f?.niceToHaveSkills ? { niceToHave: f.niceToHaveSkills } : {}),
    ...(f?.minYears !== undefined ? { minYears: f.minYears } : {}),
    ...(f?.maxYears !== undefined ? { maxYears: f.maxYears } : {}),
    ...(f?.countries ? { countries: f.countries } : {}),
    ...(f?.cities ? { cities: f.cities } : {}),
    ...(f?.remote !== undefined ? { remote: f.remote } : {}),
  };
  return Object.keys(job).length > 0 ? job : undefined;
}

/** A candidate as the scorer reads it: structured fields and the start of the summary, not the whole profile. */
function rerankDocument(d: CandidateDoc): RerankDocument {
  return {
    id: d.externalId,
    title: d.title,
    headline: d.headline,
    text: d.excerpt,
    skills: d.skills,
    ...(d.yearsExperience !== null ? { yearsExperience: d.yearsExperience } : {}),
    ...(d.seniority ? { seniority: d.seniority } : {}),
    location: { ...(d.country ? { country: d.country } : {}), ...(d.region ? { region: d.region } : {}), ...(d.city ? { city: d.city } : {}) },
    remote: d.remote,
    language: d.language,
  };
}

export function createRerankStage(deps: RerankDeps) {
  return async function rerankHead(args: {
    tenantId: number;
    req: SearchRequest;
    fused: FusedHit[];
    docs: Map<number, CandidateDoc>;
    deadline: Deadline;
    requestId: string;
    cacheStatuses: string[];
  }): Promise<RerankOutcome> {
    const { req, fused, docs } = args;
    const topN = req.rerank ? Math.min(deps.topN, fused.length) : 0;
    if (topN === 0) return { scores: undefined, headSize: 0, status: { status: 'skipped', count: 0, ms: 0 } };
    const budget = args.deadline.timeout(deps.timeoutMs);
    if (budget < MIN_RERANK_MS) {
      deps.metrics.rerankFallbacks.inc({ reason: 'budget' });
      return { scores: undefined, headSize: 0, status: { status: 'skipped', count: 0, ms: 0, detail: 'no time left in the request budget' }, degraded: 'rerank_skipped' };
    }
    const started = performance.now();
    const head = fused.slice(0, topN);
    const query = [req.query, req.jobDescription].filter(Boolean).join('\n').slice(0, 20_000);
    const job = jobOf(req);
    try {
      const key = cacheKey('rerank', args.tenantId, query, JSON.stringify(job ?? {}), head.map((h) => `${h.id}:${docs.get(h.id)!.version}`).join(','));
      const { value, status } = await deps.cache.getOrLoad(
        key,
        async () => (await deps.rerank.rerank(query, head.map((h) => rerankDocument(docs.get(h.id)!)), job, { timeoutMs: budget, requestId: args.requestId })).results,
        { ttlSeconds: deps.cacheTtlSeconds },
      );
      args.cacheStatuses.push(status);
      const scores = new Map<number, RerankResult>();
      for (const r of value) {
        const hit = head[r.index];
        if (hit) scores.set(hit.id, r);
      }
      if (scores.size !== head.length) throw new DownstreamError('hh-rerank', 'bad_response', 'hh-rerank did not score every document');
      return { scores, headSize: topN, status: { status: 'ok', count: scores.size, ms: round(performance.now() - started) } };
    } catch (err) {
      const timeout = err instanceof DownstreamError && err.kind === 'timeout';
      deps.metrics.rerankFallbacks.inc({ reason: timeout ? 'timeout' : 'error' });
      return {
        scores: undefined,
        headSize: 0,
        status: { status: timeout ? 'timeout' : 'error', count: 0, ms: round(performance.now() - started), detail: err instanceof DownstreamError ? err.message : 'failed' },
        degraded: timeout ? 'rerank_timeout' : 'rerank_unavailable',
      };
    }
  };
}

const round = (n: number) => Math.round(n * 100) / 100;
