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
import type { ServiceAppOptions } from '@hh/service-kit';
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
import { createChangeLogRepository } from './index/change-log.js';
import { ensureDir, loadAttributesSnapshot, loadLexicalSnapshot, loadDocumentsSnapshot, loadSnapshot, replicaIdFile } from './index/snapshots.js';
import { AttributeStore } from './index/attributes/store.js';
import { LexicalSink } from './index/lexical-sink.js';
import { createSecretRepository } from './secrets/repository.js';
import { ChangeLogConsumer } from './index/consumer.js';
import { DocumentStore } from './index/documents.js';
import { createCandidateReader } from './index/records.js';
import type { IndexSink } from './index/sink.js';
import { VectorSink } from './index/vector-sink.js';
import type { VectorIndex } from './vector/types.js';
import { createLimiterRedis } from './plugins/rate-limit.js';
import { Backlog } from './embedding/backlog.js';
import { WorkTracker } from './work-tracker.js';

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

/**
 * Log lines written before the app (and so its logger) exists — the snapshot load runs first — kept
 * and replayed into the app's logger once it is built, so a rejected snapshot is never silent.
 */
function earlyLog() {
  const lines: { level: 'info' | 'warn'; obj: object; msg: string }[] = [];
  return {
    info: (obj: object, msg: string) => void lines.push({ level: 'info', obj, msg }),
    warn: (obj: object, msg: string) => void lines.push({ level: 'warn', obj, msg }),
    flushTo(log: { info(o: object, m: string): void; warn(o: object, m: string): void }) {
      for (const l of lines.splice(0)) log[l.level](l.obj, l.msg);
    },
  };
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
    maxBytes: config.CACHE_MAX_BYTES,
  });
  const serviceAuth = { serviceAuthSecret: config.SERVICE_AUTH_SECRET };
  const embed = new EmbedClient(config.EMBED_URL, config.EMBED_MODEL, serviceAuth);
  const rerank = new RerankClient(config.RERANK_URL, serviceAuth);
  const dims = opts.dims ?? 768;
  const early = earlyLog();
  const snapshotDir = config.INDEX_SNAPSHOT_DIR;
  // A valid snapshot saves the rebuild: resume the change log after the seq it reflects.
  const snapshot =
    !opts.createIndex && config.VECTOR_INDEX === 'diskann' && snapshotDir ? await loadSnapshot(pool, snapshotDir, { dims, modelId: snapshotTag }, early) : undefined;
  const index: VectorIndex =
    snapshot?.index ??
    (opts.createIndex ?? ((d) => (config.VECTOR_INDEX === 'exact' ? new ExactVectorIndex(d) : DiskAnnVectorIndex.create(d))))(dims);
  const vectorSink = new VectorSink(index);
  const docsSnapshot = snapshotDir
    ? await loadDocumentsSnapshot(pool, snapshotDir, { tag: snapshotTag, excerptChars: config.DOCUMENT_EXCERPT_CHARS }, early)
    : undefined;
  const documents = docsSnapshot?.store ?? new DocumentStore(config.DOCUMENT_EXCERPT_CHARS);
  const attrsSnapshot = snapshotDir ? await loadAttributesSnapshot(pool, snapshotDir, { tag: snapshotTag }, early) : undefined;
  const attributes = attrsSnapshot?.store ?? new AttributeStore();
  // LEXICAL_INDEX=postgres: no in-memory lexical index at all (the full-text branch stays in SQL).
  const lexicalEnabled = config.LEXICAL_INDEX === 'memory';
  const lexSnapshot = snapshotDir && lexicalEnabled ? await loadLexicalSnapshot(pool, snapshotDir, { tag: snapshotTag }, early) : undefined;
  const lexical = lexicalEnabled ? (lexSnapshot?.store ?? new LexicalSink()) : undefined;
  const sync = new ChangeLogConsumer({
    pool,
    databaseUrl: config.DATABASE_URL,
    reader: createCandidateReader(pool, { model: config.EMBED_MODEL, dims }),
    sinks: [
      { sink: vectorSink, ...(snapshot ? { lastSeq: snapshot.lastSeq } : {}) },
      { sink: documents, ...(docsSnapshot ? { lastSeq: docsSnapshot.lastSeq } : {}) },
      { sink: attributes, ...(attrsSnapshot ? { lastSeq: attrsSnapshot.lastSeq } : {}) },
      ...(lexical ? [{ sink: lexical, ...(lexSnapshot ? { lastSeq: lexSnapshot.lastSeq } : {}) }] : []),
    ],
    pollMs: config.INDEX_POLL_MS,
    // Applied changes shrink the backlog searches report: recount soon rather than at the next tick.
    onApplied: (_seq, _count, ms) => {
      if (ms !== undefined) ingestStage.observe({ stage: 'index' }, ms / 1000);
      backlog.poke();
    },
  });
  const changeLog = createChangeLogRepository(pool);
  // Stable across restarts when snapshots are kept, so a restart updates its own replica row.
  const replicaId = snapshotDir ? replicaIdFile(snapshotDir) : randomUUID();
  // Cursors must verify on every replica: a configured secret, else one shared through Postgres.
  const cursorSecret = config.CURSOR_SECRET ? Buffer.from(config.CURSOR_SECRET, 'utf8') : await createSecretRepository(pool).getOrCreate('cursor');
  const lookup = createSpecialtyLookup(pool);
  const writes = new WorkTracker();
  const backlog = new Backlog({
    pool,
    intervalMs: Math.max(1_000, config.INDEX_POLL_MS),
    appliedSeq: () => sync.lastSeq,
    log: { warn: (obj, msg) => app.log.warn(obj, msg) },
  });
  const rateLimitRedis =
    config.REDIS_URL && config.SEARCH_RATE_LIMIT_PER_MINUTE > 0 ? createLimiterRedis(config.REDIS_URL, config.REDIS_COMMAND_TIMEOUT_MS) : undefined;

  const app = buildApp({
    config,
    pool,
    cache,
    embed,
    rerank,
    index,
    indexStatus: () => ({
      ready: sync.ready,
      lagSeconds: sync.lagSeconds,
      lastSeq: sync.lastSeq,
      structures: Object.fromEntries(sync.sinks.map((s) => [s.name, { ready: sync.ready, bytes: sumBytes(s) }])),
    }),
    // Page and rerank fields from memory once the documents are loaded; before that, one query.
    documents: (tenantId, ids) => (sync.ready ? documents.get(tenantId, ids) : undefined),
    attributes: () => (sync.ready ? attributes : undefined),
    ...(lexical ? { lexical } : {}),
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
    onQueued: () => {
      worker.notify();
      backlog.poke();
    },
    writes,
    pending: (t) => backlog.of(t),
    pendingTotal: () => backlog.total(),
    ...(rateLimitRedis ? { rateLimitRedis } : {}),
    redisKeyPrefix: keyPrefix,
    ...(opts.logStream ? { logStream: opts.logStream } : {}),
  });
  // Metrics live on the app's registry, so the worker is created after the app.
  instrumentCache(cache, app.metrics.registry);
  sync.setLog(app.log);
  early.flushTo(app.log);
  embed.setLog(app.log);
  rerank.setLog(app.log);
  if (!config.SERVICE_AUTH_SECRET) app.log.warn('SERVICE_AUTH_SECRET is not set: calls to hh-embed and hh-rerank carry no service token');
  app.metrics.gauge('hh_search_index_bytes', 'Memory held by the in-memory search structures, by structure', ['structure'], function () {
    for (const sink of sync.sinks) for (const [structure, bytes] of Object.entries(sink.bytes())) this.set({ structure }, bytes);
  });
  app.metrics.gauge('hh_search_index_documents', 'Candidates held by each in-memory structure', ['structure'], function () {
    this.set({ structure: 'vector' }, index.size());
    this.set({ structure: 'documents' }, documents.size);
    this.set({ structure: 'attributes' }, attributes.size);
    if (lexical) this.set({ structure: 'lexical' }, lexical.size);
  });
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
  // Where ingest time goes (scripts/bench-ingest.mjs reads it): the outbox worker's claim, hh-embed
  // call and apply per batch, and the change-log consumer's read + apply per batch of rows.
  const ingestStage = app.metrics.histogram('hh_search_ingest_stage_seconds', 'Duration of one batch of each background ingest step', ['stage']);
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
    onBatch: (r, _ms, steps) => {
      for (const [stage, ms] of Object.entries(steps)) ingestStage.observe({ stage }, ms / 1000);
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

  let snapshotTimer: NodeJS.Timeout | undefined;
  /** The change-log seq the snapshots on disk reflect (a save with nothing new is skipped). */
  const restoredSeqs = [snapshot?.lastSeq, docsSnapshot?.lastSeq, attrsSnapshot?.lastSeq, ...(lexical ? [lexSnapshot?.lastSeq] : [])];
  let savedSeq = restoredSeqs.every((s) => s !== undefined && s === restoredSeqs[0]) ? restoredSeqs[0] : undefined;
  /** Every structure's snapshot, at one change-log seq (nothing is applied meanwhile). */
  async function saveSnapshot(): Promise<void> {
    if (!snapshotDir || !sync.ready) return;
    if (savedSeq === sync.lastSeq) return;
    ensureDir(snapshotDir);
    const t0 = performance.now();
    let seq = 0;
    await sync.exclusive(async () => {
      seq = sync.lastSeq;
      for (const sink of sync.sinks) await sink.save?.(snapshotDir, { tag: snapshotTag, lastSeq: seq });
    });
    savedSeq = seq;
    app.log.info({ dir: snapshotDir, ms: Math.round(performance.now() - t0), lastSeq: seq, vectors: index.size(), documents: documents.size }, 'index snapshots saved');
    // From now on a restart needs only the change-log rows after this snapshot.
    await heartbeat(seq);
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
    backlog,
    reconciler,
    saveSnapshot,
    replicaId,
    /** Record this replica's change-log position now (also done every minute and after each snapshot). */
    heartbeat: () => heartbeat(),
    /** Load the vector index (snapshot + change log, or a rebuild) and start background work. */
    async start() {
      started = true;
      await claimReplayRange();
      if (config.EMBED_WORKER_ENABLED) {
        worker.start();
        reconciler.start();
      }
      backlog.start();
      // The taxonomy's in-memory alias index loads alongside the vector index.
      await Promise.all([sync.start(), lookup.warm().catch((err: unknown) => app.log.warn({ err }, 'taxonomy index load failed; lookups use SQL'))]);
      if (snapshotDir) {
        if (!snapshot) await saveSnapshot().catch((err: unknown) => app.log.error({ err }, 'index snapshot failed'));
        snapshotTimer = setInterval(() => {
          saveSnapshot().catch((err: unknown) => app.log.error({ err }, 'index snapshot failed; the next one is tried at the next interval'));
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
    /**
     * Stop background work and release clients, after the HTTP server has closed: writes still
     * running in handlers finish, the outbox worker and the change-log consumer stop, the final
     * snapshot is written (so the next start replays nothing), then clients and the pool close.
     * Rejects, after releasing everything, when the final snapshot could not be written.
     */
    async stopBackground() {
      if (snapshotTimer) clearInterval(snapshotTimer);
      if (heartbeatTimer) clearInterval(heartbeatTimer);
      if (pruneTimer) clearInterval(pruneTimer);
      if (!(await writes.idle(config.SHUTDOWN_GRACE_MS))) {
        app.log.warn({ inFlight: writes.size }, 'writes still running after the grace period; closing anyway');
      }
      let snapshotError: unknown;
      if (started) {
        await reconciler.stop();
        await worker.stop();
        await backlog.stop();
        // Apply what was committed up to now (the worker's last batch included), so the final
        // snapshot reflects it and the next start has nothing of ours to replay.
        await sync.exclusive(() => sync.catchUp()).catch((err: unknown) => app.log.warn({ err }, 'final change-log catch-up failed'));
        await sync.stop();
        try {
          await saveSnapshot();
        } catch (err) {
          snapshotError = err;
          app.log.error({ err, lastSeq: sync.lastSeq }, 'final index snapshot failed; the next start replays the change log from the previous snapshot');
        }
      }
      await Promise.allSettled([embed.close(), rerank.close(), cache.close(), index.close(), rateLimitRedis?.disconnect()]);
      await pool.end();
      if (snapshotError) throw new Error('final index snapshot failed', { cause: snapshotError });
    },
    async close() {
      await app.close();
      await this.stopBackground();
    },
  };
}
export type Runtime = Awaited<ReturnType<typeof createRuntime>>;

/** A sink's memory, all structures together. */
function sumBytes(sink: IndexSink): number {
  return Object.values(sink.bytes()).reduce((a, b) => a + b, 0);
}
