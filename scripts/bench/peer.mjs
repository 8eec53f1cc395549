/**
 * Sets up the Postgres-only peer on the bench database: the stored embeddings (candidate_embeddings,
 * the very vectors hh-search indexes) copied into a pgvector column with an HNSW index, beside the
 * same candidates table (its tsvector and GIN index are shared with hh's Postgres full-text branch),
 * then starts scripts/bench/peer-server.mjs. Needs the pgvector extension on the server:
 * `bash ../shared/tools/pgvector-peer.sh` (or the distribution's postgresql-NN-pgvector package).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { psqlCopy } from './services.mjs';

const PAGE = 5_000;

/** pgvector's binary COPY representation: int16 dims, int16 unused, float4 big-endian each. */
function vectorBinary(le, dims) {
  const out = Buffer.allocUnsafe(4 + dims * 4);
  out.writeInt16BE(dims, 0);
  out.writeInt16BE(0, 2);
  for (let i = 0; i < dims; i++) out.writeFloatBE(le.readFloatLE(i * 4), 4 + i * 4);
  return out;
}

function field(buf) {
  const len = Buffer.allocUnsafe(4);
  len.writeInt32BE(buf.length, 0);
  return [len, buf];
}

/**
 * @returns {Promise<{ vectors: number, copySeconds: number, hnswBuildSeconds: number, tableBytes: number, hnswBytes: number, ... }>}
 */
export async function buildPeerTables({ pool, dbUrl, model, dims = 768, log }) {
  try {
    await pool.query('CREATE EXTENSION IF NOT EXISTS vector');
  } catch (err) {
    throw new Error(`the peer needs pgvector on this PostgreSQL server (${err.message}); install it with: bash ../shared/tools/pgvector-peer.sh, or run with --no-peer`);
  }
  await pool.query('DROP TABLE IF EXISTS peer_vectors');
  await pool.query(`CREATE TABLE peer_vectors (id bigint PRIMARY KEY, tenant_id integer NOT NULL, embedding vector(${dims}) NOT NULL)`);
  const t0 = performance.now();
  let n = 0;
  await psqlCopy(dbUrl, '\\copy peer_vectors (id, tenant_id, embedding) FROM pstdin WITH (FORMAT binary)', async (write) => {
    await write(Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]));
    let after = 0;
    for (;;) {
      const { rows } = await pool.query(
        'SELECT candidate_id, tenant_id, embedding FROM candidate_embeddings WHERE model = $1 AND dims = $2 AND candidate_id > $3 ORDER BY candidate_id LIMIT $4',
        [model, dims, after, PAGE],
      );
      const parts = [];
      for (const r of rows) {
        const count = Buffer.allocUnsafe(2);
        count.writeInt16BE(3, 0);
        const id = Buffer.allocUnsafe(8);
        id.writeBigInt64BE(BigInt(r.candidate_id), 0);
        const tenant = Buffer.allocUnsafe(4);
        tenant.writeInt32BE(r.tenant_id, 0);
        parts.push(count, ...field(id), ...field(tenant), ...field(vectorBinary(r.embedding, dims)));
      }
      if (parts.length) await write(Buffer.concat(parts));
      n += rows.length;
      if (rows.length < PAGE) break;
      after = Number(rows[rows.length - 1].candidate_id);
    }
    const trailer = Buffer.allocUnsafe(2);
    trailer.writeInt16BE(-1, 0);
    await write(trailer);
  });
  const tCopy = performance.now();
  log(`peer: ${n} vectors copied into peer_vectors in ${((tCopy - t0) / 1000).toFixed(1)} s; building the HNSW index…`);
  // One connection with room to build the graph in memory (pgvector warns and slows down otherwise).
  const client = await pool.connect();
  try {
    await client.query("SET maintenance_work_mem = '2GB'");
    await client.query('SET statement_timeout = 0');
    await client.query('CREATE INDEX peer_vectors_hnsw ON peer_vectors USING hnsw (embedding vector_cosine_ops)');
    await client.query('ANALYZE peer_vectors');
  } finally {
    client.release();
  }
  const tIndex = performance.now();
  const {
    rows: [sz],
  } = await pool.query("SELECT pg_table_size('peer_vectors')::float8 AS t, pg_relation_size('peer_vectors_hnsw')::float8 AS h");
  return {
    vectors: n,
    copySeconds: Math.round((tCopy - t0) / 10) / 100,
    hnswBuildSeconds: Math.round((tIndex - tCopy) / 10) / 100,
    hnswParams: 'm 16, ef_construction 64 (pgvector defaults), vector_cosine_ops',
    tableBytes: sz.t,
    hnswBytes: sz.h,
  };
}

/**
 * Starts the peer's HTTP server; resolves with { base, pid, stop }. `queries` are
 * [vectorText, vector] pairs (the precomputed query embeddings).
 */
export async function startPeerServer({ root, dbUrl, tenantId, queries, tmpDir, env = {} }) {
  const file = join(tmpDir, `peer-queries-${process.pid}-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(queries.map(([t, v]) => [t, Array.from(v, (x) => Number(x.toFixed(7)))])));
  const child = spawn(process.execPath, [join(root, 'scripts/bench/peer-server.mjs')], {
    cwd: root,
    env: { ...process.env, ...env, HH_ROOT: root, PEER_DATABASE_URL: dbUrl, PEER_QUERIES: file, PEER_TENANT_ID: String(tenantId) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const port = await new Promise((res, rej) => {
    const onData = (b) => {
      out += b.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) res(Number(m[1]));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => rej(new Error(`peer server exited (${code}) before listening:\n${out.slice(-2000)}`)));
  });
  return {
    base: `http://127.0.0.1:${port}`,
    pid: child.pid,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(t);
    },
  };
}
