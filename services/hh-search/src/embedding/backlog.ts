/**
 * Ingestion backlog per tenant: candidates stored but not yet embedded (outbox rows) and change-log
 * rows this replica has not applied to its index yet. A search reports them (`pending`, and the
 * `embeddings_pending` / `index_pending` degraded codes) so that a short or empty answer during a
 * bulk load never looks like "no candidates match"; readiness reports the totals.
 *
 * Counts come from one grouped query on a timer (and soon after a write), not per search: a search
 * never waits on Postgres for them, and they lag by at most one interval.
 */
import type pg from 'pg';

export interface Pending {
  embeddings: number;
  indexing: number;
}

const NONE: Pending = Object.freeze({ embeddings: 0, indexing: 0 });

export class Backlog {
  private byTenant = new Map<number, Pending>();
  private totals: Pending = NONE;
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly opts: {
      pool: pg.Pool;
      intervalMs: number;
      /** Highest change-log seq this replica's index has applied. */
      appliedSeq: () => number;
      log?: { warn(obj: object, msg: string): void };
    },
  ) {}

  start(): void {
    if (this.timer || this.stopped) return;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.opts.intervalMs);
    this.timer.unref();
  }

  /** A write just queued work: recount shortly (coalesced), instead of waiting for the timer. */
  poke(): void {
    if (this.soon || this.stopped || !this.timer) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      void this.refresh();
    }, 100);
    this.soon.unref();
  }

  of(tenantId: number): Pending {
    return this.byTenant.get(tenantId) ?? NONE;
  }

  total(): Pending {
    return this.totals;
  }

  /** Recount now; concurrent calls share one query. Never throws (a failed count keeps the last one). */
  refresh(): Promise<void> {
    this.running ??= this.count()
      .catch((err: unknown) => this.opts.log?.warn({ err: (err as Error).message }, 'could not count the ingestion backlog'))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  private async count(): Promise<void> {
    const { rows } = await this.opts.pool.query<{ tenant_id: number; embeddings: number; indexing: number }>(
      `SELECT tenant_id, sum(e)::int AS embeddings, sum(i)::int AS indexing
         FROM (SELECT tenant_id, 1 AS e, 0 AS i FROM embedding_outbox
               UNION ALL
               SELECT tenant_id, 0, 1 FROM change_log WHERE seq > $1) AS work
        GROUP BY tenant_id`,
      [this.opts.appliedSeq()],
    );
    const next = new Map<number, Pending>();
    const totals = { embeddings: 0, indexing: 0 };
    for (const r of rows) {
      next.set(r.tenant_id, { embeddings: r.embeddings, indexing: r.indexing });
      totals.embeddings += r.embeddings;
      totals.indexing += r.indexing;
    }
    this.byTenant = next;
    this.totals = totals;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearTimeout(this.soon);
    await this.running;
  }
}
