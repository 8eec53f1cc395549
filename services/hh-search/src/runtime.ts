/**
 * Assembles hh-search from configuration: Postgres pool, cache (Redis or in-process), hh-embed
 * and hh-rerank clients, the vector index with its change-log sync, the embedding outbox worker
 * and the taxonomy lookup. `start()` loads the index and starts background work; `close()`
 * stops everything in reverse order. server.ts and the end-to-end tests both use this.
 */
import { createCache, instrumentCache } from '@hh/cache';
import type { ServiceAppOptions } from '@hh/service-kit';
import type { SearchConfig } from '@hh/config';
import { createPool } from '@hh/db';
import { createSpecialtyLookup, occupationsForTitles } from '@hh/taxonomy';
import { buildApp } from './app.js';
import { EmbedClient } from './clients/embed-client.js';
import { RerankClient } from './clients/rerank-client.js';
import { EmbedWorker } from './embedding/worker.js';
import { DiskAnnVectorIndex } from './vector/diskann-index.js';
import { ExactVectorIndex } from './vector/exact-index.js';
import { ensureDir, loadSnapshot, snapshotPath } from './vector/snapshots.js';
import { IndexSync } from './vector/sync.js';
import type { VectorIndex } from './vector/types.js';
import { createLimiterRedis } from './plugins/rate-limit.js';

export interface RuntimeOptions {
  /** Vector index implementation; defaults to VECTOR_INDEX (DiskANN unless configured otherwise). */
  createIndex?: (dims: number) => VectorIndex;
  dims?: number;
  /** Log destination (default stdout). */
  logStream?: ServiceAppOptions['logStream'];
}

/**
 * What every Redis key of this deployment starts with: CACHE_KEY_PREFIX (if set) and the database
 * identity. Tenant ids start at 1 in every database, so without the identity two deployments
 * sharing a Redis would read each other's cached pages and spend each other's quotas.
 */
export function redisKeyPrefix(configured: string | undefined, databaseId: string): string {
  return `${configured ? `${configured}:` : ''}db:${databaseId}:`;
}

const silentLog = { info: () => undefined, warn: () => undefined };

export async function createRuntime(config: SearchConfig, opts: RuntimeOptions = {}) {
  const pool = createPool(config.DATABASE_URL, {
    max: config.PG_POOL_MAX,
    connectionTimeoutMillis: config.PG_CONNECTION_TIMEOUT_MS,
    statementTimeoutMs: config.PG_STATEMENT_TIMEOUT_MS,
    applicationName: 'hh-search',
  });
  // This database's identity tags what is derived from it: snapshots (one taken from another
  // database with the same schema and model must never be loaded) and every Redis key.
  const { rows: idRows } = await pool.query<{ database_id: string }>('SELECT database_id FROM hh_instance');
  const databaseId = idRows[0]?.database_id;
  if (!databaseId) throw new Error('hh_instance has no row: run the migrations on this database');
  const snapshotTag = `${config.EMBED_MODEL}|db:${databaseId}`;
  const keyPrefix = redisKeyPrefix(config.CACHE_KEY_PREFIX, databaseId);
  const cache = createCache({
    ...(config.REDIS_URL ? { redisUrl: config.REDIS_URL, keyPrefix } : {}),
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    maxEntries: config.CACHE_MAX_ENTRIES,
  });
  const embed = new EmbedClient(config.EMBED_URL, config.EMBED_MODEL);
  const rerank = new RerankClient(config.RERANK_URL);
  const dims = opts.dims ?? 768;
  // A valid snapshot saves the rebuild: resume the change log after the seq it reflects.
  const snapshot =
    !opts.createIndex && config.VECTOR_INDEX === 'diskann' && config.INDEX_SNAPSHOT_DIR
      ? await loadSnapshot(pool, config.INDEX_SNAPSHOT_DIR, { dims, modelId: snapshotTag }, silentLog)
      : undefined;
  const index: VectorIndex =
    snapshot?.index ??
    (opts.createIndex ?? ((d) => (config.VECTOR_INDEX === 'exact' ? new ExactVectorIndex(d) : DiskAnnVectorIndex.create(d))))(dims);
  const sync = new IndexSync({
    pool,
    databaseUrl: config.DATABASE_URL,
    index,
    model: config.EMBED_MODEL,
    pollMs: config.INDEX_POLL_MS,
    ...(snapshot ? { fromSeq: snapshot.lastSeq } : {}),
  });
  const lookup = createSpecialtyLookup(pool);
  const rateLimitRedis =
    config.REDIS_URL && config.SEARCH_RATE_LIMIT_PER_MINUTE > 0 ? createLimiterRedis(config.REDIS_URL, config.REDIS_COMMAND_TIMEOUT_MS) : undefined;

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
    ...(rateLimitRedis ? { rateLimitRedis } : {}),
    redisKeyPrefix: keyPrefix,
    ...(opts.logStream ? { logStream: opts.logStream } : {}),
  });
  // Metrics live on the app's registry, so the worker is created after the app.
  instrumentCache(cache, app.metrics.registry);
  sync.setLog(app.log);
  app.metrics.gauge('hh_search_vector_index_tombstones', 'Deleted vectors not yet consolidated', [], function () {
    this.set(index.stats().tombstones);
  });
  app.metrics.gauge('hh_search_vector_distance_computations_total', 'Distance computations by the vector index (divide by queries for a per-query figure)', [], function () {
    this.set(index.stats().distanceComputations);
  });
  app.metrics.gauge('hh_search_vector_queries_total', 'Queries answered by the vector index', [], function () {
    this.set(index.stats().queries);
  });
  app.metrics.gauge('hh_search_vector_index_ready', '1 once the vector index is loaded and caught up with the change log', [], function () {
    this.set(sync.ready ? 1 : 0);
  });
  const embedJobs = app.metrics.counter('hh_search_embedding_jobs_total', 'Outbox rows embedded');
  const embedErrors = app.metrics.counter('hh_search_embedding_failures_total', 'Outbox batches that failed and will be retried');
  const worker: EmbedWorker = new EmbedWorker({
    pool,
    embed,
    batchSize: config.EMBED_WORKER_BATCH,
    concurrency: config.EMBED_WORKER_CONCURRENCY,
    pollMs: config.EMBED_WORKER_POLL_MS,
    log: app.log,
    onBatch: (n) => embedJobs.inc(n),
    onError: () => embedErrors.inc(),
  });

  const snapshotDir = config.VECTOR_INDEX === 'diskann' ? config.INDEX_SNAPSHOT_DIR : undefined;
  let snapshotTimer: NodeJS.Timeout | undefined;
  async function saveSnapshot(): Promise<void> {
    if (!snapshotDir || !index.save || !sync.ready) return;
    ensureDir(snapshotDir);
    const t0 = performance.now();
    await sync.exclusive(() => index.save!(snapshotPath(snapshotDir), { modelId: snapshotTag, lastSeq: sync.lastSeq }));
    app.log.info({ ms: Math.round(performance.now() - t0), lastSeq: sync.lastSeq }, 'vector index snapshot saved');
  }

  let started = false;
  return {
    app,
    pool,
    cache,
    index,
    sync,
    worker,
    saveSnapshot,
    /** Load the vector index (snapshot + change log, or a rebuild) and start background work. */
    async start() {
      started = true;
      if (config.EMBED_WORKER_ENABLED) worker.start();
      // The taxonomy's in-memory alias index loads alongside the vector index.
      await Promise.all([sync.start(), lookup.warm().catch((err: unknown) => app.log.warn({ err }, 'taxonomy index load failed; lookups use SQL'))]);
      if (snapshotDir) {
        if (!snapshot) await saveSnapshot().catch((err: unknown) => app.log.warn({ err }, 'snapshot failed'));
        snapshotTimer = setInterval(() => {
          saveSnapshot().catch((err: unknown) => app.log.warn({ err }, 'snapshot failed'));
        }, config.INDEX_SNAPSHOT_INTERVAL_MS);
        snapshotTimer.unref();
      }
    },
    /** Stop background work and release clients (after the HTTP server has closed). */
    async stopBackground() {
      if (snapshotTimer) clearInterval(snapshotTimer);
      if (started) {
        await worker.stop();
        await sync.stop();
        await saveSnapshot().catch(() => undefined);
      }
      await Promise.allSettled([embed.close(), rerank.close(), cache.close(), index.close(), rateLimitRedis?.disconnect()]);
      await pool.end();
    },
    async close() {
      await app.close();
      await this.stopBackground();
    },
  };
}
export type Runtime = Awaited<ReturnType<typeof createRuntime>>;
