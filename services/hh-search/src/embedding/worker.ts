/**
 * Embedding outbox worker. Claims outbox rows with FOR UPDATE SKIP LOCKED (so several replicas
 * share the work), calls hh-embed for the batch, and in the same transaction stores the vectors,
 * deletes the claimed outbox rows and appends to the change log (which NOTIFYs on commit).
 * A crash before commit rolls everything back: the rows stay queued and are retried; nothing
 * acknowledged is ever lost. Failures back off exponentially per row.
 */
import type pg from 'pg';
import type { EmbedClient } from '../clients/embed-client.js';
import { embedTextOf } from './embed-text.js';

export interface EmbedWorkerOptions {
  pool: pg.Pool;
  embed: EmbedClient;
  batchSize: number;
  pollMs: number;
  /** Batches in flight at once (each claims its own rows with SKIP LOCKED). */
  concurrency?: number;
  embedTimeoutMs?: number;
  log?: { warn(obj: object, msg: string): void };
  onBatch?: (n: number, ms: number) => void;
  onError?: (reason: string) => void;
}

export class EmbedWorker {
  private stopped = false;
  private loops: Promise<void>[] = [];
  private wakers = new Set<() => void>();

  constructor(private readonly opts: EmbedWorkerOptions) {}

  start(): void {
    if (this.loops.length > 0) return;
    for (let i = 0; i < (this.opts.concurrency ?? 1); i++) this.loops.push(this.run());
  }

  /** Nudge the worker (after an upsert) instead of waiting for the next poll. */
  notify(): void {
    for (const wake of this.wakers) wake();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let n = 0;
      try {
        n = await this.processBatch();
      } catch (err) {
        this.opts.onError?.('batch');
        this.opts.log?.warn({ err: (err as Error).message }, 'embedding batch failed; will retry');
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

  /** Claim and embed one batch; returns the number of rows handled. Exposed for tests. */
  async processBatch(): Promise<number> {
    const { pool, embed, batchSize } = this.opts;
    const started = performance.now();
    const client = await pool.connect();
    let claimed: { candidate_id: number; tenant_id: number; content_hash: string; profile: unknown }[] = [];
    try {
      await client.query('BEGIN');
      const res = await client.query<{ candidate_id: number; tenant_id: number; content_hash: string; profile: unknown }>(
        `SELECT o.candidate_id, o.tenant_id, o.content_hash, c.profile
           FROM embedding_outbox o JOIN candidates c ON c.id = o.candidate_id
          WHERE o.available_at <= now()
          ORDER BY o.available_at, o.candidate_id
          LIMIT $1
          FOR UPDATE OF o SKIP LOCKED`,
        [batchSize],
      );
      claimed = res.rows;
      if (claimed.length === 0) {
        await client.query('COMMIT');
        return 0;
      }
      const texts = claimed.map((r) => embedTextOf(r.profile));
      const vectors = await embed.embed(
        texts.map((t) => t.text),
        { timeoutMs: this.opts.embedTimeoutMs ?? 30_000 },
      );
      const dims = vectors[0]!.length;
      const ids = claimed.map((r) => r.candidate_id);
      await client.query(
        `INSERT INTO candidate_embeddings (candidate_id, tenant_id, model, content_hash, dims, embedding, updated_at)
         SELECT * , now() FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::int[], $6::bytea[])
         ON CONFLICT (candidate_id) DO UPDATE SET model = EXCLUDED.model, content_hash = EXCLUDED.content_hash,
           dims = EXCLUDED.dims, embedding = EXCLUDED.embedding, updated_at = now()`,
        [
          ids,
          claimed.map((r) => r.tenant_id),
          claimed.map(() => embed.model),
          texts.map((t) => t.hash),
          claimed.map(() => dims),
          vectors.map((v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength)),
        ],
      );
      await client.query('DELETE FROM embedding_outbox WHERE candidate_id = ANY($1)', [ids]);
      // One change-log row per candidate, appended in id order under the change-log lock.
      await client.query(`SELECT hh_append_change(t, c, 'upsert') FROM unnest($1::int[], $2::bigint[]) AS u(t, c) ORDER BY c`, [
        claimed.map((r) => r.tenant_id),
        ids,
      ]);
      await client.query('COMMIT');
      this.opts.onBatch?.(claimed.length, performance.now() - started);
      return claimed.length;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (claimed.length > 0) {
        // Back off these rows (1 s, 2 s, 4 s … capped at 5 min) so a poison row cannot spin the worker.
        await pool
          .query(
            `UPDATE embedding_outbox SET attempts = attempts + 1, last_error = $2,
               available_at = now() + least(interval '5 minutes', interval '1 second' * power(2, attempts))
             WHERE candidate_id = ANY($1)`,
            [claimed.map((r) => r.candidate_id), (err as Error).message.slice(0, 500)],
          )
          .catch(() => undefined);
      }
      throw err;
    } finally {
      client.release();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.notify();
    await Promise.all(this.loops);
  }
}
