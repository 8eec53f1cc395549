/**
 * Outbox reconciler: the backstop that keeps a lost update from staying lost. Every interval, one
 * replica at a time (a session advisory lock, tried without waiting) walks the candidates in id
 * chunks and queues an outbox row for each one whose stored embedding is missing, of a model other
 * than EMBED_MODEL, or of other content than `candidates.embed_hash`, and that has no outbox row.
 *
 * Writers and the worker keep "out of date ⇒ queued" in every committed state, so in normal
 * operation a pass finds nothing; a repair means a row was lost (a bug, a manual delete, a restore
 * of one table without the other) or EMBED_MODEL changed, and is counted and logged.
 */
import type pg from 'pg';
import { createOutboxRepository, RECONCILER_LOCK_KEY, type OutboxRepository, type RepairReason } from './outbox-repository.js';

export interface ReconcilerOptions {
  pool: pg.Pool;
  /** EMBED_MODEL: embeddings of any other model are re-queued. */
  model: string;
  intervalMs: number;
  /** Candidates examined per statement (each chunk is one short statement). */
  chunk?: number;
  log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  onRepaired?: (counts: Record<RepairReason, number>) => void;
}

export interface ReconcileResult {
  scanned: number;
  repaired: number;
  byReason: Record<RepairReason, number>;
}

export class OutboxReconciler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;
  private readonly outbox: OutboxRepository;

  constructor(private readonly opts: ReconcilerOptions) {
    this.outbox = createOutboxRepository(opts.pool);
  }

  /** First pass right away (a restart repairs at once), then every interval. */
  start(): void {
    if (this.timer) return;
    this.stopped = false;
    const tick = () => {
      if (this.stopped || this.running) return;
      this.running = this.runOnce()
        .catch((err: unknown) => this.opts.log?.warn({ err: (err as Error).message }, 'outbox reconciliation failed; will retry'))
        .finally(() => {
          this.running = undefined;
        });
    };
    this.timer = setInterval(tick, this.opts.intervalMs);
    this.timer.unref();
    tick();
  }

  /**
   * One full pass. Returns null when another replica holds the reconciler lock (it is doing the
   * pass). A chunk that fails (e.g. a candidate deleted under it) is logged and skipped; the next
   * pass covers it again.
   */
  async runOnce(): Promise<ReconcileResult | null> {
    const client = await this.opts.pool.connect();
    let locked = false;
    try {
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [RECONCILER_LOCK_KEY]);
      locked = rows[0]?.ok === true;
      if (!locked) return null;
      const byReason: Record<RepairReason, number> = { missing: 0, model: 0, stale: 0 };
      let scanned = 0;
      let afterId = 0;
      const limit = this.opts.chunk ?? 5_000;
      while (!this.stopped) {
        let chunk;
        try {
          chunk = await this.outbox.queueMissing({ model: this.opts.model, afterId, limit }, client);
        } catch (err) {
          // Skip this range rather than stall the pass on it; it is looked at again next time.
          this.opts.log?.warn({ err: (err as Error).message, afterId }, 'outbox reconciliation chunk failed; skipped');
          const next = await this.outbox.chunkEnd(afterId, limit, client);
          if (next === null) break;
          afterId = next;
          continue;
        }
        scanned += chunk.scanned;
        for (const r of chunk.repaired) byReason[r.reason]++;
        if (chunk.lastId === null || chunk.scanned < limit) break;
        afterId = chunk.lastId;
        await new Promise((r) => setImmediate(r));
      }
      const repaired = byReason.missing + byReason.model + byReason.stale;
      if (repaired > 0) {
        this.opts.onRepaired?.(byReason);
        this.opts.log?.warn({ ...byReason, scanned }, 'outbox reconciliation re-queued candidates whose embedding was missing or out of date');
      }
      return { scanned, repaired, byReason };
    } finally {
      // A session lock outlives the statement: if it cannot be released, drop the connection
      // (which releases it) rather than return a lock holder to the pool.
      let unlockFailed = false;
      if (locked) await client.query('SELECT pg_advisory_unlock($1)', [RECONCILER_LOCK_KEY]).catch(() => (unlockFailed = true));
      client.release(unlockFailed);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
