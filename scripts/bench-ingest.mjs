#!/usr/bin/env node
/**
 * Ingest benchmark: how fast candidates written through the API become searchable, and where the
 * time goes. Starts a fresh fleet (scripts/fleet.mjs on spare ports, empty database and index),
 * then:
 *
 *   bulk    POST /v1/candidates/bulk of N demo candidates (`--bulk-size` per request,
 *           `--bulk-concurrency` in flight) and time until every one is searchable: the outbox is
 *           empty and the vector index holds N vectors. Reports candidates/s, per-process CPU time
 *           (from /proc) and per-stage figures from hh-search's histograms: the Postgres write of
 *           each request, the embedding worker's claim / hh-embed call / apply per batch, and the
 *           change-log consumer's read + apply per batch.
 *   steady  afterwards, on the same fleet: `--steady-rate` new candidates per second for
 *           `--steady-seconds`, in requests of `--steady-request-size`, and for each candidate the
 *           time from sending its request until it is searchable, reported as p50/p95/p99/max.
 *           "Searchable" here is exact: the change-log row appended with the candidate's stored
 *           embedding has been applied by hh-search's consumer (readiness reports the applied seq).
 *
 *   pnpm build && pnpm bench:ingest                          # 20,000 bulk, then 200/s for 30 s
 *   pnpm bench:ingest --size 100000                          # the issue's figure
 *   pnpm bench:ingest --size 5000 --steady-seconds 0         # bulk only
 *   EMBED_WORKER_BATCH=256 pnpm bench:ingest                 # environment reaches the services
 *
 * Options:
 *   --size 20000                bulk: demo candidates to ingest (0: skip the bulk phase)
 *   --bulk-size 1000            candidates per bulk request
 *   --bulk-concurrency 3        bulk requests in flight
 *   --steady-rate 200           steady: candidates per second (0: skip the steady phase)
 *   --steady-seconds 30         steady: duration
 *   --steady-request-size 20    steady: candidates per request (requests are evenly spaced)
 *   --searchable-timeout 900    seconds to wait for the pool to become searchable
 *   --out FILE                  JSON output (default bench-results/ingest-<YYYY-MM-DD>.json)
 *   --keep / --verbose          keep the database / data dirs; show the fleet's output
 *
 * Database: BENCH_DATABASE_URL (or DATABASE_URL) creates a fresh database on that server; without
 * either the fleet runs an embedded PostgreSQL, whose CPU time is then reported too. The load
 * generator runs on the same machine as the fleet.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEMO_KEY,
  cpuDelta,
  fleetCpuSeconds,
  histogramDeltas,
  machineInfo,
  metricValues,
  requireBuilt,
  root,
  round,
  sleep,
  startFleet,
} from './lib/bench-fleet.mjs';

const usage =
  'usage: node scripts/bench-ingest.mjs [--size 20000] [--bulk-size 1000] [--bulk-concurrency 3] [--steady-rate 200] [--steady-seconds 30] [--steady-request-size 20] [--searchable-timeout 900] [--out FILE] [--keep] [--verbose]';
const { values: a } = parseArgs({
  args: process.argv.slice(2).filter((x) => x !== '--'),
  options: {
    size: { type: 'string', default: '20000' },
    'bulk-size': { type: 'string', default: '1000' },
    'bulk-concurrency': { type: 'string', default: '3' },
    'steady-rate': { type: 'string', default: '200' },
    'steady-seconds': { type: 'string', default: '30' },
    'steady-request-size': { type: 'string', default: '20' },
    'searchable-timeout': { type: 'string', default: '900' },
    out: { type: 'string' },
    keep: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (a.help) {
  console.log(usage);
  process.exit(0);
}
function int(name, min) {
  const n = Number(a[name]);
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} must be an integer ≥ ${min}\n${usage}`);
    process.exit(2);
  }
  return n;
}
const size = int('size', 0);
const bulkSize = int('bulk-size', 1);
const bulkConcurrency = int('bulk-concurrency', 1);
const steadyRate = int('steady-rate', 0);
const steadySeconds = int('steady-seconds', 0);
const steadyRequestSize = int('steady-request-size', 1);
const searchableTimeoutS = int('searchable-timeout', 1);
if (size === 0 && (steadyRate === 0 || steadySeconds === 0)) {
  console.error(`nothing to measure: both phases are off\n${usage}`);
  process.exit(2);
}
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
const log = (m) => console.log(`[bench:ingest] ${m}`);

requireBuilt();
const { createPool } = await import('@hh/db');
const { generateDemoCandidates } = await import('@hh/taxonomy');

/** Demo candidates → bulk items ({ id, ...PUT body }), the mapping scripts/fleet.mjs uses. */
function toBulkItems(all, prefix = '') {
  return all.map(({ externalId, id, ...rest }) => ({ id: `${prefix}${id ?? externalId}`, ...rest }));
}

async function postBulk(base, items) {
  const res = await fetch(`${base}/v1/candidates/bulk`, {
    method: 'POST',
    headers: { authorization: `Bearer ${DEMO_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(items),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`bulk ingest: HTTP ${res.status} ${text.slice(0, 500)}`);
  const body = JSON.parse(text);
  const failed = [];
  for (const it of body.items) {
    if (it.status === 'error') failed.push(items[it.index]);
    else if (it.status !== 'created') throw new Error(`bulk ingest: item not created: ${JSON.stringify(it)}`);
  }
  return failed;
}

/** `bulkConcurrency` requests in flight; items answered "error" (retry) are sent again, up to 5 rounds. */
async function ingestBulk(base, items) {
  let pending = items;
  let retried = 0;
  for (let round = 0; pending.length > 0; round++) {
    if (round > 5) throw new Error(`bulk ingest: ${pending.length} items still failing after 5 retry rounds`);
    if (round > 0) {
      retried += pending.length;
      await sleep(1000 * round);
    }
    const chunks = [];
    for (let i = 0; i < pending.length; i += bulkSize) chunks.push(pending.slice(i, i + bulkSize));
    const failed = [];
    let next = 0;
    const worker = async () => {
      while (next < chunks.length) failed.push(...(await postBulk(base, chunks[next++])));
    };
    await Promise.all(Array.from({ length: Math.min(bulkConcurrency, chunks.length) }, worker));
    pending = failed;
  }
  return retried;
}

async function readiness(base) {
  const res = await fetch(`${base}/health/ready`);
  const body = await res.json();
  const seq = body?.index?.lastSeq;
  if (typeof seq !== 'number') throw new Error(`readiness reports no index.lastSeq: ${JSON.stringify(body).slice(0, 300)}`);
  return seq;
}

async function waitSearchable(base, pool, n, t0) {
  const until = Date.now() + searchableTimeoutS * 1000;
  let lastReport = 0;
  for (;;) {
    const {
      rows: [row],
    } = await pool.query('SELECT count(*)::int AS outbox FROM embedding_outbox');
    const m = await metricValues(base);
    const vectors = m.hh_search_vector_index_vectors ?? 0;
    if (row.outbox === 0 && vectors >= n) return vectors;
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      log(`  ${round((performance.now() - t0) / 1000)} s: outbox ${row.outbox}, index ${vectors}/${n}`);
    }
    if (Date.now() > until) throw new Error(`not searchable after ${searchableTimeoutS} s (outbox ${row.outbox}, index ${vectors}/${n})`);
    await sleep(100);
  }
}

/** Stage figures between two /metrics snapshots, and the embed batch sizes hh-embed saw. */
function stages(before, after, wallSeconds) {
  const bg = histogramDeltas(before, after, 'hh_search_ingest_stage_seconds', 'stage');
  const store = histogramDeltas(before, after, 'hh_search_candidate_store_seconds', 'route');
  const out = {};
  for (const [k, v] of Object.entries({ store: store.bulk ?? store.put, ...bg })) {
    // busy: the stage's summed time over the wall time (> 1 when batches overlap).
    if (v) out[k] = { ...v, busy: round(v.totalSeconds / wallSeconds, 2) };
  }
  return out;
}

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

async function bulkPhase(fleet, pool) {
  const items = toBulkItems(generateDemoCandidates({ count: size, seed: 42 }));
  if (items.length !== size) throw new Error(`generateDemoCandidates returned ${items.length} candidates, expected ${size}`);
  const load1Before = round(os.loadavg()[0], 2);
  const mBefore = await metricValues(fleet.base);
  const cpuBefore = fleetCpuSeconds(fleet.pid);
  const t0 = performance.now();
  const retried = await ingestBulk(fleet.base, items);
  const tStored = performance.now();
  log(`stored ${size} in ${round((tStored - t0) / 1000)} s (${retried} item retries); waiting until searchable…`);
  const vectors = await waitSearchable(fleet.base, pool, size, t0);
  const tSearchable = performance.now();
  const wall = (tSearchable - t0) / 1000;
  const cpu = cpuDelta(cpuBefore, fleetCpuSeconds(fleet.pid), wall);
  const mAfter = await metricValues(fleet.base);
  const r = {
    candidates: size,
    bulkRequestSize: bulkSize,
    bulkConcurrency,
    storeSeconds: round((tStored - t0) / 1000, 2),
    storedPerSecond: round(size / ((tStored - t0) / 1000)),
    searchableSeconds: round(wall, 2),
    searchablePerSecond: round(size / wall),
    indexVectors: vectors,
    itemRetries: retried,
    stages: stages(mBefore, mAfter, wall),
    cpu,
    loadAvg1Before: load1Before,
    loadAvg1After: round(os.loadavg()[0], 2),
  };
  log(`searchable after ${r.searchableSeconds} s → ${r.searchablePerSecond} candidates/s (stored at ${r.storedPerSecond}/s)`);
  log(`  stages: ${Object.entries(r.stages).map(([k, v]) => `${k} ${v.count}× mean ${v.meanMs} ms (busy ${v.busy})`).join(', ')}`);
  log(`  CPU cores: ${Object.entries(cpu).map(([k, v]) => `${k} ${v.cores}`).join(', ')}`);
  return r;
}

/**
 * Tails the change log: for each of our candidates, the seq of the first row appended once its
 * embedding was stored (the worker appends it in the transaction that stores the vector, and
 * appends are serialised, so seq order is commit order and a tail by seq misses nothing).
 */
function createSearchableTracker(pool) {
  let after = 0;
  const searchableSeq = new Map();
  return {
    searchableSeq,
    async init() {
      after = (await pool.query('SELECT coalesce(max(seq), 0)::bigint AS s FROM change_log')).rows[0].s;
      after = Number(after);
    },
    async poll(prefix) {
      const { rows } = await pool.query(
        `SELECT l.seq, c.external_id, EXISTS (SELECT 1 FROM candidate_embeddings e WHERE e.candidate_id = l.candidate_id) AS embedded
           FROM change_log l JOIN candidates c ON c.id = l.candidate_id
          WHERE l.seq > $1 ORDER BY l.seq`,
        [after],
      );
      for (const r of rows) {
        after = Math.max(after, Number(r.seq));
        if (r.embedded && r.external_id.startsWith(prefix) && !searchableSeq.has(r.external_id)) searchableSeq.set(r.external_id, Number(r.seq));
      }
    },
  };
}

async function steadyPhase(fleet, pool) {
  const total = steadyRate * steadySeconds;
  const prefix = `steady-${Date.now().toString(36)}-`;
  const items = toBulkItems(generateDemoCandidates({ count: total, seed: 4242 }), prefix);
  const intervalMs = (1000 * steadyRequestSize) / steadyRate;
  const sentAt = new Map();
  const searchableAt = new Map();
  const tracker = createSearchableTracker(pool);
  await tracker.init();
  const mBefore = await metricValues(fleet.base);
  const cpuBefore = fleetCpuSeconds(fleet.pid);
  const load1Before = round(os.loadavg()[0], 2);
  const t0 = performance.now();
  let writing = true;
  let tEnd = Infinity;
  const writeErrors = [];
  const writeLatency = [];

  // Watcher: every 25 ms, what the consumer applied (readiness) and which embeddings were stored.
  const watcher = (async () => {

    while (writing || searchableAt.size < sentAt.size) {
      const applied = await readiness(fleet.base);
      const now = performance.now();
      await tracker.poll(prefix);
      for (const [id, seq] of tracker.searchableSeq) if (seq <= applied && !searchableAt.has(id)) searchableAt.set(id, now);
      if (!writing && now - tEnd > searchableTimeoutS * 1000) throw new Error(`steady: ${sentAt.size - searchableAt.size} candidates not searchable after ${searchableTimeoutS} s`);
      await sleep(25);
    }
  })();
  // Its failure is reported where it is awaited, after the writes; never as an unhandled rejection.
  watcher.catch(() => undefined);

  const inflight = [];
  for (let i = 0, k = 0; i < items.length; i += steadyRequestSize, k++) {
    const due = t0 + k * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const chunk = items.slice(i, i + steadyRequestSize);
    const sent = performance.now();
    for (const it of chunk) sentAt.set(it.id, sent);
    inflight.push(
      postBulk(fleet.base, chunk).then(
        (failed) => {
          writeLatency.push(performance.now() - sent);
          if (failed.length > 0) writeErrors.push(`${failed.length} items answered "error"`);
        },
        (err) => writeErrors.push(err.message),
      ),
    );
  }
  await Promise.all(inflight);
  tEnd = performance.now();
  writing = false;
  await watcher;
  if (writeErrors.length > 0) throw new Error(`steady: writes failed: ${writeErrors.slice(0, 3).join('; ')}`);
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuDelta(cpuBefore, fleetCpuSeconds(fleet.pid), wall);
  const lat = [...sentAt].map(([id, s]) => searchableAt.get(id) - s).sort((x, y) => x - y);
  writeLatency.sort((x, y) => x - y);
  const r = {
    candidates: total,
    ratePerSecond: steadyRate,
    achievedRatePerSecond: round(total / ((tEnd - t0) / 1000)),
    seconds: steadySeconds,
    requestSize: steadyRequestSize,
    writeToSearchableMs: { p50: round(quantile(lat, 0.5)), p95: round(quantile(lat, 0.95)), p99: round(quantile(lat, 0.99)), max: round(lat[lat.length - 1]) },
    writeRequestMs: { p50: round(quantile(writeLatency, 0.5)), p95: round(quantile(writeLatency, 0.95)), max: round(writeLatency[writeLatency.length - 1]) },
    pollIntervalMs: 25,
    stages: stages(mBefore, await metricValues(fleet.base), wall),
    cpu,
    loadAvg1Before: load1Before,
    loadAvg1After: round(os.loadavg()[0], 2),
  };
  log(`steady ${steadyRate}/s for ${steadySeconds} s: write→searchable p50 ${r.writeToSearchableMs.p50} / p95 ${r.writeToSearchableMs.p95} / p99 ${r.writeToSearchableMs.p99} / max ${r.writeToSearchableMs.max} ms (write request p50 ${r.writeRequestMs.p50} ms)`);
  log(`  stages: ${Object.entries(r.stages).map(([k, v]) => `${k} ${v.count}× mean ${v.meanMs} ms (busy ${v.busy})`).join(', ')}`);
  log(`  CPU cores: ${Object.entries(cpu).map(([k, v]) => `${k} ${v.cores}`).join(', ')}`);
  return r;
}

const startedAt = new Date();
const machine = machineInfo();
log(`machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.totalMemGiB} GiB, Node ${machine.node}, commit ${machine.commit}, load ${machine.loadAvgAtStart.join(' ')}`);
const fleet = await startFleet({ label: `ingest${size}`, adminUrl, keep: a.keep, verbose: a.verbose, log });
const pool = createPool(fleet.dbUrl, { max: 2 });
let result;
try {
  const bulk = size > 0 ? await bulkPhase(fleet, pool) : null;
  const steady = steadyRate > 0 && steadySeconds > 0 ? await steadyPhase(fleet, pool) : null;
  result = { bulk, steady };
} finally {
  await pool.end();
  await fleet.stop();
}

const settings = Object.fromEntries(
  ['EMBED_WORKER_BATCH', 'EMBED_WORKER_CONCURRENCY', 'EMBED_WORKER_POLL_MS', 'EMBED_BATCH_MAX', 'EMBED_MAX_ITEMS', 'INDEX_POLL_MS'].filter((k) => process.env[k]).map((k) => [k, process.env[k]]),
);
const out = a.out ?? join(root, 'bench-results', `ingest-${startedAt.toISOString().slice(0, 10)}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify(
    {
      benchmark: 'hh ingest: bulk API until searchable, and write→searchable latency at a steady rate',
      command: `node scripts/bench-ingest.mjs ${process.argv.slice(2).join(' ')}`.trim(),
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine,
      settings: {
        database: adminUrl ? 'postgres server (BENCH_DATABASE_URL/DATABASE_URL), fresh database' : 'embedded PostgreSQL, fresh data dir',
        environment: settings,
        loadGenerator: 'this script, on the same machine as the fleet',
        searchable: 'bulk: outbox empty and the vector index holds every vector; steady: the change-log row appended with the stored embedding is applied by the consumer (readiness lastSeq)',
      },
      ...result,
    },
    null,
    2,
  )}\n`,
);
log(`wrote ${out}`);
