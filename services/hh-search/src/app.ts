/**
 * buildApp: the fully configured hh-search instance. It receives its infrastructure (pool,
 * cache, downstream clients, vector index) already built, so tests assemble the same app the
 * process runs, against real servers on ephemeral ports.
 */
import type pg from 'pg';
import type { Cache } from '@hh/cache';
import { metricsListenFromConfig, shedOptionsFromConfig, createServiceApp, type ServiceAppOptions, type ZodApp } from '@hh/service-kit';
import { createCandidateRepository, type OccupationResolver } from './candidates/repository.js';
import { candidateRoutes } from './candidates/routes.js';
import type { EmbedClient } from './clients/embed-client.js';
import type { RerankClient } from './clients/rerank-client.js';
import { classifyError } from './errors.js';
import { authPlugin, tenantGuard } from './plugins/auth.js';
import { registerTenantRateLimit } from './plugins/rate-limit.js';
import type { Redis } from 'ioredis';
import type { SpecialtyMatch } from './search/branch.js';
import { createPostgresFullTextBranch } from './search/branches/fulltext-postgres.js';
import { createSpecialtyBranch } from './search/branches/specialty.js';
import { createVectorBranch } from './search/branches/vector.js';
import { createPipeline } from './search/pipeline.js';
import type { AttributeStore } from './index/attributes/store.js';
import type { LexicalSink } from './index/lexical-sink.js';
import { createMemoryFullTextBranch } from './search/branches/fulltext-memory.js';
import { PREDICATE_EXACT_SCAN_MAX } from '@hh/diskann';
import { createSearchReadRepository, type CandidateDoc } from './search/read-repository.js';
import { createRerankStage } from './search/rerank.js';
import { createSearchMetrics } from './search/metrics.js';
import { searchRoutes } from './search/routes.js';
import { createSearchService } from './search/service.js';
import { createKeyResolver } from './tenants/key-resolver.js';
import { createTenantRepository } from './tenants/repository.js';
import type { VectorIndex } from './vector/types.js';
import type { SearchConfig } from '@hh/config';
import type { Pending } from './embedding/backlog.js';
import { WorkTracker } from './work-tracker.js';

export interface SearchAppDeps {
  config: SearchConfig;
  pool: pg.Pool;
  cache: Cache;
  embed: EmbedClient;
  rerank: RerankClient;
  index: VectorIndex;
  indexStatus: () => { ready: boolean; lagSeconds: number; lastSeq: number; structures?: Record<string, { ready: boolean; bytes: number }> };
  /** Page and rerank fields from memory (undefined while not loaded: one primary-key query instead). */
  documents?: (tenantId: number, ids: number[]) => Map<number, CandidateDoc> | undefined;
  /**
   * The attribute store (filters, occupation postings) once the in-memory structures are loaded and
   * caught up; undefined before (the vector branch then reports warming, the others use SQL).
   */
  attributes?: () => AttributeStore | undefined;
  /** The in-memory lexical indexes (LEXICAL_INDEX=memory); absent: full text is answered by Postgres. */
  lexical?: LexicalSink;
  /** A tenant's data version for its cached search pages (undefined: do not use the page cache). */
  tenantVersion: (tenantId: number) => Promise<number | undefined>;
  /** HMAC key that signs search cursors. */
  cursorSecret: Buffer;
  specialty: (text: string) => Promise<SpecialtyMatch[]>;
  occupations: OccupationResolver;
  /** Called after a write that queued an embedding (wakes the outbox worker). */
  onQueued?: () => void;
  /** Shared counters for the per-tenant quota (unset: counted in process). */
  rateLimitRedis?: Redis;
  /** Writes in flight (shutdown waits for them before closing the pool); default: a private tracker. */
  writes?: WorkTracker;
  /** Candidates of a tenant waiting for an embedding or for this replica's index. */
  pending?: (tenantId: number) => Pending;
  /** The same, for all tenants (readiness). */
  pendingTotal?: () => Pending;
  /** Prepended to every Redis key this app writes (the deployment's identity; see runtime.ts). */
  redisKeyPrefix?: string;
  /** Log destination (default stdout). */
  logStream?: ServiceAppOptions['logStream'];
}

export function buildApp(deps: SearchAppDeps): ZodApp {
  const { config } = deps;
  const app = createServiceApp({
    name: 'hh-search',
    errorPrefix: 'HH_SEARCH',
    metricPrefix: 'hh_search',
    logLevel: config.LOG_LEVEL,
    bodyLimit: config.BODY_LIMIT_BYTES,
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    shed: shedOptionsFromConfig(config),
    metricsListen: metricsListenFromConfig(config),
    classifyError,
    trustProxy: config.TRUST_PROXY,
    ...(deps.logStream ? { logStream: deps.logStream } : {}),
    readiness: async () => {
      const status = deps.indexStatus();
      const details = {
        index: { ready: status.ready, lastSeq: status.lastSeq, lagSeconds: status.lagSeconds, ...(status.structures ? { structures: status.structures } : {}) },
        ...(deps.pendingTotal ? { pending: deps.pendingTotal() } : {}),
      };
      if (!status.ready) return { reason: 'vector index is loading', details };
      try {
        await deps.pool.query('SELECT 1');
      } catch {
        return { reason: 'database unreachable', details };
      }
      return { reason: null, details };
    },
  });

  const itemByItem = app.metrics.counter(
    'hh_search_bulk_item_by_item_total',
    'Bulk chunks written item by item instead of set-based (an item Postgres refused, or a concurrent insert of one of the ids)',
  );
  const candidates = createCandidateRepository({
    pool: deps.pool,
    occupations: deps.occupations,
    onItemByItem: (err) => {
      itemByItem.inc();
      app.log.debug({ err: err.message }, 'bulk chunk written item by item');
    },
  });
  const tenants = createTenantRepository(deps.pool);
  const metrics = createSearchMetrics(app.metrics);
  app.metrics.gauge('hh_search_vector_index_vectors', 'Vectors in the vector index', [], function () {
    this.set(deps.index.size());
  });
  app.metrics.gauge('hh_search_vector_index_freshness_lag_seconds', 'Seconds the vector index is behind the change log', [], function () {
    this.set(deps.indexStatus().lagSeconds);
  });
  app.metrics.gauge('hh_search_pg_pool_connections', 'Postgres pool connections by state', ['state'], function () {
    this.set({ state: 'total' }, deps.pool.totalCount);
    this.set({ state: 'idle' }, deps.pool.idleCount);
    this.set({ state: 'waiting' }, deps.pool.waitingCount);
  });

  const repo = createSearchReadRepository();
  const rank = createPipeline({
    pool: deps.pool,
    repo,
    metrics,
    branches: [
      createVectorBranch({
        embed: deps.embed,
        cache: deps.cache,
        index: deps.index,
        metrics,
        embedTimeoutMs: config.SEARCH_EMBED_TIMEOUT_MS,
        exactScanMax: config.VECTOR_EXACT_SCAN_MAX ?? PREDICATE_EXACT_SCAN_MAX,
      }),
      deps.lexical ? createMemoryFullTextBranch({ lexical: deps.lexical, fallback: createPostgresFullTextBranch(repo), jobTerms: config.LEXICAL_JOB_TERMS }) : createPostgresFullTextBranch(repo),
      createSpecialtyBranch({ cache: deps.cache, lookup: deps.specialty, repo }),
    ],
    rerank: createRerankStage({
      rerank: deps.rerank,
      cache: deps.cache,
      metrics,
      topN: config.SEARCH_RERANK_TOP_N,
      timeoutMs: config.SEARCH_RERANK_TIMEOUT_MS,
      cacheTtlSeconds: config.CACHE_TTL_SECONDS,
    }),
    ...(deps.documents ? { documents: deps.documents } : {}),
    ...(deps.attributes ? { attributes: deps.attributes } : {}),
    config: { branchTimeoutMs: config.SEARCH_BRANCH_TIMEOUT_MS, rrfK: config.SEARCH_RRF_K, window: config.SEARCH_FUSION_WINDOW },
  });
  const search = createSearchService({
    cache: deps.cache,
    rank,
    tenantVersion: deps.tenantVersion,
    cursorSecret: deps.cursorSecret,
    ...(deps.pending ? { pending: deps.pending } : {}),
    metrics,
    config: {
      deadlineMs: config.SEARCH_DEADLINE_MS,
      rrfK: config.SEARCH_RRF_K,
      window: config.SEARCH_FUSION_WINDOW,
      cacheTtlSeconds: config.CACHE_TTL_SECONDS,
    },
  });

  const keys = createKeyResolver(tenants, {
    ttlMs: config.AUTH_KEY_CACHE_TTL_MS,
    maxKeys: config.AUTH_KEY_CACHE_MAX,
    unknownLookupsPerMinute: config.AUTH_UNKNOWN_KEY_LOOKUPS_PER_MINUTE,
  });

  // Fail-closed backstop for the whole app: no /v1 route runs without a tenant.
  void app.register(tenantGuard);
  // The /v1 API: one encapsulated scope, authenticated as a whole (see plugins/auth.ts), then the
  // per-tenant quota, then the routes.
  void app.register(async (scoped) => {
    const z = scoped as unknown as ZodApp;
    await z.register(authPlugin, { keys });
    await registerTenantRateLimit(z, {
      perMinute: config.SEARCH_RATE_LIMIT_PER_MINUTE,
      ...(deps.rateLimitRedis ? { redis: deps.rateLimitRedis } : {}),
      ...(deps.redisKeyPrefix ? { keyPrefix: deps.redisKeyPrefix } : {}),
    });
    await candidateRoutes(z, {
      candidates,
      pool: deps.pool,
      bulkMaxItems: config.BULK_MAX_ITEMS,
      bulkBodyLimit: config.BULK_BODY_LIMIT_BYTES,
      writes: deps.writes ?? new WorkTracker(),
      ...(deps.onQueued ? { onQueued: deps.onQueued } : {}),
    });
    searchRoutes(z, { search, deadlineMs: config.SEARCH_DEADLINE_MS, minDeadlineMs: config.SEARCH_MIN_DEADLINE_MS });
  });
  return app;
}
