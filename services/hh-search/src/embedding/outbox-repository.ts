/**
 * All SQL of the embedding outbox: leasing rows to a worker, applying embedded vectors under a
 * content-hash guard, backing off failed rows, re-queueing candidates whose embedding went missing
 * or out of date (the reconciler), and the numbers the metrics report.
 *
 * Why leases instead of a transaction held across the hh-embed call: a row lock held while waiting
 * on a slow model made writers of those candidates wait (and fail at the statement timeout), and a
 * profile read outside the lock could be older than the row it was claimed with. Here every
 * statement is short, no lock is held while embedding, and the apply step re-checks under a row
 * lock that the candidate still has the content that was embedded.
 */
import type pg from 'pg';
import type { Queryable } from '@hh/db';

/** A leased outbox row with the candidate's profile as of the claim. */
export interface ClaimedRow {
  candidateId: number;
  tenantId: number;
  /** `candidates.embed_hash` read together with `profile`: the hash of the text about to be embedded. */
  embedHash: string;
  profile: unknown;
}

export interface EmbeddedRow {
  candidateId: number;
  tenantId: number;
  /** The `embedHash` the row was claimed with. */
  embedHash: string;
  vector: Float32Array;
}

export interface ApplyResult {
  /** Vectors written (new or changed); each got a change-log row. */
  stored: number[];
  /** Outbox rows completed (deleted). */
  done: number[];
  /** Candidates whose content changed after the claim: nothing stored, the row stays queued. */
  superseded: number[];
  /** Candidates a writer was changing at that moment (or that were deleted): lease released, retried. */
  busy: number[];
}

export type RepairReason = 'missing' | 'model' | 'stale';

export interface ReconcileChunk {
  /** Highest candidate id examined (the next chunk starts after it); null when none was left. */
  lastId: number | null;
  scanned: number;
  repaired: { candidateId: number; reason: RepairReason }[];
}

export interface OutboxStats {
  rows: number;
  /** Rows claimable right now (not leased, not backing off). */
  ready: number;
  /** Seconds since the oldest queued row went out of date; 0 when the outbox is empty. */
  oldestAgeSeconds: number;
}

/** Key of the session advisory lock that lets one replica at a time run the reconciler. */
export const RECONCILER_LOCK_KEY = 7243007;

export function createOutboxRepository(pool: pg.Pool) {
  /**
   * Lease up to `limit` claimable rows to `token` for `leaseMs` and return them with the
   * candidates' current profiles. One autocommit statement: rows another worker is claiming, or a
   * writer is re-queueing right now, are skipped rather than waited for.
   */
  async function claim(opts: { limit: number; token: string; owner: string; leaseMs: number }): Promise<ClaimedRow[]> {
    const { rows } = await pool.query<{ candidate_id: number; tenant_id: number; embed_hash: string; profile: unknown }>(
      `WITH picked AS MATERIALIZED (
         SELECT candidate_id FROM embedding_outbox
          WHERE available_at <= now() AND (leased_until IS NULL OR leased_until <= now())
          ORDER BY available_at, candidate_id
          LIMIT $1
          FOR UPDATE SKIP LOCKED
       )
       UPDATE embedding_outbox o
          SET lease_token = $2, lease_owner = $3, leased_until = now() + $4 * interval '1 millisecond'
         FROM picked p, candidates c
        WHERE o.candidate_id = p.candidate_id AND c.id = o.candidate_id
       RETURNING o.candidate_id, o.tenant_id, c.embed_hash, c.profile`,
      [opts.limit, opts.token, opts.owner, opts.leaseMs],
    );
    return rows
      .map((r) => ({ candidateId: r.candidate_id, tenantId: r.tenant_id, embedHash: r.embed_hash, profile: r.profile }))
      .sort((a, b) => a.candidateId - b.candidateId);
  }

  /**
   * Store the vectors whose candidate still has the content that was embedded, complete the outbox
   * rows this lease still holds for that content, and append change-log rows for what was stored.
   *
   * The candidates are locked FOR SHARE with SKIP LOCKED: while the lock is held no writer can
   * change their content, so the hash comparison stays true until commit; a candidate a writer
   * holds right now is skipped (never waited for, so a writer's transaction can never be part of a
   * lock cycle with this one) and its lease released for a prompt retry. The change-log append
   * takes the change-log lock until commit, so it comes last.
   */
  async function apply(token: string, model: string, items: EmbeddedRow[]): Promise<ApplyResult> {
    if (items.length === 0) return { stored: [], done: [], superseded: [], busy: [] };
    const sorted = [...items].sort((a, b) => a.candidateId - b.candidateId); // one lock order for every worker
    const ids = sorted.map((r) => r.candidateId);
    const client = await pool.connect();
    let result: ApplyResult;
    try {
      await client.query('BEGIN');
      const { rows: locked } = await client.query<{ id: number; embed_hash: string }>(
        'SELECT id, embed_hash FROM candidates WHERE id = ANY($1::bigint[]) ORDER BY id FOR SHARE SKIP LOCKED',
        [ids],
      );
      const current = new Map(locked.map((r) => [r.id, r.embed_hash]));
      const matching = sorted.filter((r) => current.get(r.candidateId) === r.embedHash);
      const superseded = sorted.filter((r) => current.has(r.candidateId) && current.get(r.candidateId) !== r.embedHash).map((r) => r.candidateId);
      const busy = ids.filter((id) => !current.has(id));

      let stored: number[] = [];
      let done: number[] = [];
      if (matching.length > 0) {
        // An identical vector already stored (same model, same content) is not rewritten and needs
        // no change-log row: the index already holds it.
        const ins = await client.query<{ candidate_id: number }>(
          `INSERT INTO candidate_embeddings (candidate_id, tenant_id, model, content_hash, dims, embedding, updated_at)
           SELECT u.*, now() FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::int[], $6::bytea[]) AS u
           ON CONFLICT (candidate_id) DO UPDATE SET model = EXCLUDED.model, content_hash = EXCLUDED.content_hash,
             dims = EXCLUDED.dims, embedding = EXCLUDED.embedding, updated_at = now()
           WHERE candidate_embeddings.model <> EXCLUDED.model OR candidate_embeddings.content_hash <> EXCLUDED.content_hash
              OR candidate_embeddings.dims <> EXCLUDED.dims
           RETURNING candidate_id`,
          [
            matching.map((r) => r.candidateId),
            matching.map((r) => r.tenantId),
            matching.map(() => model),
            matching.map((r) => r.embedHash),
            matching.map((r) => r.vector.length),
            matching.map((r) => Buffer.from(r.vector.buffer, r.vector.byteOffset, r.vector.byteLength)),
          ],
        );
        stored = ins.rows.map((r) => r.candidate_id).sort((a, b) => a - b);
        // Only while this lease still holds the row (an expired lease may have been re-claimed) and
        // the row still asks for this content.
        const del = await client.query<{ candidate_id: number }>(
          `DELETE FROM embedding_outbox o USING unnest($1::bigint[], $2::text[]) AS m(id, hash)
            WHERE o.candidate_id = m.id AND o.content_hash = m.hash AND o.lease_token = $3
           RETURNING o.candidate_id`,
          [matching.map((r) => r.candidateId), matching.map((r) => r.embedHash), token],
        );
        done = del.rows.map((r) => r.candidate_id).sort((a, b) => a - b);
      }
      if (superseded.length > 0) {
        // The writer that changed these normally cleared the lease already; a claim that read an
        // older profile than its row (a writer committing between the two) must not sit out a lease.
        await client.query(
          'UPDATE embedding_outbox SET lease_token = NULL, lease_owner = NULL, leased_until = NULL WHERE candidate_id = ANY($1::bigint[]) AND lease_token = $2',
          [superseded, token],
        );
      }
      if (stored.length > 0) {
        // One set-based append per tenant of the batch (usually one): one insert, one head update
        // and one NOTIFY, where a row-by-row append paid all three per candidate.
        const tenantOf = new Map(matching.map((r) => [r.candidateId, r.tenantId]));
        const byTenant = new Map<number, number[]>();
        for (const id of stored) {
          const t = tenantOf.get(id)!;
          const list = byTenant.get(t);
          if (list) list.push(id);
          else byTenant.set(t, [id]);
        }
        for (const [tenant, ids] of [...byTenant].sort((x, y) => x[0] - y[0])) {
          await client.query(`SELECT hh_append_changes($1, $2::bigint[], 'upsert')`, [tenant, ids]);
        }
      }
      await client.query('COMMIT');
      result = { stored, done, superseded, busy };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
    // Outside the transaction: this may wait for the writer that holds the row, and must not do so
    // while holding locks of its own.
    if (result.busy.length > 0) await release(token, result.busy);
    return result;
  }

  /** Give rows back without counting an attempt (shutdown, or a writer was busy with them). */
  async function release(token: string, ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    await pool.query(
      'UPDATE embedding_outbox SET lease_token = NULL, lease_owner = NULL, leased_until = NULL WHERE candidate_id = ANY($1::bigint[]) AND lease_token = $2',
      [ids, token],
    );
  }

  /**
   * Count a failed attempt and hold the rows back (1 s, 2 s, 4 s … capped at 5 min) so a poison
   * row cannot spin the worker. Rows a writer re-queued since the claim are left alone: their new
   * content deserves a prompt first attempt.
   */
  async function backoff(token: string, ids: number[], error: string): Promise<void> {
    if (ids.length === 0) return;
    await pool.query(
      `UPDATE embedding_outbox SET attempts = attempts + 1, last_error = $3,
         available_at = now() + least(interval '5 minutes', interval '1 second' * power(2, attempts)),
         lease_token = NULL, lease_owner = NULL, leased_until = NULL
       WHERE candidate_id = ANY($1::bigint[]) AND lease_token = $2`,
      [ids, token, error.slice(0, 500)],
    );
  }

  /**
   * One chunk of the reconciler's pass over candidates (by id, after `afterId`): a candidate whose
   * embedding is missing, of another model, or of other content, and that has no outbox row, gets
   * one. In a consistent state there is none (writers queue a row in the transaction that changes
   * the content; the worker deletes it in the one that stores the vector), so each repair is a
   * lost update found, or a change of EMBED_MODEL being rolled out.
   */
  async function queueMissing(opts: { model: string; afterId: number; limit: number }, db: Queryable = pool): Promise<ReconcileChunk> {
    const { rows } = await db.query<{ last_id: number | null; scanned: number; repaired: { id: number; reason: RepairReason }[] | null }>(
      `WITH chunk AS (
         SELECT id, tenant_id, embed_hash FROM candidates WHERE id > $1 ORDER BY id LIMIT $2
       ), missing AS (
         SELECT k.id, k.tenant_id, k.embed_hash,
                CASE WHEN e.candidate_id IS NULL THEN 'missing' WHEN e.model <> $3 THEN 'model' ELSE 'stale' END AS reason
           FROM chunk k LEFT JOIN candidate_embeddings e ON e.candidate_id = k.id
          WHERE (e.candidate_id IS NULL OR e.model <> $3 OR e.content_hash <> k.embed_hash)
            AND NOT EXISTS (SELECT 1 FROM embedding_outbox o WHERE o.candidate_id = k.id)
       ), queued AS (
         INSERT INTO embedding_outbox (candidate_id, tenant_id, content_hash)
         SELECT id, tenant_id, embed_hash FROM missing
         ON CONFLICT (candidate_id) DO NOTHING
         RETURNING candidate_id
       )
       SELECT (SELECT max(id) FROM chunk) AS last_id,
              (SELECT count(*) FROM chunk)::int AS scanned,
              (SELECT json_agg(json_build_object('id', m.id, 'reason', m.reason) ORDER BY m.id)
                 FROM queued q JOIN missing m ON m.id = q.candidate_id) AS repaired`,
      [opts.afterId, opts.limit, opts.model],
    );
    const r = rows[0]!;
    return {
      lastId: r.last_id,
      scanned: r.scanned,
      repaired: (r.repaired ?? []).map((x) => ({ candidateId: Number(x.id), reason: x.reason })),
    };
  }

  /** The last candidate id of the chunk after `afterId` (to step over a chunk that failed); null past the end. */
  async function chunkEnd(afterId: number, limit: number, db: Queryable = pool): Promise<number | null> {
    const { rows } = await db.query<{ id: number | null }>(
      'SELECT max(id) AS id FROM (SELECT id FROM candidates WHERE id > $1 ORDER BY id LIMIT $2) k',
      [afterId, limit],
    );
    return rows[0]?.id ?? null;
  }

  async function stats(): Promise<OutboxStats> {
    const { rows } = await pool.query<{ rows: number; ready: number; oldest: number | null }>(
      `SELECT count(*)::int AS rows,
              (count(*) FILTER (WHERE available_at <= now() AND (leased_until IS NULL OR leased_until <= now())))::int AS ready,
              extract(epoch FROM now() - min(created_at))::float8 AS oldest
         FROM embedding_outbox`,
    );
    const r = rows[0]!;
    return { rows: r.rows, ready: r.ready, oldestAgeSeconds: Math.max(0, r.oldest ?? 0) };
  }

  return { claim, apply, release, backoff, queueMissing, chunkEnd, stats };
}

export type OutboxRepository = ReturnType<typeof createOutboxRepository>;
