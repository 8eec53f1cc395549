/**
 * Keeps a VectorIndex equal to Postgres: a full load of the stored embeddings of the configured
 * model, then tailing the change log (LISTEN/NOTIFY wakes us, `seq` is the record, a poll is the
 * backstop). Applying a change re-reads the candidate's current embedding, so replays are
 * idempotent and order-safe.
 */
import pg from 'pg';
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
  /** Latest applied seq per tenant: versions each tenant's cached search pages. */
  readonly tenantSeq = new Map<number, number>();
  private caughtUp = false;
  private stopped = false;
  private listener: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private pending = false;
  /** Change-log rows applied since this process started (the start-up replay is reported from it). */
  private appliedRows = 0;

  constructor(private opts: IndexSyncOptions) {}

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
    const { pool, index, model } = this.opts;
    if (this.opts.fromSeq !== undefined) {
      this.lastSeq = this.opts.fromSeq;
    } else {
      // Read the high-water mark first: changes committed during the load are replayed after it.
      const { rows: hw } = await pool.query<{ seq: number | null }>('SELECT max(seq) AS seq FROM change_log');
      this.lastSeq = hw[0]?.seq ?? 0;
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
      const { rows } = await pool.query<{ seq: number; tenant_id: number; candidate_id: number; op: string; created_at: Date }>(
        'SELECT seq, tenant_id, candidate_id, op, created_at FROM change_log WHERE seq > $1 ORDER BY seq LIMIT 1000',
        [this.lastSeq],
      );
      if (rows.length === 0) {
        this.caughtUpNow();
        return;
      }
      // Collapse to the latest op per candidate, then read current embeddings in one query.
      const latest = new Map<number, string>();
      for (const r of rows) {
        latest.set(r.candidate_id, r.op);
        this.tenantSeq.set(r.tenant_id, r.seq);
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
