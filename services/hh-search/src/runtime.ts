/**
 * Assembles hh-search from configuration: Postgres pool, cache (Redis or in-process), hh-embed
 * and hh-rerank clients, the vector index with its change-log sync, the embedding outbox worker
 * and the taxonomy lookup. `start()` loads the index and starts background work; `close()`
 * stops everything in reverse order. server.ts and the end-to-end tests both use this.
 */
import { createCache, instrumentCache } from '@hh/cache';
import type { SearchConfig } from '@hh/config';
import { createPool } from '@hh/db';
import { createSpecialtyLookup, occupationsForTitles } from '@hh/taxonomy';
import { buildApp } from './app.js';
import { EmbedClient } from './clients/embed-client.js';
import { RerankClient } from './clients/rerank-client.js';
import { EmbedWorker } from './embedding/worker.js';
import { ExactVectorIndex } from './vector/exact-index.js';
import { IndexSync } from './vector/sync.js';
import type { VectorIndex } from './vector/types.js';

export interface RuntimeOptions {
  /** Vector index implementation; defaults to the exact in-memory scan. */
  createIndex?: (dims: number) => VectorIndex;
  dims?: number;
}

export async function createRuntime(config: SearchConfig, opts: RuntimeOptions = {}) {
  const pool = createPool(config.DATABASE_URL, {
    max: config.PG_POOL_MAX,
    connectionTimeoutMillis: config.PG_CONNECTION_TIMEOUT_MS,
    statementTimeoutMs: config.PG_STATEMENT_TIMEOUT_MS,
    applicationName: 'hh-search',
  });
  const cache = createCache({
    ...(config.REDIS_URL ? { redisUrl: config.REDIS_URL } : {}),
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    maxEntries: config.CACHE_MAX_ENTRIES,
  });
  const embed = new EmbedClient(config.EMBED_URL, config.EMBED_MODEL);
  const rerank = new RerankClient(config.RERANK_URL);
  const index = (opts.createIndex ?? ((d) => new ExactVectorIndex(d)))(opts.dims ?? 768);
  const sync = new IndexSync({ pool, databaseUrl: config.DATABASE_URL, index, model: config.EMBED_MODEL, pollMs: config.INDEX_POLL_MS });
  const lookup = createSpecialtyLookup(pool);

  const app = buildApp({
    config,
    pool,
    cache,
    embed,
    rerank,
    index,
    indexStatus: () => ({ ready: sync.ready, lagSeconds: sync.lagSeconds, lastSeq: sync.lastSeq, tenantSeq: (t) => sync.tenantSeq.get(t) ?? 0 }),
    specialty: async (text) =>
      (await lookup.lookup(text, { limit: 10 })).map((m) => ({ occupationId: m.occupationId, title: m.title, confidence: m.confidence })),
    occupations: (client, titles, langs) => occupationsForTitles(client, titles, langs),
    onQueued: () => worker.notify(),
  });
  // Metrics live on the app's registry, so the worker is created after the app.
  instrumentCache(cache, app.metrics.registry);
  const embedJobs = app.metrics.counter('hh_search_embedding_jobs_total', 'Outbox rows embedded');
  const embedErrors = app.metrics.counter('hh_search_embedding_failures_total', 'Outbox batches that failed and will be retried');
  const worker: EmbedWorker = new EmbedWorker({
    pool,
    embed,
    batchSize: config.EMBED_WORKER_BATCH,
    pollMs: config.EMBED_WORKER_POLL_MS,
    log: app.log,
    onBatch: (n) => embedJobs.inc(n),
    onError: () => embedErrors.inc(),
  });

  let started = false;
  return {
    app,
    pool,
    cache,
    index,
    sync,
    worker,
    async start() {
      await sync.start();
      if (config.EMBED_WORKER_ENABLED) worker.start();
      started = true;
    },
    async close() {
      await app.close();
      if (started) {
        await worker.stop();
        await sync.stop();
      }
      await Promise.allSettled([embed.close(), rerank.close(), cache.close(), index.close()]);
      await pool.end();
    },
  };
}
export type Runtime = Awaited<ReturnType<typeof createRuntime>>;
