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
import { createOutboxRepository, type OutboxStats } from './embedding/outbox-repository.js';
import { OutboxReconciler } from './embedding/reconciler.js';
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
}

const silentLog = { info: () => undefined, warn: () => undefined };

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
  const dims = opts.dims ?? 768;
  // Snapshots are tagged with the model and this database's identity: a snapshot taken from
  // another database (same schema, same model) must never be loaded.
  const { rows: idRows } = await pool.query<{ database_id: string }>('SELECT database_id FROM hh_instance');
  const snapshotTag = `${config.EMBED_MODEL}|db:${idRows[0]?.database_id ?? 'unknown'}`;
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
  const embedJobs = app.metrics.counter('hh_search_embedding_jobs_total', 'Outbox rows embedded and completed');
  const embedErrors = app.metrics.counter('hh_search_embedding_failures_total', 'Outbox batches that failed and will be retried');
  const embedSuperseded = app.metrics.counter(
    'hh_search_embedding_superseded_total',
    'Embedded rows not stored because the candidate changed meanwhile (its new content stays queued)',
  );
  const repairs = app.metrics.counter(
    'hh_search_embedding_reconciler_repairs_total',
    'Candidates the reconciler re-queued: embedding missing, of another model, or out of date, with no outbox row',
    ['reason'],
  );
  // One query feeds both outbox gauges: the collectors of one scrape share the query in flight.
  const outbox = createOutboxRepository(pool);
  let outboxStats: Promise<OutboxStats> | undefined;
  const readOutboxStats = (): Promise<OutboxStats> =>
    (outboxStats ??= outbox.stats().finally(() => {
      outboxStats = undefined;
    }));
  app.metrics.gauge('hh_search_embedding_outbox_rows', 'Candidates queued for embedding, by state', ['state'], async function () {
    const s = await readOutboxStats().catch(() => undefined);
    if (!s) return; // database unreachable: keep the last values
    this.set({ state: 'ready' }, s.ready);
    this.set({ state: 'waiting' }, s.rows - s.ready);
  });
  app.metrics.gauge(
    'hh_search_embedding_outbox_oldest_age_seconds',
    'Seconds since the oldest queued candidate went out of date (0 when the outbox is empty)',
    [],
    async function () {
      const s = await readOutboxStats().catch(() => undefined);
      if (s) this.set(s.oldestAgeSeconds);
    },
  );
  const worker: EmbedWorker = new EmbedWorker({
    pool,
    embed,
    batchSize: config.EMBED_WORKER_BATCH,
    concurrency: config.EMBED_WORKER_CONCURRENCY,
    pollMs: config.EMBED_WORKER_POLL_MS,
    leaseMs: config.EMBED_WORKER_LEASE_MS,
    log: app.log,
    onBatch: (r) => {
      embedJobs.inc(r.done.length);
      embedSuperseded.inc(r.superseded.length);
    },
    onError: () => embedErrors.inc(),
  });
  const reconciler = new OutboxReconciler({
    pool,
    model: config.EMBED_MODEL,
    intervalMs: config.EMBED_RECONCILE_INTERVAL_MS,
    log: app.log,
    onRepaired: (counts) => {
      for (const [reason, n] of Object.entries(counts)) if (n > 0) repairs.inc({ reason }, n);
      worker.notify();
    },
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
    reconciler,
    saveSnapshot,
    /** Load the vector index (snapshot + change log, or a rebuild) and start background work. */
    async start() {
      started = true;
      if (config.EMBED_WORKER_ENABLED) {
        worker.start();
        reconciler.start();
      }
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
        await reconciler.stop();
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
