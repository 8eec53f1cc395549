/**
 * The one change-log consumer of a search node. It keeps every in-memory structure (the sinks:
 * vector index, lexical indexes, attributes, documents) equal to Postgres: sinks restored from a
 * snapshot resume after the seq they reflect, the others are loaded from Postgres in one pass, and
 * then the log is tailed (LISTEN/NOTIFY wakes it, `seq` is the record, a poll is the backstop).
 * Applying a change re-reads the candidate's current state, so replays are idempotent and order-safe,
 * and the replay starts from the lowest seq any sink needs.
 *
 * It also keeps each tenant's data version (the seq of the tenant's latest change, which keys
 * the tenant's cached search pages): loaded from the durable per-tenant heads before anything
 * else, then raised as changes are applied. If the log was pruned past this replica's position
 * (it was gone longer than the retention period), the sinks are reconciled with Postgres rather
 * than silently missing the pruned changes.
 */
import pg from 'pg';
import { createChangeLogRepository, type ChangeLogRepository } from './change-log.js';
import type { CandidateReader, CandidateRecord } from './records.js';
import type { IndexSink, RestoredSink } from './sink.js';

export interface ConsumerOptions {
  pool: pg.Pool;
  databaseUrl: string;
  reader: CandidateReader;
  /** Every structure to keep, each with the seq its snapshot reflects (none: load it from Postgres). */
  sinks: RestoredSink[];
  pollMs: number;
  log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** After each applied batch of change-log rows; `ms` is the time spent reading and applying it. */
  onApplied?: (seq: number, count: number, ms?: number) => void;
}

/** Candidates per page of a full load (each page is handed to every loading sink). */
const LOAD_PAGE = 2_000;
/** Inserts into graph indexes run on this thread: yield this often so HTTP handling never stalls. */
const YIELD_EVERY = 32;

export class ChangeLogConsumer {
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

  readonly sinks: IndexSink[];

  constructor(private opts: ConsumerOptions) {
    this.changeLog = createChangeLogRepository(opts.pool);
    this.sinks = opts.sinks.map((s) => s.sink);
  }

  private noteTenantSeq(tenantId: number, seq: number): void {
    if (seq > (this.tenantSeq.get(tenantId) ?? 0)) this.tenantSeq.set(tenantId, seq);
  }

  private async loadTenantHeads(): Promise<void> {
    for (const [tenant, seq] of await this.changeLog.tenantHeads()) this.noteTenantSeq(tenant, seq);
  }

  /** Loads every candidate from Postgres into `sinks`, page by page. */
  private async fullLoad(sinks: IndexSink[]): Promise<number> {
    let after = 0;
    let n = 0;
    for (;;) {
      const page = await this.opts.reader.page(after, LOAD_PAGE);
      for (const sink of sinks) await sink.loadPage(page);
      n += page.length;
      if (page.length < LOAD_PAGE) break;
      after = page[page.length - 1]!.id;
    }
    for (const sink of sinks) await sink.finishLoad();
    return n;
  }

  /** Applies the current state of these candidates (absent from `records`: deleted) to every sink. */
  private async applyAll(ids: number[], records: CandidateRecord[]): Promise<void> {
    const byId = new Map(records.map((r) => [r.id, r]));
    let n = 0;
    for (const id of ids) {
      const r = byId.get(id);
      for (const sink of this.sinks) {
        if (r) sink.upsert(r);
        else sink.delete(id);
      }
      if (++n % YIELD_EVERY === 0) await new Promise((res) => setImmediate(res));
    }
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

  setLog(log: NonNullable<ConsumerOptions['log']>): void {
    this.opts.log = log;
  }

  get ready(): boolean {
    return this.caughtUp;
  }

  async start(): Promise<void> {
    // Heads first: every change they cover is either in a snapshot/load below or replayed
    // after it, so the versions are right from the first search and never move backwards.
    await this.loadTenantHeads();
    const restored = this.opts.sinks.filter((s) => s.lastSeq !== undefined);
    const missing = this.opts.sinks.filter((s) => s.lastSeq === undefined).map((s) => s.sink);
    let from = Math.min(...restored.map((s) => s.lastSeq!), Number.POSITIVE_INFINITY);
    if (missing.length > 0) {
      // Read the high-water mark first: changes committed during the load are replayed after it.
      const head = await this.changeLog.head();
      const t0 = performance.now();
      const n = await this.fullLoad(missing);
      this.opts.log?.info({ sinks: missing.map((s) => s.name), candidates: n, ms: Math.round(performance.now() - t0) }, 'in-memory indexes loaded from Postgres');
      from = Math.min(from, head);
    }
    this.lastSeq = Number.isFinite(from) ? from : 0;
    await this.listen();
    const fromSeq = this.lastSeq;
    await this.exclusive(() => this.catchUp());
    this.opts.log?.info({ fromSeq, lastSeq: this.lastSeq, replayed: this.appliedRows }, 'in-memory indexes caught up with the change log');
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
    const { pool } = this.opts;
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
      // Collapse to one apply per candidate: its current state is read, whatever the ops were.
      const ids = new Set<number>();
      for (const r of rows) {
        ids.add(r.candidate_id);
        this.noteTenantSeq(r.tenant_id, r.seq);
      }
      const t0 = performance.now();
      await this.applyAll([...ids], await this.opts.reader.byIds([...ids]));
      const last = rows[rows.length - 1]!;
      this.lastSeq = last.seq;
      this.appliedRows += rows.length;
      this.behindSeconds = Math.max(0, (Date.now() - rows[0]!.created_at.getTime()) / 1000);
      this.opts.onApplied?.(this.lastSeq, rows.length, performance.now() - t0);
      if (rows.length < 1000) {
        this.caughtUpNow();
        return;
      }
    }
  }

  /**
   * The change log no longer holds the rows after lastSeq (pruned while this replica was gone or
   * stalled for longer than the retention period): make every sink equal to Postgres — apply every
   * candidate's current state, drop the ids that are gone — and resume from the head read before
   * the pass. Searches report the indexes as warming meanwhile.
   */
  private async reconcile(prunedThrough: number): Promise<void> {
    const wasReady = this.caughtUp;
    this.caughtUp = false;
    this.opts.log?.warn({ lastSeq: this.lastSeq, prunedThrough }, 'change log pruned past this replica; reconciling the in-memory indexes with Postgres');
    const head = await this.changeLog.head();
    await this.loadTenantHeads();
    const seen = new Set<number>();
    let after = 0;
    for (;;) {
      const page = await this.opts.reader.page(after, LOAD_PAGE);
      for (const r of page) seen.add(r.id);
      await this.applyAll(page.map((r) => r.id), page);
      if (page.length < LOAD_PAGE) break;
      after = page[page.length - 1]!.id;
    }
    for (const sink of this.sinks) for (const id of [...sink.ids()]) if (!seen.has(id)) sink.delete(id);
    this.lastSeq = head;
    this.opts.log?.info({ candidates: seen.size, lastSeq: head }, 'in-memory indexes reconciled with Postgres');
    this.opts.onApplied?.(head, seen.size);
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
