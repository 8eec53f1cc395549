/**
 * POST /v1/search: paging and caching around one ranked list (pipeline.ts computes it).
 *
 * A healthy ranked list is cached under the tenant's data version (the seq of its latest change,
 * durable in Postgres), so a write makes every replica compute a new list; later pages read the
 * list their first page came from, or — when it is gone — a recomputed one, but only if it starts
 * with exactly the results already served (else 410, see cursor.ts).
 */
import { createHash } from 'node:crypto';
import { cacheKey, type Cache, type CacheStatus } from '@hh/cache';
import { Deadline } from '@hh/service-kit';
import { cursorExpired, decodeCursor, encodeCursor, servedDigest, type Cursor } from './cursor.js';
import type { RankedList } from './pipeline.js';
import type { SearchRequest, SearchResponse } from './schema.js';
import type { SearchMetrics } from './metrics.js';
import type { Pending } from '../embedding/backlog.js';

export interface SearchDeps {
  cache: Cache;
  /** One ranked list for one search (the pipeline). */
  rank: (tenantId: number, req: SearchRequest, deadline: Deadline, requestId: string) => Promise<RankedList & { cacheStatuses: string[] }>;
  /**
   * The tenant's data version (seq of its latest change) that versions its cached pages, or
   * undefined when this replica cannot tell it right now (then the page cache is not used).
   */
  tenantVersion: (tenantId: number) => Promise<number | undefined>;
  /** HMAC key for page cursors (CURSOR_SECRET, or the database's generated one). */
  cursorSecret: Buffer;
  /** The tenant's ingestion backlog (stored, not yet embedded / not yet in this replica's index). */
  pending?: (tenantId: number) => Pending;
  metrics: SearchMetrics;
  config: {
    deadlineMs: number;
    rrfK: number;
    window: number;
    cacheTtlSeconds: number;
  };
}

/** Degradation codes that describe the answer rather than a failure: such lists may be cached. */
const INFORMATIONAL = new Set(['vector_filtered_short']);

const round = (n: number) => Math.round(n * 100) / 100;

export function createSearchService(deps: SearchDeps) {
  const { config, metrics } = deps;

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
        fresh = await deps.rank(tenantId, req, deadline, opts.requestId);
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

export type SearchService = ReturnType<typeof createSearchService>;
