#!/usr/bin/env node
/**
 * The Postgres-only peer: the design most teams would build instead of hh. One HTTP endpoint,
 * POST /search, taking hh's search body ({ jobDescription | query, filters?, limit }), answered by
 * ONE SQL statement: pgvector HNSW top 100 + the full-text top 100 + reciprocal-rank fusion (k 60),
 * joined to the page fields. No specialty branch, no rerank, no cache.
 *
 * The full-text part is hh-search's own statement (read-repository fullText: the rarest-lexemes
 * OR tsquery for a job description, websearch semantics for a typed query, ts_rank, hh's filter
 * SQL), obtained by calling that function with a recorder in place of a database and embedded as a
 * CTE, so both sides rank text with the same SQL. Query embeddings come precomputed from hh-embed
 * (PEER_QUERIES: a JSON file of [vectorText, vector] pairs), so this process does no embedding.
 *
 * Environment: PEER_DATABASE_URL, PEER_QUERIES, PEER_TENANT_ID, HH_ROOT, PEER_POOL_MAX (10),
 * PEER_EF_SEARCH (100). Prints `listening <port>` once ready.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createPool } from '@hh/db';
import { peerStatement } from './peer-sql.mjs';
import { loadServiceModules } from './services.mjs';

const mods = await loadServiceModules(process.env.HH_ROOT);
const tenantId = Number(process.env.PEER_TENANT_ID);
const window = 100;
const rrfK = 60;
const vectors = new Map(JSON.parse(readFileSync(process.env.PEER_QUERIES, 'utf8')).map(([text, v]) => [text, `[${v.join(',')}]`]));
const efSearch = Number(process.env.PEER_EF_SEARCH ?? 100);
const pool = createPool(process.env.PEER_DATABASE_URL, { max: Number(process.env.PEER_POOL_MAX ?? 10), statementTimeoutMs: 30_000, applicationName: 'hh-bench-peer' });
// ef_search below the LIMIT would cap the HNSW answer at ef_search rows; iterative scans (pgvector
// ≥ 0.8) keep a filtered query from coming back short.
pool.on('connect', (client) => {
  client.query(`SET hnsw.ef_search = ${efSearch}; SET hnsw.iterative_scan = relaxed_order`).catch(() => undefined);
});

async function search(req) {
  const vec = vectors.get(mods.vectorText(req));
  if (!vec) throw Object.assign(new Error('no precomputed embedding for this query'), { status: 400 });
  const { text, values } = await peerStatement(mods, req, { vector: vec, tenantId, window, rrfK });
  const { rows } = await pool.query(text, values);
  return rows.map((r, i) => ({
    candidateId: r.external_id,
    rank: i + 1,
    score: Number(r.score),
    title: r.title,
    headline: r.headline,
    location: { country: r.country, city: r.city },
    remote: r.remote,
    yearsExperience: r.years_experience,
    seniority: r.seniority,
  }));
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const t0 = performance.now();
    try {
      if (req.method !== 'POST' || req.url !== '/search') throw Object.assign(new Error('POST /search only'), { status: 404 });
      const results = await search(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ results, tookMs: Math.round((performance.now() - t0) * 100) / 100 }));
    } catch (err) {
      res.writeHead(err.status ?? 500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: err.message }));
    }
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    server.close();
    void pool.end().finally(() => process.exit(0));
  });
}
