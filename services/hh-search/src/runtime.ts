/**
 * Assembles hh-search from configuration: Postgres pool, cache (Redis or in-process), hh-embed
 * and hh-rerank clients, the vector index with its change-log sync, the embedding outbox worker
 * and the taxonomy lookup. `start()` loads the index and starts background work; `close()`
 * stops everything in reverse order. server.ts and the end-to-end tests both use this.
 *
 * Each replica also records in Postgres what it still needs from the change log (heartbeat,
 * applied and snapshot seqs) and periodically tries to prune the log (one pruner fleet-wide).
 */
import { randomUUID } from 'node:crypto';
import { createCache, instrumentCache } from '@hh/cache';
import type { SearchConfig } from '@hh/config';
import { createPool } from '@hh/db';
import { createSpecialtyLookup, occupationsForTitles } from '@hh/taxonomy';
import { buildApp } from './app.js';
import { EmbedClient } from './clients/embed-client.js';
import { RerankClient } from './clients/rerank-client.js';
import { EmbedWorker } from './embedding/worker.js';
import { DiskAnnVectorIndex } from './vector/diskann-index.js';
import { ExactVectorIndex } from './vector/exact-index.js';
import { createChangeLogRepository } from './vector/change-log.js';
import { ensureDir, loadSnapshot, replicaIdFile, snapshotPath } from './vector/snapshots.js';
import { createSecretRepository } from './secrets/repository.js';
import { IndexSync } from './vector/sync.js';
import type { VectorIndex } from './vector/types.js';
import { createLimiterRedis } from './plugins/rate-limit.js';

export interface RuntimeOptions {
  /** Vector index implementation; defaults to VECTOR_INDEX (DiskANN unless configured otherwise). */
  createIndex?: (dims: number) => VectorIndex;
  dims?: number;
}

/** How often a replica records its change-log position (pruning forgets replicas silent for the retention period). */
const REPLICA_HEARTBEAT_MS = 60_000;

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
    maxBytes: config.CACHE_MAX_BYTES,
  });
  const embed = new EmbedClient(config.EMBED_URL, config.EMBED_MODEL);
  const rerank = new RerankClient(config.RERANK_URL);
  const dims = opts.dims ?? 768;
  // Snapshots are tagged with the model and this database's identity: a snapshot taken from
  // another database (same schema, same model) must never be loaded.
  const { rows: idRows } = await pool.query<{ database_id: string }>('SELECT database_id FROM hh_instance');
  const snapshotTag = `${config.EMBED_MODEL}|db:${idRows[0]?.database_id ?? 'unknown'}`;
  // The logger comes with the app, built after the index is chosen: keep what loading the
  // snapshot reports (e.g. why one was rejected) and log it once the app exists.
  const startupNotes: { level: 'info' | 'warn'; obj: object; msg: string }[] = [];
  const noteLog = {
    info: (obj: object, msg: string) => void startupNotes.push({ level: 'info', obj, msg }),
    warn: (obj: object, msg: string) => void startupNotes.push({ level: 'warn', obj, msg }),
  };
  // A valid snapshot saves the rebuild: resume the change log after the seq it reflects.
  const snapshot =
    !opts.createIndex && config.VECTOR_INDEX === 'diskann' && config.INDEX_SNAPSHOT_DIR
      ? await loadSnapshot(pool, config.INDEX_SNAPSHOT_DIR, { dims, modelId: snapshotTag }, noteLog)
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
  const changeLog = createChangeLogRepository(pool);
  // Stable across restarts when snapshots are kept, so a restart updates its own replica row.
  const replicaId = config.VECTOR_INDEX === 'diskann' && config.INDEX_SNAPSHOT_DIR ? replicaIdFile(config.INDEX_SNAPSHOT_DIR) : randomUUID();
  // Cursors must verify on every replica: a configured secret, else one shared through Postgres.
  const cursorSecret = config.CURSOR_SECRET ? Buffer.from(config.CURSOR_SECRET, 'utf8') : await createSecretRepository(pool).getOrCreate('cursor');
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
    tenantVersion: async (tenantId) => {
      if (sync.ready) return sync.tenantSeq.get(tenantId) ?? 0;
      // Loading or catching up: this replica's own versions may trail the data, so use the
      // durable head. Such a replica only reads pages that caught-up replicas cached at that
      // version; its own lists are degraded (vector_index_warming) and never cached.
      try {
        return await changeLog.tenantHead(tenantId);
      } catch {
        return undefined; // Postgres unreachable: no way to tell, so no page cache
      }
    },
    cursorSecret,
    specialty: async (text) =>
      (await lookup.lookup(text, { limit: 10 })).map((m) => ({ occupationId: m.occupationId, title: m.title, confidence: m.confidence })),
    occupations: (client, titles, langs) => occupationsForTitles(client, titles, langs),
    onQueued: () => worker.notify(),
    ...(rateLimitRedis ? { rateLimitRedis } : {}),
  });
  // Metrics live on the app's registry, so the worker is created after the app.
  instrumentCache(cache, app.metrics.registry);
  sync.setLog(app.log);
  for (const n of startupNotes) app.log[n.level](n.obj, n.msg);
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
    const savedSeq = await sync.exclusive(async () => {
      await index.save!(snapshotPath(snapshotDir), { modelId: snapshotTag, lastSeq: sync.lastSeq });
      return sync.lastSeq;
    });
    app.log.info({ ms: Math.round(performance.now() - t0), lastSeq: savedSeq }, 'vector index snapshot saved');
    // From now on a restart needs only the change-log rows after this snapshot.
    await heartbeat(savedSeq);
  }

  async function heartbeat(snapshotSeq?: number): Promise<void> {
    await changeLog.heartbeat(replicaId, sync.lastSeq, snapshotSeq).catch((err: unknown) => app.log.warn({ err }, 'replica heartbeat failed'));
  }

  /**
   * Before loading, claim the rows this replica is about to replay so a concurrent prune keeps
   * them: those after its snapshot, or — for a load from Postgres, which reads its start position
   * after this — those after the current head.
   */
  async function claimReplayRange(): Promise<void> {
    try {
      await changeLog.heartbeat(replicaId, snapshot?.lastSeq ?? (await changeLog.head()), snapshot?.lastSeq);
    } catch (err) {
      app.log.warn({ err }, 'replica heartbeat failed');
    }
  }

  async function pruneChangeLog(): Promise<void> {
    const r = await changeLog.prune(config.CHANGE_LOG_RETENTION_HOURS);
    if (r.deleted > 0 || r.forgottenReplicas > 0) app.log.info({ ...r }, 'change log pruned');
  }
  let heartbeatTimer: NodeJS.Timeout | undefined;
  let pruneTimer: NodeJS.Timeout | undefined;

  let started = false;
  return {
    app,
    pool,
    cache,
    index,
    sync,
    worker,
    saveSnapshot,
    replicaId,
    /** Record this replica's change-log position now (also done every minute and after each snapshot). */
    heartbeat: () => heartbeat(),
    /** Load the vector index (snapshot + change log, or a rebuild) and start background work. */
    async start() {
      started = true;
      await claimReplayRange();
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
      await heartbeat();
      heartbeatTimer = setInterval(() => void heartbeat(), REPLICA_HEARTBEAT_MS);
      heartbeatTimer.unref();
      if (config.CHANGE_LOG_PRUNE_INTERVAL_MS > 0) {
        pruneTimer = setInterval(() => {
          pruneChangeLog().catch((err: unknown) => app.log.warn({ err }, 'change-log pruning failed'));
        }, config.CHANGE_LOG_PRUNE_INTERVAL_MS);
        pruneTimer.unref();
      }
    },
    /** Stop background work and release clients (after the HTTP server has closed). */
    async stopBackground() {
      if (snapshotTimer) clearInterval(snapshotTimer);
      if (heartbeatTimer) clearInterval(heartbeatTimer);
      if (pruneTimer) clearInterval(pruneTimer);
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
