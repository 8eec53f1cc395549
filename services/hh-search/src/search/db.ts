/**
 * Queries inside a time budget. Each runs in a short transaction with SET LOCAL
 * statement_timeout, so when a branch gives up, Postgres cancels its statement too and the
 * connection returns to the pool instead of staying busy until the global statement timeout.
 */
import type pg from 'pg';

export type BudgetedQuery = <R extends pg.QueryResultRow>(q: pg.QueryConfig) => Promise<pg.QueryResult<R>>;

export function budgetedQuery(pool: pg.Pool, budgetMs: () => number): BudgetedQuery {
  return async <R extends pg.QueryResultRow>(q: pg.QueryConfig) => {
    const ms = Math.floor(budgetMs());
    if (ms <= 0) throw Object.assign(new Error('no time left in the request budget'), { code: '57014' });
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      // Pool checkout timed out, or a new connection could not be made in time / at all.
      throw new DatabaseUnavailable((err as Error).message);
    }
    try {
      await client.query(`BEGIN; SET LOCAL statement_timeout = ${Math.max(1, ms)}`);
      const res = await client.query<R>(q);
      await client.query('COMMIT');
      return res;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  };
}

export class DatabaseUnavailable extends Error {
  override readonly name = 'DatabaseUnavailable';
}

/** No connection could be had in time, or the statement was cancelled by its timeout. */
export function isOverload(err: unknown): boolean {
  return err instanceof DatabaseUnavailable || (err as { code?: string })?.code === '57014';
}
