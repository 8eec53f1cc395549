import pg from 'pg';

export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

export interface PoolOptions {
  max?: number;
  connectionTimeoutMillis?: number;
  statementTimeoutMs?: number;
  idleTimeoutMillis?: number;
  applicationName?: string;
}

// bigint (int8) columns come back as strings by default; our ids fit in 2^53, so parse them.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${v} exceeds 2^53`);
  return n;
});

/**
 * A pg Pool with every timeout set: pg's defaults wait forever (docs/RELIABILITY.md §2.8).
 * Pool 'error' events (an idle client losing its server) are logged, never fatal.
 */
export function createPool(connectionString: string, opts: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: opts.max ?? 10,
    connectionTimeoutMillis: opts.connectionTimeoutMillis ?? 2_000,
    idleTimeoutMillis: opts.idleTimeoutMillis ?? 10_000,
    statement_timeout: opts.statementTimeoutMs ?? 10_000,
    idle_in_transaction_session_timeout: 30_000,
    application_name: opts.applicationName ?? 'hh',
  });
  pool.on('error', (err) => {
    process.emitWarning(`postgres pool: idle client error: ${err.message}`);
  });
  return pool;
}
