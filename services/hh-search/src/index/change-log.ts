/**
 * The change log's bookkeeping (sql/0008): per-tenant heads (the durable data version of each
 * tenant's cached search pages), the replicas that still need rows, and pruning.
 *
 * Pruning deletes a prefix of the log: rows older than the retention period AND at or below
 * what every replica still needs (rows after its newest snapshot, or after what it applied). It
 * records the highest pruned seq; a snapshot or replica positioned before it cannot be replayed
 * and rebuilds from Postgres instead of silently missing changes.
 */
import { hostname } from 'node:os';
import type pg from 'pg';

/** Session advisory lock: one pruner at a time across the fleet (the append lock is 7243001). */
const PRUNE_LOCK = 7243002;
/** Rows deleted per statement, so no single statement runs into the statement timeout. */
const PRUNE_BATCH = 10_000;

export interface PruneResult {
  /** False when another pruner held the lock; nothing was done. */
  ran: boolean;
  deleted: number;
  prunedThrough: number;
  /** Replica rows dropped because their heartbeat was older than the retention period. */
  forgottenReplicas: number;
}

export function createChangeLogRepository(pool: pg.Pool) {
  return {
    /** The latest seq ever appended (still right after every row has been pruned). */
    async head(): Promise<number> {
      const { rows } = await pool.query<{ seq: number }>(
        'SELECT GREATEST((SELECT max(seq) FROM change_log), (SELECT pruned_through FROM change_log_state), 0) AS seq',
      );
      return rows[0]?.seq ?? 0;
    },

    async prunedThrough(): Promise<number> {
      const { rows } = await pool.query<{ pruned_through: number }>('SELECT pruned_through FROM change_log_state');
      return rows[0]?.pruned_through ?? 0;
    },

    /** Every tenant's head seq (tenants without changes are absent: their version is 0). */
    async tenantHeads(): Promise<Map<number, number>> {
      const { rows } = await pool.query<{ tenant_id: number; head_seq: number }>('SELECT tenant_id, head_seq FROM tenant_change_heads');
      return new Map(rows.map((r) => [r.tenant_id, r.head_seq]));
    },

    async tenantHead(tenantId: number): Promise<number> {
      const { rows } = await pool.query<{ head_seq: number }>('SELECT head_seq FROM tenant_change_heads WHERE tenant_id = $1', [tenantId]);
      return rows[0]?.head_seq ?? 0;
    },

    /** Register (or refresh) a replica and what it needs from the log. */
    async heartbeat(replicaId: string, appliedSeq: number, snapshotSeq?: number): Promise<void> {
      await pool.query(
        `INSERT INTO index_replicas (replica_id, host, applied_seq, snapshot_seq) VALUES ($1, $2, $3, $4)
         ON CONFLICT (replica_id) DO UPDATE SET applied_seq = EXCLUDED.applied_seq,
           snapshot_seq = COALESCE(EXCLUDED.snapshot_seq, index_replicas.snapshot_seq), heartbeat_at = now()`,
        [replicaId, hostname(), appliedSeq, snapshotSeq ?? null],
      );
    },

    /**
     * Delete change-log rows no one needs: older than `retentionHours` and not needed by a
     * replica seen within that period. Skips (ran: false) while another pruner runs.
     */
    async prune(retentionHours: number): Promise<PruneResult> {
      if (!(retentionHours > 0)) throw new RangeError('retentionHours must be > 0');
      const client = await pool.connect();
      let locked = false;
      try {
        const { rows: lock } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [PRUNE_LOCK]);
        locked = lock[0]?.ok === true;
        const prior = (await client.query<{ p: number }>('SELECT pruned_through AS p FROM change_log_state')).rows[0]?.p ?? 0;
        if (!locked) return { ran: false, deleted: 0, prunedThrough: prior, forgottenReplicas: 0 };
        const retention = `${retentionHours} hours`;
        const forgotten = await client.query('DELETE FROM index_replicas WHERE heartbeat_at < now() - $1::interval', [retention]);
        // The cut-off is a seq, so only a prefix of the log is ever removed: below the first row
        // still inside the retention period (created_at is not strictly ordered by seq), and at
        // or below what each remaining replica needs.
        const { rows: cut } = await client.query<{ cutoff: number | null }>(
          `SELECT LEAST(
              COALESCE((SELECT min(seq) - 1 FROM change_log WHERE created_at >= now() - $1::interval), (SELECT max(seq) FROM change_log)),
              (SELECT min(COALESCE(snapshot_seq, applied_seq)) FROM index_replicas)
            ) AS cutoff`,
          [retention],
        );
        const cutoff = cut[0]?.cutoff ?? null;
        let deleted = 0;
        let through = prior;
        if (cutoff !== null && cutoff > prior) {
          for (;;) {
            // The state row is written in the same transaction as each batch's delete: a reader
            // never sees rows missing without pruned_through saying so.
            const n = await inTransaction(client, async () => {
              const del = await client.query(
                `DELETE FROM change_log WHERE seq IN (SELECT seq FROM change_log WHERE seq <= $1 ORDER BY seq LIMIT ${PRUNE_BATCH})`,
                [cutoff],
              );
              await client.query('UPDATE change_log_state SET pruned_through = GREATEST(pruned_through, $1), pruned_at = now()', [cutoff]);
              return del.rowCount ?? 0;
            });
            deleted += n;
            through = cutoff;
            if (n < PRUNE_BATCH) break;
          }
        }
        return { ran: true, deleted, prunedThrough: through, forgottenReplicas: forgotten.rowCount ?? 0 };
      } finally {
        if (locked) await client.query('SELECT pg_advisory_unlock($1)', [PRUNE_LOCK]).catch(() => undefined);
        client.release();
      }
    },
  };
}
export type ChangeLogRepository = ReturnType<typeof createChangeLogRepository>;

async function inTransaction<T>(client: pg.PoolClient, fn: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const out = await fn();
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
