/**
 * One search: fan out to the vector, full-text and specialty branches with Promise.allSettled,
 * each under its own timeout inside the request deadline; fuse with RRF; boost nice-to-have
 * skills; rerank the top N through hh-rerank within the remaining budget (falling back to the
 * fused order); page the result. Every failure becomes a `degraded` code, never a silent gap.
 *
 * Paging: a healthy ranked list is cached under the tenant's data version (the seq of its latest
 * change, durable in Postgres), so a write makes every replica compute a new list; later pages
 * read the list their first page came from, or — when it is gone — a recomputed one, but only if
 * it starts with exactly the results already served (else 410, see cursor.ts).
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { cacheKey, type Cache, type CacheStatus } from '@hh/cache';
import { Deadline } from '@hh/service-kit';
import { normSkill } from '../candidates/derive.js';
import type { EmbedClient } from '../clients/embed-client.js';
import { DownstreamError } from '../clients/http.js';
import type { RerankClient, RerankDocument, RerankResult } from '../clients/rerank-client.js';
import type { VectorIndex } from '../vector/types.js';
import { ftsBranch, specialtyBranch, vectorBranch, type SpecialtyMatch } from './branches.js';
import { budgetedQuery, isOverload, type BudgetedQuery } from './db.js';
import { HttpProblem } from '@hh/service-kit';
import { cursorExpired, decodeCursor, encodeCursor, servedDigest, type Cursor } from './cursor.js';
import { compileFilters } from './filters.js';
import { rrfFuse, type BranchHit, type FusedHit } from './fusion.js';
import { ftsQuery, specialtyText, vectorText } from './query-text.js';
import type { BranchName, SearchRequest, SearchResponse } from './schema.js';
import type { SearchMetrics } from './metrics.js';
import type { Pending } from '../embedding/backlog.js';

export interface SearchDeps {
  pool: pg.Pool;
  cache: Cache;
  embed: EmbedClient;
  rerank: RerankClient;
  index: VectorIndex;
  /** Is the vector index loaded and caught up with the change log? */
  indexReady: () => boolean;
  /**
   * The tenant's data version (seq of its latest change) that versions its cached pages, or
   * undefined when this replica cannot tell it right now (then the page cache is not used).
   */
  tenantVersion: (tenantId: number) => Promise<number | undefined>;
  /** HMAC key for page cursors (CURSOR_SECRET, or the database's generated one). */
  cursorSecret: Buffer;
  specialty: (text: string) => Promise<SpecialtyMatch[]>;
  /** The tenant's ingestion backlog (stored, not yet embedded / not yet in this replica's index). */
  pending?: (tenantId: number) => Pending;
  metrics: SearchMetrics;
  config: {
    deadlineMs: number;
    embedTimeoutMs: number;
    branchTimeoutMs: number;
    rerankTimeoutMs: number;
    rerankTopN: number;
    rrfK: number;
    window: number;
    cacheTtlSeconds: number;
  };
}


interface Row {
  id: number;
  external_id: string;
  version: number;
  title: string;
  headline: string;
  summary: string;
  skills: string[];
  skills_norm: string[];
  country: string | null;
  region: string | null;
  city: string | null;
  remote: boolean;
  years_experience: number | null;
  seniority: string | null;
  language: 'en' | 'pt';
}

/** What the page cache stores: the whole ranked list for one request at one data version. */
interface RankedList {
  results: SearchResponse['results'];
  degraded: string[];
  branches: SearchResponse['branches'];
  timings: Record<string, number>;
}

class BranchTimeout extends Error {}

/** Degradation codes that describe the answer rather than a failure: such lists may be cached. */
const INFORMATIONAL = new Set(['vector_filtered_short']);

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  // The caller may stop waiting for `p` (timeout, or no time to start): a later rejection of `p`
  // must still be observed, or it becomes an unhandled rejection.
  p.catch(() => undefined);
  if (ms <= 0) return Promise.reject(new BranchTimeout('no time left'));
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new BranchTimeout(`timed out after ${Math.round(ms)} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const round = (n: number) => Math.round(n * 100) / 100;

export function createSearchService(deps: SearchDeps) {
  const { config, metrics } = deps;

  async function embedQuery(tenantId: number, text: string, deadline: Deadline, requestId: string): Promise<{ vec: Float32Array; cache: string }> {
    const key = cacheKey('qemb', tenantId, deps.embed.model, text);
    const { value, status } = await deps.cache.getOrLoad(
      key,
      async () => {
        const [v] = await deps.embed.embed([text], { timeoutMs: deadline.timeout(config.embedTimeoutMs), requestId });
        return Buffer.from(v!.buffer, v!.byteOffset, v!.byteLength).toString('base64');
      },
      { ttlSeconds: 3600 },
    );
    const buf = Buffer.from(value, 'base64');
    return { vec: new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)), cache: status };
  }

  async function rank(tenantId: number, req: SearchRequest, deadline: Deadline, requestId: string): Promise<RankedList & { cacheStatuses: string[] }> {
    const degraded = new Set<string>();
    const cacheStatuses: string[] = [];
    const timings: Record<string, number> = {};
    const weights = { vector: req.weights?.vector ?? 1, fts: req.weights?.fts ?? 1, specialty: req.weights?.specialty ?? 1 };
    const filter = compileFilters(req.filters);
    const window = config.window;

    const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
      const t0 = performance.now();
      try {
        return await fn();
      } finally {
        timings[name] = round(performance.now() - t0);
        metrics.branchDuration.observe({ branch: name }, (performance.now() - t0) / 1000);
      }
    };

    const branchBudget = () => deadline.timeout(config.branchTimeoutMs);
    const db = budgetedQuery(deps.pool, branchBudget);

    // ---- vector: embed (cached) → index → post-filter
    const vectorP = (async (): Promise<BranchHit[]> => {
      if (weights.vector === 0) throw new SkipBranch();
      if (!deps.indexReady()) {
        degraded.add('vector_index_warming');
        throw new SkipBranch();
      }
      const text = vectorText(req);
      let vec: Float32Array;
      try {
        const e = await timed('embed', () => withTimeout(embedQuery(tenantId, text, deadline, requestId), deadline.timeout(config.embedTimeoutMs)));
        cacheStatuses.push(e.cache);
        vec = e.vec;
      } catch (err) {
        const timeout = err instanceof BranchTimeout || (err instanceof DownstreamError && err.kind === 'timeout');
        degraded.add(timeout ? 'embed_timeout' : 'embed_unavailable');
        metrics.branchFailures.inc({ branch: 'embed', reason: timeout ? 'timeout' : 'error' });
        throw new SkipBranch(timeout ? 'timeout' : 'error');
      }
      const out = await timed('vector', () => withTimeout(vectorBranch(db, deps.index, tenantId, vec, filter, window), branchBudget()));
      if (out.short) degraded.add('vector_filtered_short');
      return out.hits;
    })();

    // ---- full text
    const ftsP = weights.fts === 0 ? Promise.reject(new SkipBranch()) : timed('fts', () => withTimeout(ftsBranch(db, tenantId, ftsQuery(req, req.filters?.mustHaveSkills ?? []), filter, window), branchBudget()));

    // ---- specialty: lookup (cached) → candidates of those occupations
    let occupations: SpecialtyMatch[] = [];
    const specialtyP =
      weights.specialty === 0
        ? Promise.reject(new SkipBranch())
        : timed('specialty', () =>
            withTimeout(
              (async () => {
                const text = specialtyText(req);
                const { value, status } = await deps.cache.getOrLoad(cacheKey('specialty', tenantId, text), () => deps.specialty(text), { ttlSeconds: 3600 });
                cacheStatuses.push(status);
                occupations = value;
                return specialtyBranch(db, tenantId, value, filter, window);
              })(),
              branchBudget(),
            ),
          );

    const settled = await Promise.allSettled([vectorP, ftsP, specialtyP]);
    const names: BranchName[] = ['vector', 'fts', 'specialty'];
    const lists: Partial<Record<BranchName, BranchHit[]>> = {};
    const branches = {} as SearchResponse['branches'];
    settled.forEach((s, i) => {
      const name = names[i]!;
      const ms = timings[name] ?? 0;
      if (s.status === 'fulfilled') {
        lists[name] = s.value;
        branches[name] = { status: 'ok', count: s.value.length, ms };
        return;
      }
      const err = s.reason as Error;
      if (err instanceof SkipBranch) {
        branches[name] = { status: err.reason === 'timeout' ? 'timeout' : err.reason === 'error' ? 'error' : 'skipped', count: 0, ms };
        return;
      }
      const timeout = err instanceof BranchTimeout || (err as { code?: string }).code === '57014';
      branches[name] = { status: timeout ? 'timeout' : 'error', count: 0, ms, detail: timeout ? 'timed out' : 'failed' };
      degraded.add(`${name}_${timeout ? 'timeout' : 'error'}`);
      metrics.branchFailures.inc({ branch: name, reason: timeout ? 'timeout' : 'error' });
    });

    // Nothing answered: an empty 200 would look like "no candidates match". Tell the client to retry.
    if (!names.some((n) => branches[n].status === 'ok')) {
      const what = names.map((n) => `${n}: ${branches[n].status}`).join(', ');
      throw new HttpProblem(503, 'HH_SEARCH_UNAVAILABLE', `no retrieval branch answered (${what}); retry shortly`, undefined, { 'retry-after': '1' });
    }

    // ---- fusion
    const t0 = performance.now();
    let fused = rrfFuse(lists, { k: config.rrfK, window, weights });
    let rows: Map<number, Row>;
    try {
      rows = await loadRows(budgetedQuery(deps.pool, () => Math.max(deadline.remaining(), 200)), tenantId, fused.map((f) => f.id));
    } catch (err) {
      // Without the rows there is nothing to show: tell the client to retry, never a 500.
      if (isOverload(err)) throw new HttpProblem(503, 'HH_SEARCH_OVERLOADED', 'search is overloaded; retry shortly', undefined, { 'retry-after': '1' });
      throw err;
    }
    fused = fused.filter((f) => rows.has(f.id)); // deleted between branch and load
    const nice = (req.filters?.niceToHaveSkills ?? []).map(normSkill);
    const boosts = new Map<number, number>();
    if (nice.length > 0) {
      // Bounded multiplicative boost: at most +20 % for matching every nice-to-have skill.
      for (const f of fused) {
        const have = new Set(rows.get(f.id)!.skills_norm);
        const matched = nice.filter((s) => have.has(s)).length;
        boosts.set(f.id, matched);
        f.rrf *= 1 + 0.2 * (matched / nice.length);
      }
      fused.sort((a, b) => b.rrf - a.rrf || a.bestRank - b.bestRank || a.id - b.id);
    }
    timings.fusion = round(performance.now() - t0);
    metrics.fusedCandidates.observe(fused.length);

    // ---- rerank the top N within the remaining budget; fail open to the fused order
    const rerankStart = performance.now();
    let reranked: Map<number, RerankResult> | undefined;
    const topN = req.rerank ? Math.min(config.rerankTopN, fused.length) : 0;
    if (topN === 0) {
      branches.rerank = { status: 'skipped', count: 0, ms: 0 };
    } else {
      const budget = deadline.timeout(config.rerankTimeoutMs);
      if (budget < 20) {
        degraded.add('rerank_skipped');
        metrics.rerankFallbacks.inc({ reason: 'budget' });
        branches.rerank = { status: 'skipped', count: 0, ms: 0, detail: 'no time left in the request budget' };
      } else {
        const head = fused.slice(0, topN);
        try {
          const res = await rerankTop(tenantId, req, head, rows, budget, requestId, cacheStatuses);
          reranked = res;
          branches.rerank = { status: 'ok', count: res.size, ms: round(performance.now() - rerankStart) };
        } catch (err) {
          const timeout = err instanceof DownstreamError && err.kind === 'timeout';
          degraded.add(timeout ? 'rerank_timeout' : 'rerank_unavailable');
          metrics.rerankFallbacks.inc({ reason: timeout ? 'timeout' : 'error' });
          branches.rerank = {
            status: timeout ? 'timeout' : 'error',
            count: 0,
            ms: round(performance.now() - rerankStart),
            detail: err instanceof DownstreamError ? err.message : 'failed',
          };
        }
      }
    }
    timings.rerank = round(performance.now() - rerankStart);
    if (topN > 0) metrics.branchDuration.observe({ branch: 'rerank' }, timings.rerank / 1000);

    // Final order: reranked head by rerank score, then the rest in fused order. Scores are
    // mapped into [0,1] so that the reranked head always outranks the tail.
    let ordered: FusedHit[] = fused;
    if (reranked) {
      const head = fused.slice(0, topN).sort((a, b) => reranked!.get(b.id)!.relevance_score - reranked!.get(a.id)!.relevance_score || a.id - b.id);
      ordered = [...head, ...fused.slice(topN)];
    }
    const maxRrf = fused[0]?.rrf ?? 1;
    const results: SearchResponse['results'] = ordered.map((f, i) => {
      const r = rows.get(f.id)!;
      const rr = reranked?.get(f.id);
      const score = rr ? 0.5 + 0.5 * rr.relevance_score : (reranked ? 0.5 : 1) * (f.rrf / maxRrf) * (reranked ? 0.999 : 1);
      return {
        candidateId: r.external_id,
        rank: i + 1,
        score: Math.round(score * 1e6) / 1e6,
        title: r.title,
        headline: r.headline,
        location: { country: r.country, region: r.region, city: r.city },
        remote: r.remote,
        yearsExperience: r.years_experience,
        seniority: r.seniority,
        branches: f.branches,
        rrfScore: Math.round(f.rrf * 1e6) / 1e6,
        rerankScore: rr ? Math.round(rr.relevance_score * 1e6) / 1e6 : null,
        reasons: explain(f, rr, boosts.get(f.id), nice.length, occupations),
      };
    });
    return { results, degraded: [...degraded], branches, timings, cacheStatuses };
  }

  async function rerankTop(
    tenantId: number,
    req: SearchRequest,
    head: FusedHit[],
    rows: Map<number, Row>,
    budgetMs: number,
    requestId: string,
    cacheStatuses: string[],
  ): Promise<Map<number, RerankResult>> {
    const query = [req.query, req.jobDescription].filter(Boolean).join('\n').slice(0, 20_000);
    const f = req.filters;
    const job = {
      ...(f?.mustHaveSkills ? { skills: f.mustHaveSkills } : {}),
      ...(f?.niceToHaveSkills ? { niceToHave: f.niceToHaveSkills } : {}),
      ...(f?.minYears !== undefined ? { minYears: f.minYears } : {}),
      ...(f?.maxYears !== undefined ? { maxYears: f.maxYears } : {}),
      ...(f?.countries ? { countries: f.countries } : {}),
      ...(f?.cities ? { cities: f.cities } : {}),
      ...(f?.remote !== undefined ? { remote: f.remote } : {}),
    };
    const docs: RerankDocument[] = head.map((h) => {
      const r = rows.get(h.id)!;
      return {
        id: r.external_id,
        title: r.title,
        headline: r.headline,
        text: r.summary.slice(0, 4_000),
        skills: r.skills,
        ...(r.years_experience !== null ? { yearsExperience: r.years_experience } : {}),
        ...(r.seniority ? { seniority: r.seniority } : {}),
        location: { ...(r.country ? { country: r.country } : {}), ...(r.region ? { region: r.region } : {}), ...(r.city ? { city: r.city } : {}) },
        remote: r.remote,
        language: r.language,
      };
    });
    // Cache key: tenant, rerank request and each document's (id, version).
    const key = cacheKey('rerank', tenantId, query, JSON.stringify(job), head.map((h) => `${h.id}:${rows.get(h.id)!.version}`).join(','));
    const { value, status } = await deps.cache.getOrLoad(
      key,
      async () => (await deps.rerank.rerank(query, docs, Object.keys(job).length ? job : undefined, { timeoutMs: budgetMs, requestId })).results,
      { ttlSeconds: config.cacheTtlSeconds },
    );
    cacheStatuses.push(status);
    const out = new Map<number, RerankResult>();
    for (const r of value) {
      const hit = head[r.index];
      if (hit) out.set(hit.id, r);
    }
    if (out.size !== head.length) throw new DownstreamError('hh-rerank', 'bad_response', 'hh-rerank did not score every document');
    return out;
  }

  function fingerprint(req: SearchRequest): string {
    const { cursor: _c, limit: _l, ...rest } = req;
    return createHash('sha256').update(JSON.stringify(rest)).digest('base64url').slice(0, 22);
  }

  const listKey = (tenantId: number, fp: string, version: number) => cacheKey('search', tenantId, fp, String(version));
  // Degraded lists are not cached, so a recovered branch is used by the next request.
  const listTtl = (l: RankedList) => (l.degraded.some((d) => !INFORMATIONAL.has(d)) ? 0 : config.cacheTtlSeconds);
  const idsOf = (list: RankedList, n: number) => list.results.slice(0, n).map((r) => r.candidateId);
  /** Does `list` start with exactly the results the cursor's earlier pages served? */
  const continues = (list: RankedList, c: Cursor) => c.offset <= list.results.length && servedDigest(idsOf(list, c.offset)) === c.served;

  /** A cached ranked list, without loading one on a miss. */
  async function peekList(key: string): Promise<{ list: RankedList; status: CacheStatus } | undefined> {
    const r = await deps.cache.get(key);
    if (r.status !== 'hit' && r.status !== 'stale') return undefined;
    try {
      return { list: JSON.parse(r.value.toString('utf8')) as RankedList, status: r.status };
    } catch {
      return undefined;
    }
  }

  async function search(tenantId: number, req: SearchRequest, opts: { requestId: string; deadline?: Deadline }): Promise<SearchResponse> {
    const deadline = opts.deadline ?? new Deadline(config.deadlineMs);
    const started = performance.now();
    const fp = fingerprint(req);
    const cursor = req.cursor ? decodeCursor(req.cursor, { fingerprint: fp, tenantId, secret: deps.cursorSecret }) : undefined;
    const current = await deps.tenantVersion(tenantId);
    let fresh: (RankedList & { cacheStatuses: string[] }) | undefined;
    let list: RankedList | undefined;
    let status: CacheStatus = 'miss';
    /** The data version the served list belongs to (-1: unknown, so it was not cached). */
    let version = -1;
    // A later page reads the very list its first page came from while that is still cached, even
    // if the tenant's data changed since: paging is over one consistent result list.
    if (cursor && cursor.version >= 0 && cursor.version !== current) {
      const prior = await peekList(listKey(tenantId, fp, cursor.version));
      if (prior && continues(prior.list, cursor)) {
        list = prior.list;
        status = prior.status;
        version = cursor.version;
      }
    }
    if (!list) {
      const load = async (): Promise<RankedList> => {
        fresh = await rank(tenantId, req, deadline, opts.requestId);
        const { cacheStatuses: _s, ...ranked } = fresh;
        return ranked;
      };
      if (current === undefined) {
        list = await load();
      } else {
        ({ value: list, status } = await deps.cache.getOrLoad(listKey(tenantId, fp, current), load, { ttlSeconds: listTtl }));
        version = current;
      }
      // Recomputed (or another) list: serve the next page only if it extends what was shown, so
      // a client never sees a candidate twice or silently misses one.
      if (cursor && !continues(list, cursor)) throw cursorExpired();
    }
    const degraded = new Set(list.degraded);
    // Reported per request, never cached: a backlog drains without changing the page's data version.
    const pending = deps.pending?.(tenantId) ?? { embeddings: 0, indexing: 0 };
    if (pending.embeddings > 0) degraded.add('embeddings_pending');
    if (pending.indexing > 0) degraded.add('index_pending');
    const statuses = [status, ...(fresh?.cacheStatuses ?? [])];
    if (statuses.includes('bypass')) degraded.add('cache_bypass');

    const offset = cursor?.offset ?? 0;
    const page = list.results.slice(offset, offset + req.limit);
    const end = offset + page.length;
    const windowExhausted = end >= list.results.length;
    const partial = Object.values(list.branches).some((b) => b.status === 'timeout' || b.status === 'error') || degraded.has('vector_index_warming');
    for (const d of degraded) metrics.degraded.inc({ reason: d.replace(/[^a-z_]/g, '') });
    if (partial) metrics.partial.inc();
    const tookMs = round(performance.now() - started);
    return {
      results: page,
      nextCursor: windowExhausted
        ? null
        : encodeCursor({ offset: end, fingerprint: fp, version, served: servedDigest(idsOf(list, end)) }, tenantId, deps.cursorSecret),
      total: list.results.length,
      windowExhausted,
      partial,
      degraded: [...degraded].sort(),
      pending,
      branches: list.branches,
      fusion: { method: 'rrf', k: config.rrfK, window: config.window, weights: { vector: req.weights?.vector ?? 1, fts: req.weights?.fts ?? 1, specialty: req.weights?.specialty ?? 1 } },
      cache: status === 'hit' || status === 'stale' ? status : statuses.includes('bypass') ? 'bypass' : 'miss',
      timings: fresh ? { ...list.timings, total: tookMs } : { total: tookMs },
      tookMs,
    };
  }

  return { search };
}

class SkipBranch extends Error {
  constructor(readonly reason: 'skipped' | 'timeout' | 'error' = 'skipped') {
    super(reason);
  }
}

async function loadRows(db: BudgetedQuery, tenantId: number, ids: number[]): Promise<Map<number, Row>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db<Row>({
    name: 'hh_load_rows',
    text: `SELECT id, external_id, version, title, headline, summary, skills, skills_norm, country, region, city, remote,
            years_experience, seniority, language
       FROM candidates WHERE tenant_id = $1 AND id = ANY($2::bigint[])`,
    values: [tenantId, ids],
  });
  return new Map(rows.map((r) => [r.id, r]));
}

function explain(f: FusedHit, rr: RerankResult | undefined, niceMatched: number | undefined, niceTotal: number, occupations: SpecialtyMatch[]): string[] {
  const out: string[] = [];
  if (rr) out.push(...rr.reasons);
  const b = f.branches;
  if (b.specialty) {
    const occ = b.specialty.occupation ?? occupations[0]?.title;
    out.push(`Occupation matches the role${occ ? `: ${occ}` : ''} (confidence ${b.specialty.score.toFixed(2)})`);
  }
  if (b.fts) out.push(`Profile text matches the search terms (full-text rank ${b.fts.rank})`);
  if (b.vector) out.push(`Semantically similar to the job (vector rank ${b.vector.rank}, similarity ${b.vector.score.toFixed(2)})`);
  if (niceTotal > 0 && niceMatched !== undefined) out.push(`Has ${niceMatched} of ${niceTotal} nice-to-have skills`);
  return out;
}

export type SearchService = ReturnType<typeof createSearchService>;
