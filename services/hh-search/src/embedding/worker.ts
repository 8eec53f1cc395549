/**
 * Embedding outbox worker. Each batch takes three steps, none of which holds a transaction open
 * across the next:
 *   1. claim: lease up to `batchSize` rows (SKIP LOCKED, so replicas and loops share the work) and
 *      read the candidates' current profiles and content hashes;
 *   2. embed: call hh-embed with no database connection held;
 *   3. apply: in one short transaction, store each vector whose candidate still has the content
 *      that was embedded, delete the outbox rows this lease still holds for that content, and
 *      append change-log rows (NOTIFY on commit) for what was stored.
 * A candidate rewritten meanwhile keeps its (re-queued) outbox row and is embedded again with the
 * new text; a worker that dies mid-batch leaves leases that expire, after which another claims the
 * rows. Nothing acknowledged is lost, and writers never wait on hh-embed. Failures back off per row.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type pg from 'pg';
import type { EmbedClient } from '../clients/embed-client.js';
import { embedTextOf } from './embed-text.js';
import { createOutboxRepository, type ApplyResult, type OutboxRepository } from './outbox-repository.js';

export interface EmbedWorkerOptions {
  pool: pg.Pool;
  embed: EmbedClient;
  batchSize: number;
  pollMs: number;
  /** How long a claimed batch stays invisible to other workers; a crashed worker's rows come back after it. */
  leaseMs: number;
  /** Batches in flight at once (each claims its own rows). */
  concurrency?: number;
  /** Budget of one hh-embed call; must stay well inside the lease (default: half of it). */
  embedTimeoutMs?: number;
  /** Shown in `embedding_outbox.lease_owner` (default host:pid). */
  owner?: string;
  log?: { warn(obj: object, msg: string): void };
  /** After each applied batch: the result, its total time and the time of each step (ms). */
  onBatch?: (result: ApplyResult, ms: number, steps: BatchSteps) => void;
  onError?: (reason: string) => void;
}

/** Milliseconds one batch spent in each step. */
export interface BatchSteps {
  claim: number;
  embed: number;
  apply: number;
}

/** The batch was given back because the worker is stopping. */
class Abandoned extends Error {}

export class EmbedWorker {
  private stopped = false;
  /** True while stop() runs: a batch that claimed rows meanwhile gives them back instead of embedding. */
  private stopping = false;
  private loops: Promise<void>[] = [];
  private wakers = new Set<() => void>();
  /** Aborts the hh-embed calls in flight when the worker stops. */
  private readonly inflight = new Set<AbortController>();
  private readonly outbox: OutboxRepository;
  private readonly owner: string;

  constructor(private readonly opts: EmbedWorkerOptions) {
    this.outbox = createOutboxRepository(opts.pool);
    this.owner = opts.owner ?? `${hostname()}:${process.pid}`;
  }

  start(): void {
    if (this.loops.length > 0) return;
    this.stopped = false;
    for (let i = 0; i < (this.opts.concurrency ?? 1); i++) this.loops.push(this.run());
  }

  /** Nudge the worker (after an upsert or a reconciler repair) instead of waiting for the next poll. */
  notify(): void {
    for (const wake of this.wakers) wake();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let n = 0;
      try {
        n = await this.processBatch();
      } catch (err) {
        if (!(err instanceof Abandoned)) {
          this.opts.onError?.('batch');
          this.opts.log?.warn({ err: (err as Error).message }, 'embedding batch failed; will retry');
        }
      }
      if (n === 0 && !this.stopped) {
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(t);
            this.wakers.delete(wake);
            resolve();
          };
          const t = setTimeout(wake, this.opts.pollMs);
          this.wakers.add(wake);
        });
      }
    }
  }

  /**
   * Claim, embed and apply one batch; returns the number of rows claimed (0 when nothing was
   * claimable). Exposed for tests, which drive the worker step by step.
   */
  async processBatch(): Promise<number> {
    const { embed, batchSize, leaseMs } = this.opts;
    const started = performance.now();
    const token = randomUUID();
    const claimed = await this.outbox.claim({ limit: batchSize, token, owner: this.owner, leaseMs });
    if (claimed.length === 0) return 0;
    const claimedAt = performance.now();
    const ids = claimed.map((r) => r.candidateId);

    const abort = new AbortController();
    this.inflight.add(abort);
    let vectors: Float32Array[];
    try {
      if (this.stopping) abort.abort();
      const texts = claimed.map((r) => embedTextOf(r.profile).text);
      vectors = await embed.embed(texts, { timeoutMs: this.opts.embedTimeoutMs ?? Math.floor(leaseMs / 2), signal: abort.signal });
    } catch (err) {
      if (abort.signal.aborted) {
        // Stopping: hand the rows straight back instead of letting them sit out the lease.
        await this.outbox.release(token, ids).catch(() => undefined);
        throw new Abandoned('worker stopped');
      }
      await this.outbox.backoff(token, ids, (err as Error).message).catch(() => undefined);
      throw err;
    } finally {
      this.inflight.delete(abort);
    }

    const embeddedAt = performance.now();
    let result: ApplyResult;
    try {
      result = await this.outbox.apply(
        token,
        embed.model,
        claimed.map((r, i) => ({ candidateId: r.candidateId, tenantId: r.tenantId, embedHash: r.embedHash, vector: vectors[i]! })),
      );
    } catch (err) {
      await this.outbox.backoff(token, ids, (err as Error).message).catch(() => undefined);
      throw err;
    }
    const now = performance.now();
    this.opts.onBatch?.(result, now - started, { claim: claimedAt - started, embed: embeddedAt - claimedAt, apply: now - embeddedAt });
    return claimed.length;
  }

  /**
   * Stop the loops. A batch waiting on hh-embed is abandoned (its call aborted, its rows released
   * for any replica to claim at once); a batch already applying finishes its short transaction.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping = true;
    for (const abort of this.inflight) abort.abort();
    this.notify();
    try {
      await Promise.all(this.loops);
    } finally {
      this.loops = [];
      this.stopping = false;
    }
  }
}
