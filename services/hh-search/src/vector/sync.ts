/**
 * Keeps a VectorIndex equal to Postgres: a full load of the stored embeddings of the configured
 * model, then tailing the change log (LISTEN/NOTIFY wakes us, `seq` is the record, a poll is the
 * backstop). Applying a change re-reads the candidate's current embedding, so replays are
 * idempotent and order-safe.
 *
 * It also keeps each tenant's data version (the seq of the tenant's latest change, which keys
 * the tenant's cached search pages): loaded from the durable per-tenant heads before anything
 * else, then raised as changes are applied. If the log was pruned past this replica's position
 * (it was gone longer than the retention period), the index is reconciled with Postgres rather
 * than silently missing the pruned changes.
 */
import pg from 'pg';
import { createChangeLogRepository, type ChangeLogRepository } from './change-log.js';
import type { VectorIndex, VectorRow } from './types.js';

export interface IndexSyncOptions {
  pool: pg.Pool;
  databaseUrl: string;
  index: VectorIndex;
  model: string;
  pollMs: number;
  /** Resume after this seq (e.g. from a snapshot); undefined → full load from Postgres. */
  fromSeq?: number;
  log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  onApplied?: (seq: number, count: number) => void;
}

function toVector(buf: Buffer, dims: number): Float32Array {
  // Copy: Buffer memory may be pooled and unaligned for a Float32Array view.
  const out = new Float32Array(dims);
  for (let i = 0; i < dims; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}

export class IndexSync {
  lastSeq = 0;
  /** Seconds between the newest change-log row and the last applied one (0 when caught up). */
  private behindSeconds = 0;
  private lastCaughtUpAt = Date.now();
  /**
   * Data version per tenant: its durable head when the index started, raised to each applied
   * change of the tenant. Versions each tenant's cached search pages.
   */
  readonly tenantSeq = new Map<number, number>();
  private caughtUp = false;
  private readonly changeLog: ChangeLogRepository;
  private stopped = false;
  private listener: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private pending = false;
  /** Change-log rows applied since this process started (the start-up replay is reported from it). */
  private appliedRows = 0;

  constructor(private opts: IndexSyncOptions) {
    this.changeLog = createChangeLogRepository(opts.pool);
  }

  private noteTenantSeq(tenantId: number, seq: number): void {
    if (seq > (this.tenantSeq.get(tenantId) ?? 0)) this.tenantSeq.set(tenantId, seq);
  }

  private async loadTenantHeads(): Promise<void> {
    for (const [tenant, seq] of await this.changeLog.tenantHeads()) this.noteTenantSeq(tenant, seq);
  }

  /** Every stored embedding of the configured model, in id order. */
  private async readAllVectors(): Promise<VectorRow[]> {
    const { pool, index, model } = this.opts;
    const rows: VectorRow[] = [];
    let after = 0;
    for (;;) {
      const { rows: batch } = await pool.query<{ candidate_id: number; tenant_id: number; dims: number; embedding: Buffer }>(
        `SELECT candidate_id, tenant_id, dims, embedding FROM candidate_embeddings
          WHERE model = $1 AND candidate_id > $2 ORDER BY candidate_id LIMIT 5000`,
        [model, after],
      );
      for (const r of batch) {
        if (r.dims === index.dims) rows.push({ id: r.candidate_id, tenantId: r.tenant_id, vector: toVector(r.embedding, r.dims) });
      }
      if (batch.length < 5000) break;
      after = batch[batch.length - 1]!.candidate_id;
    }
    return rows;
  }

  private caughtUpNow(): void {
    this.behindSeconds = 0;
    this.lastCaughtUpAt = Date.now();
  }

  /**
   * Seconds the index is behind the change log: the age of the oldest unapplied change seen, or —
   * when catch-ups stop succeeding (database unreachable) — the time since the last one that did.
   */
  get lagSeconds(): number {
    const sinceCaughtUp = (Date.now() - this.lastCaughtUpAt) / 1000;
    const stale = sinceCaughtUp > (3 * this.opts.pollMs) / 1000 ? sinceCaughtUp : 0;
    return Math.max(this.behindSeconds, stale);
  }

  setLog(log: NonNullable<IndexSyncOptions['log']>): void {
    this.opts.log = log;
  }

  get ready(): boolean {
    return this.caughtUp;
  }

  async start(): Promise<void> {
    const { index } = this.opts;
    // Heads first: every change they cover is either in the snapshot/load below or replayed
    // after it, so the versions are right from the first search and never move backwards.
    await this.loadTenantHeads();
    if (this.opts.fromSeq !== undefined) {
      this.lastSeq = this.opts.fromSeq;
    } else {
      // Read the high-water mark first: changes committed during the load are replayed after it.
      this.lastSeq = await this.changeLog.head();
      const rows = await this.readAllVectors();
      await index.bulkLoad(rows);
      this.opts.log?.info({ vectors: rows.length, kind: index.kind }, 'vector index loaded from Postgres');
    }
    await this.listen();
    const fromSeq = this.lastSeq;
    await this.exclusive(() => this.catchUp());
    this.opts.log?.info({ fromSeq, lastSeq: this.lastSeq, replayed: this.appliedRows }, 'vector index caught up with the change log');
    this.caughtUp = true;
    this.timer = setInterval(() => this.kick(), this.opts.pollMs);
    this.timer.unref();
  }

  private async listen(): Promise<void> {
    try {
      const client = new pg.Client({ connectionString: this.opts.databaseUrl, connectionTimeoutMillis: 2_000 });
      client.on('error', (err) => {
        this.opts.log?.warn({ err: err.message }, 'change-log listener lost; polling until it reconnects');
        this.listener = undefined;
        if (!this.stopped) setTimeout(() => void this.listen(), this.opts.pollMs).unref();
      });
      client.on('notification', () => this.kick());
      await client.connect();
      await client.query('LISTEN hh_change_log');
      this.listener = client;
    } catch (err) {
      this.opts.log?.warn({ err: (err as Error).message }, 'LISTEN failed; relying on polling');
      if (!this.stopped) setTimeout(() => void this.listen(), this.opts.pollMs * 5).unref();
    }
  }

  /** Schedule a catch-up; coalesces bursts of notifications into one pass. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.pending = true;
      return;
    }
    this.running = this.catchUp()
      .catch((err: unknown) => this.opts.log?.warn({ err: (err as Error).message }, 'change-log catch-up failed'))
      .finally(() => {
        this.running = undefined;
        if (this.pending) {
          this.pending = false;
          this.kick();
        }
      });
  }

  /** Apply every change after lastSeq. Resolves when caught up. */
  async catchUp(): Promise<void> {
    const { pool, index, model } = this.opts;
    for (;;) {
      // One round trip returns the pruning position along with the next rows (none: one row of NULLs).
      const { rows: page } = await pool.query<{ pruned_through: number; seq: number | null; tenant_id: number; candidate_id: number; op: string; created_at: Date }>(
        `SELECT s.pruned_through, c.seq, c.tenant_id, c.candidate_id, c.op, c.created_at
           FROM change_log_state s
           LEFT JOIN LATERAL (SELECT seq, tenant_id, candidate_id, op, created_at FROM change_log
                               WHERE seq > $1 ORDER BY seq LIMIT 1000) c ON true
          ORDER BY c.seq`,
        [this.lastSeq],
      );
      const prunedThrough = page[0]?.pruned_through ?? 0;
      if (prunedThrough > this.lastSeq) {
        await this.reconcile(prunedThrough);
        continue;
      }
      const rows = page.filter((r): r is typeof r & { seq: number } => r.seq !== null);
      if (rows.length === 0) {
        this.caughtUpNow();
        return;
      }
      // Collapse to the latest op per candidate, then read current embeddings in one query.
      const latest = new Map<number, string>();
      for (const r of rows) {
        latest.set(r.candidate_id, r.op);
        this.noteTenantSeq(r.tenant_id, r.seq);
      }
      const ids = [...latest.keys()];
      const { rows: vecs } = await pool.query<{ candidate_id: number; tenant_id: number; dims: number; embedding: Buffer }>(
        'SELECT candidate_id, tenant_id, dims, embedding FROM candidate_embeddings WHERE candidate_id = ANY($1) AND model = $2',
        [ids, model],
      );
      const byId = new Map(vecs.map((v) => [v.candidate_id, v]));
      let n = 0;
      for (const id of ids) {
        const v = byId.get(id);
        // A missing row means deleted (or embedded by another model): either way not searchable.
        if (v && v.dims === index.dims) index.upsert(id, v.tenant_id, toVector(v.embedding, v.dims));
        else index.delete(id);
        // Graph inserts run on this thread: yield now and then so HTTP handling never stalls.
        if (++n % 32 === 0) await new Promise((r) => setImmediate(r));
      }
      const last = rows[rows.length - 1]!;
      this.lastSeq = last.seq;
      this.appliedRows += rows.length;
      this.behindSeconds = Math.max(0, (Date.now() - rows[0]!.created_at.getTime()) / 1000);
      this.opts.onApplied?.(this.lastSeq, rows.length);
      if (rows.length < 1000) {
        this.caughtUpNow();
        return;
      }
    }
  }

  /**
   * The change log no longer holds the rows after lastSeq (pruned while this replica was gone or
   * stalled for longer than the retention period): make the index equal to Postgres — drop ids
   * that no longer have a vector, (re)write every stored vector — and resume from the head read
   * before the load. Searches report the index as warming meanwhile.
   */
  private async reconcile(prunedThrough: number): Promise<void> {
    const { index } = this.opts;
    const wasReady = this.caughtUp;
    this.caughtUp = false;
    this.opts.log?.warn({ lastSeq: this.lastSeq, prunedThrough }, 'change log pruned past this replica; reloading the vector index from Postgres');
    const head = await this.changeLog.head();
    await this.loadTenantHeads();
    const rows = await this.readAllVectors();
    const keep = new Set(rows.map((r) => r.id));
    for (const id of index.ids()) if (!keep.has(id)) index.delete(id);
    let n = 0;
    for (const r of rows) {
      index.upsert(r.id, r.tenantId, r.vector);
      if (++n % 32 === 0) await new Promise((res) => setImmediate(res));
    }
    this.lastSeq = head;
    this.opts.log?.info({ vectors: rows.length, lastSeq: head }, 'vector index reconciled with Postgres');
    this.opts.onApplied?.(head, rows.length);
    this.caughtUp = wasReady;
  }

  /**
   * Run `fn` while no change is being applied (e.g. to snapshot the index together with the
   * seq it reflects).
   */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    while (this.running) await this.running.catch(() => undefined);
    const gate = fn();
    this.running = gate.then(
      () => undefined,
      () => undefined,
    );
    try {
      return await gate;
    } finally {
      this.running = undefined;
      if (this.pending) {
        this.pending = false;
        this.kick();
      }
    }
  }

  /** Wait until everything committed so far is applied (tests, readiness). */
  async waitForSeq(seq: number, timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.lastSeq < seq) {
      if (Date.now() > until) throw new Error(`index did not reach seq ${seq} (at ${this.lastSeq})`);
      this.kick();
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
    await this.listener?.end().catch(() => undefined);
  }
}
