#!/usr/bin/env node
/**
 * Search benchmark: for each pool size, start a fresh fleet (scripts/fleet.mjs on spare ports and
 * an empty database), ingest the deterministic demo pool through POST /v1/candidates/bulk, time it
 * until every candidate is searchable, then measure uncached search latency with autocannon at
 * each concurrency level. Prints a table and writes JSON (machine info included).
 *
 *   pnpm build && pnpm bench:search                       # sizes 5000,50000; 20 s per level
 *   pnpm bench:search --sizes 5000 --duration 10
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres pnpm bench:search
 *
 * Options:
 *   --sizes 5000,50000        pool sizes (each gets its own fresh fleet and database)
 *   --concurrency 1,8         concurrency levels for the latency runs
 *   --duration 20             seconds per latency run (after a 3 s unmeasured warm-up)
 *   --bulk-concurrency 3      bulk requests in flight during ingest (1000 candidates each)
 *   --searchable-timeout 900  seconds to wait for the pool to become searchable
 *   --out FILE                JSON output (default bench-results/search-<YYYY-MM-DD>.json)
 *   --keep                    keep the benchmark databases / data dirs
 *   --verbose                 show the fleet's own output
 *
 * Database: with BENCH_DATABASE_URL (or DATABASE_URL) a database hh_bench_<size>_<run> is created
 * on that server and dropped afterwards; otherwise each fleet runs an embedded PostgreSQL in a
 * temporary data dir. REDIS_URL is not passed on (a shared Redis could answer from an earlier
 * run's cache: tenant ids repeat across fresh databases); each fleet uses its in-process cache.
 * Other environment variables reach the services unchanged (e.g. EMBED_WORKER_BATCH=256).
 *
 * "Searchable" means: embedding_outbox is empty and hh-search's index reports
 * hh_search_vector_index_vectors ≥ N. The load generator runs on the same machine as the fleet.
 */
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runScenario } from '../loadtest/lib/driver.mjs';
import { BUILTIN_VOCAB, createSearchBodies } from '../loadtest/lib/gen.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEMO_KEY = process.env.HH_DEMO_API_KEY ?? 'hh_demo_key_change_me';

const { values: a } = parseArgs({
  // `pnpm bench:search -- --sizes 5000` passes the `--` through; drop it.
  args: process.argv.slice(2).filter((x) => x !== '--'),
  options: {
    sizes: { type: 'string', default: '5000,50000' },
    concurrency: { type: 'string', default: '1,8' },
    duration: { type: 'string', default: '20' },
    'bulk-concurrency': { type: 'string', default: '3' },
    'searchable-timeout': { type: 'string', default: '900' },
    out: { type: 'string' },
    keep: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (a.help) {
  console.log(readUsage());
  process.exit(0);
}

function fail(msg) {
  console.error(`${msg}\n${readUsage()}`);
  process.exit(2);
}
function intList(name, v) {
  const out = v.split(',').map((x) => Number(x.trim()));
  if (out.length === 0 || out.some((n) => !Number.isInteger(n) || n < 1)) fail(`--${name} must be a comma-separated list of positive integers`);
  return out;
}
function posInt(name, v) {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) fail(`--${name} must be a positive integer`);
  return n;
}
function readUsage() {
  return 'usage: node scripts/bench-search.mjs [--sizes 5000,50000] [--concurrency 1,8] [--duration 20] [--bulk-concurrency 3] [--searchable-timeout 900] [--out FILE] [--keep] [--verbose]';
}

const sizes = intList('sizes', a.sizes);
const levels = intList('concurrency', a.concurrency);
const durationS = posInt('duration', a.duration);
const bulkConcurrency = posInt('bulk-concurrency', a['bulk-concurrency']);
const searchableTimeoutS = posInt('searchable-timeout', a['searchable-timeout']);
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
const runTag = Date.now().toString(36);
const log = (m) => console.log(`[bench] ${m}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

async function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => res(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

function withDatabase(url, db) {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

async function adminQuery(sql) {
  const pool = createPool(adminUrl, { max: 1 });
  try {
    return await pool.query(sql);
  } finally {
    await pool.end();
  }
}

function machineInfo() {
  const cpus = os.cpus();
  let commit = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {}
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    totalMemGiB: round(os.totalmem() / 2 ** 30, 1),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    commit,
    // Other work on the machine skews every figure; the load average says how busy it was.
    loadAvgAtStart: os.loadavg().map((x) => round(x, 2)),
  };
}

/** Starts scripts/fleet.mjs with its own ports and database; resolves once it prints its banner. */
async function startFleet(size) {
  const ports = { search: await freePort(), embed: await freePort(), rerank: await freePort() };
  const env = { ...process.env, HH_DEMO_SIZE: '0', PORT: String(ports.search), HH_EMBED_PORT: String(ports.embed), HH_RERANK_PORT: String(ports.rerank), LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' };
  delete env.REDIS_URL;
  delete env.HH_SEARCH_PORT;
  let dbUrl;
  let cleanup;
  if (adminUrl) {
    const db = `hh_bench_${size}_${runTag}`;
    await adminQuery(`CREATE DATABASE ${db}`);
    dbUrl = withDatabase(adminUrl, db);
    env.DATABASE_URL = dbUrl;
    cleanup = async () => {
      if (!a.keep) await adminQuery(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      else log(`kept database ${db}`);
    };
  } else {
    delete env.DATABASE_URL;
    const dataDir = mkdtempSync(join(os.tmpdir(), `hh-bench-${size}-`));
    // mkdtemp's folder is private; as root the embedded server runs as the OS user postgres, which
    // must be able to enter it for the data to stay in this throwaway folder (packages/db/src/embedded.ts).
    chmodSync(dataDir, 0o755);
    const pgPort = await freePort();
    env.HH_DATA_DIR = dataDir;
    env.HH_PG_PORT = String(pgPort);
    dbUrl = `postgres://postgres:postgres@127.0.0.1:${pgPort}/postgres`;
    cleanup = async () => {
      if (!a.keep) rmSync(dataDir, { recursive: true, force: true });
      else log(`kept data dir ${dataDir}`);
    };
  }

  // Fresh vector-index snapshots per run: the bench measures a cold, empty fleet.
  env.INDEX_SNAPSHOT_DIR = mkdtempSync(join(os.tmpdir(), `hh-bench-index-${size}-`));
  // The bench measures capacity with one tenant: the per-tenant quota must not be what it measures.
  env.SEARCH_RATE_LIMIT_PER_MINUTE ??= '0';
  const child = spawn(process.execPath, [join(root, 'scripts/fleet.mjs')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  // The fleet's own log (warnings, 5xx stack traces) goes to a file for post-mortems of odd figures.
  const logPath = join(root, 'bench-results/tmp', `fleet-${size}-${runTag}.log`);
  mkdirSync(dirname(logPath), { recursive: true });
  const logFile = createWriteStream(logPath);
  const tail = [];
  let banner = false;
  const onData = (buf) => {
    const text = buf.toString();
    logFile.write(text);
    if (text.includes('hh is running')) banner = true;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 40) tail.shift();
      if (a.verbose) console.log(`  | ${line}`);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise((r) => child.once('exit', (code, signal) => r(signal ?? code)));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(t);
    }
    logFile.end();
    log(`fleet log: ${logPath}`);
    await cleanup();
  };

  const until = Date.now() + 300_000;
  let exitedWith;
  void exited.then((c) => (exitedWith = c));
  while (!banner) {
    if (exitedWith !== undefined) {
      await cleanup();
      throw new Error(`fleet exited (${exitedWith}) before it was ready; last output:\n${tail.join('\n')}`);
    }
    if (Date.now() > until) {
      await stop();
      throw new Error(`fleet not ready after 300 s; last output:\n${tail.join('\n')}`);
    }
    await sleep(200);
  }
  return { base: `http://127.0.0.1:${ports.search}`, dbUrl, stop, tail };
}

async function metricValues(base) {
  const res = await fetch(`${base}/metrics`);
  const text = await res.text();
  const out = {};
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.trim()) continue;
    const sp = line.lastIndexOf(' ');
    out[line.slice(0, sp)] = Number(line.slice(sp + 1));
  }
  return out;
}

/** Mean duration (ms) and count per search stage between two /metrics snapshots (exact: sum/count deltas). */
function branchMeans(before, after) {
  const out = {};
  for (const [key, sum] of Object.entries(after)) {
    const m = /^hh_search_branch_duration_seconds_sum\{branch="([^"]+)"\}$/.exec(key);
    if (!m) continue;
    const countKey = `hh_search_branch_duration_seconds_count{branch="${m[1]}"}`;
    const n = (after[countKey] ?? 0) - (before[countKey] ?? 0);
    if (n > 0) out[m[1]] = { count: n, meanMs: round(((sum - (before[key] ?? 0)) / n) * 1000, 1) };
  }
  return out;
}

/** Demo candidates → bulk items ({ id, ...PUT body }), the same mapping scripts/fleet.mjs uses. */
function toBulkItems(all) {
  return all.map(({ externalId, id, ...rest }) => ({ id: id ?? externalId, ...rest }));
}

/** Query vocabulary from the pool itself (titles with their skills, cities), so searches find people. */
function vocabFrom(items) {
  const byTitle = new Map();
  const cities = new Map();
  for (const c of items) {
    if (typeof c.title !== 'string') continue;
    const skills = byTitle.get(c.title) ?? new Set();
    for (const s of c.skills ?? []) if (skills.size < 30) skills.add(s);
    byTitle.set(c.title, skills);
    const loc = c.location;
    if (loc?.city && loc?.country && /^[A-Za-z]{2}$/.test(loc.country)) cities.set(`${loc.city}|${loc.country}`, { city: loc.city, country: loc.country });
  }
  const families = [...byTitle].filter(([, s]) => s.size >= 3).map(([t, s]) => ({ titles: [t], skills: [...s] }));
  return {
    families: families.length >= 10 ? families : BUILTIN_VOCAB.families,
    cities: cities.size >= 5 ? [...cities.values()] : BUILTIN_VOCAB.cities,
  };
}

/**
 * Bulk ingest with `bulkConcurrency` requests of 1000 in flight. Items the API answers with
 * status "error" ("could not be stored; retry") are sent again, as a client should, up to 5
 * rounds with a growing pause; how many needed it is reported. Any other rejection aborts.
 */
async function ingest(base, items) {
  const counts = {};
  let retried = 0;
  let pending = items;
  for (let round = 0; pending.length > 0; round++) {
    if (round > 0) {
      if (round > 5) throw new Error(`bulk ingest: ${pending.length} items still failing after 5 retry rounds`);
      retried += pending.length;
      log(`  retrying ${pending.length} items the API answered with status "error" (round ${round})`);
      await sleep(1000 * round);
    }
    const chunks = [];
    for (let i = 0; i < pending.length; i += 1000) chunks.push(pending.slice(i, i + 1000));
    const failed = [];
    let next = 0;
    const worker = async () => {
      while (next < chunks.length) {
        const chunk = chunks[next++];
        const res = await fetch(`${base}/v1/candidates/bulk`, {
          method: 'POST',
          headers: { authorization: `Bearer ${DEMO_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify(chunk),
        });
        const text = await res.text();
        if (!res.ok) throw new Error(`bulk ingest: HTTP ${res.status} ${text.slice(0, 500)}`);
        const body = JSON.parse(text);
        for (const it of body.items) {
          if (it.status === 'error') failed.push(chunk[it.index]);
          else if (['created', 'updated', 'unchanged'].includes(it.status)) counts[it.status] = (counts[it.status] ?? 0) + 1;
          else throw new Error(`bulk ingest: item rejected: ${JSON.stringify(it)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(bulkConcurrency, chunks.length) }, worker));
    pending = failed;
  }
  return { counts, retried };
}

async function waitSearchable(base, dbUrl, n, t0) {
  const pool = createPool(dbUrl, { max: 1 });
  const until = Date.now() + searchableTimeoutS * 1000;
  let lastReport = 0;
  try {
    for (;;) {
      const { rows: [row] } = await pool.query('SELECT count(*)::int AS outbox FROM embedding_outbox');
      const m = await metricValues(base);
      const vectors = m.hh_search_vector_index_vectors ?? 0;
      if (row.outbox === 0 && vectors >= n) return { vectors, metrics: m };
      if (Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        log(`  ${round((performance.now() - t0) / 1000)} s: outbox ${row.outbox}, index ${vectors}/${n}`);
      }
      if (Date.now() > until) throw new Error(`not searchable after ${searchableTimeoutS} s (outbox ${row.outbox}, index ${vectors}/${n})`);
      await sleep(250);
    }
  } finally {
    await pool.end();
  }
}

async function benchSize(size) {
  log(`=== ${size} candidates: starting a fresh fleet (${adminUrl ? 'database on BENCH_DATABASE_URL server' : 'embedded PostgreSQL'})`);
  const fleet = await startFleet(size);
  try {
    const tg = performance.now();
    const items = toBulkItems(generateDemoCandidates({ count: size, seed: 42 }));
    log(`generated ${items.length} demo candidates in ${round((performance.now() - tg) / 1000, 2)} s (not timed)`);
    if (items.length !== size) throw new Error(`generateDemoCandidates returned ${items.length} candidates, expected ${size}`);

    const ingestLoadAvg1Before = round(os.loadavg()[0], 2);
    const t0 = performance.now();
    const { counts, retried } = await ingest(fleet.base, items);
    const tStored = performance.now();
    log(`stored ${size} in ${round((tStored - t0) / 1000)} s (${JSON.stringify(counts)}, ${retried} item retries); waiting until searchable…`);
    const { vectors, metrics } = await waitSearchable(fleet.base, fleet.dbUrl, size, t0);
    const tSearchable = performance.now();
    const ingestResult = {
      candidates: size,
      bulkRequestSize: 1000,
      bulkConcurrency,
      storeSeconds: round((tStored - t0) / 1000, 2),
      storedPerSecond: round(size / ((tStored - t0) / 1000)),
      searchableSeconds: round((tSearchable - t0) / 1000, 2),
      searchablePerSecond: round(size / ((tSearchable - t0) / 1000)),
      indexVectors: vectors,
      counts,
      itemRetries: retried,
      loadAvg1Before: ingestLoadAvg1Before,
      loadAvg1After: round(os.loadavg()[0], 2),
    };
    log(`searchable after ${ingestResult.searchableSeconds} s → ${ingestResult.searchablePerSecond} candidates/s`);

    // One real search first: a benchmark of empty result pages would measure nothing useful.
    const next = createSearchBodies({ vocab: vocabFrom(items), seed: 20_251_123 + size, kind: 'jd' });
    const probe = await fetch(`${fleet.base}/v1/search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DEMO_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(next()),
    });
    const probeBody = await probe.json();
    if (!probe.ok || !Array.isArray(probeBody.results) || probeBody.results.length === 0) {
      throw new Error(`probe search returned HTTP ${probe.status} with ${probeBody.results?.length ?? 'no'} results: ${JSON.stringify(probeBody).slice(0, 500)}`);
    }
    log(`probe search: ${probeBody.results.length} results, degraded=${JSON.stringify(probeBody.degraded)}, tookMs=${probeBody.tookMs}`);

    // All phases draw from one generator, so no body repeats within this fleet: every request misses the caches.
    const scenario = (name) => ({ name, group: 'search', method: 'POST', path: '/v1/search', body: () => next, load: { concurrency: 1, duration: `${durationS}s` } });
    await runScenario({ url: fleet.base, apiKey: DEMO_KEY, scenario: scenario('warmup'), duration: 3, connections: 2 });
    const latency = [];
    for (const c of levels) {
      const loadAvg1Before = round(os.loadavg()[0], 2);
      const mBefore = await metricValues(fleet.base);
      const r = await runScenario({ url: fleet.base, apiKey: DEMO_KEY, scenario: scenario(`uncached_c${c}`), connections: c, duration: durationS });
      r.loadAvg1Before = loadAvg1Before;
      r.loadAvg1After = round(os.loadavg()[0], 2);
      // Where the time went: mean per search stage over this run, from hh-search's own histograms.
      r.stagesMeanMs = branchMeans(mBefore, await metricValues(fleet.base));
      log(`  c=${c} stage means: ${Object.entries(r.stagesMeanMs).map(([k, v]) => `${k} ${v.meanMs} ms`).join(', ')}`);
      log(`  c=${c}: ${r.ok} ok in ${r.durationS} s, ${r.throughputRps} req/s, p50 ${r.latencyMs.p50} / p95 ${r.latencyMs.p95} / p99 ${r.latencyMs.p99} ms, non-2xx ${r.non2xx}, degraded ${round(r.degradedShare * 100)}% (failure ${round(r.failureDegradedShare * 100)}%) ${JSON.stringify(r.degradedReasons)}, cache ${JSON.stringify(r.cache)}`);
      latency.push({ concurrency: c, ...r });
    }
    const after = await metricValues(fleet.base);
    const proc = {
      searchRssMiB: round((after.hh_search_process_resident_memory_bytes ?? NaN) / 2 ** 20),
      searchHeapUsedMiB: round((after.hh_search_nodejs_heap_size_used_bytes ?? NaN) / 2 ** 20),
      embeddingJobs: metrics.hh_search_embedding_jobs_total ?? null,
      embeddingFailures: after.hh_search_embedding_failures_total ?? null,
    };
    return { size, ingest: ingestResult, latency, process: proc };
  } finally {
    await fleet.stop();
  }
}

for (const svc of ['hh-search', 'hh-embed', 'hh-rerank']) {
  if (!existsSync(join(root, 'services', svc, 'dist/server.js'))) {
    console.error(`services/${svc}/dist/server.js is missing: run \`pnpm build\` first`);
    process.exit(2);
  }
}
const { createPool } = await import('@hh/db');
const taxonomy = await import('@hh/taxonomy');
if (typeof taxonomy.generateDemoCandidates !== 'function') {
  console.error('@hh/taxonomy does not export generateDemoCandidates (is packages/taxonomy built?)');
  process.exit(2);
}
const { generateDemoCandidates } = taxonomy;

const startedAt = new Date();
const machine = machineInfo();
log(`machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.totalMemGiB} GiB, Node ${machine.node}, commit ${machine.commit}`);
const results = [];
for (const size of sizes) results.push(await benchSize(size));

console.log('\nIngest (bulk API, 1000 per request) until searchable');
console.log('candidates  bulk∥  stored s  stored/s  searchable s  searchable/s');
for (const r of results) {
  const i = r.ingest;
  console.log(`${String(i.candidates).padStart(10)}  ${String(i.bulkConcurrency).padStart(5)}  ${i.storeSeconds.toFixed(1).padStart(8)}  ${i.storedPerSecond.toFixed(0).padStart(8)}  ${i.searchableSeconds.toFixed(1).padStart(12)}  ${i.searchablePerSecond.toFixed(0).padStart(12)}`);
}
console.log('\nUncached search latency (distinct job descriptions, rerank on, limit 20)');
console.log('candidates  conc   req/s   p50 ms   p95 ms   p99 ms   2xx  non-2xx  errors  degraded  failure-degr.  load1  cache');
for (const r of results) {
  for (const l of r.latency) {
    console.log(
      `${String(r.size).padStart(10)}  ${String(l.concurrency).padStart(4)}  ${l.throughputRps.toFixed(1).padStart(6)}  ${l.latencyMs.p50.toFixed(1).padStart(7)}  ${l.latencyMs.p95.toFixed(1).padStart(7)}  ${l.latencyMs.p99.toFixed(1).padStart(7)}  ${String(l.ok).padStart(4)}  ${String(l.non2xx).padStart(7)}  ${String(l.errors + l.timeouts).padStart(6)}  ${`${(l.degradedShare * 100).toFixed(1)}%`.padStart(8)}  ${`${(l.failureDegradedShare * 100).toFixed(1)}%`.padStart(13)}  ${l.loadAvg1Before.toFixed(1).padStart(5)}  ${Object.entries(l.cache).map(([k, v]) => `${k}:${v}`).join(' ')}`,
    );
  }
}

const out = a.out ?? join(root, 'bench-results', `search-${startedAt.toISOString().slice(0, 10)}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify(
    {
      benchmark: 'hh search: ingest until searchable + uncached search latency',
      command: `node scripts/bench-search.mjs ${process.argv.slice(2).join(' ')}`.trim(),
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine,
      settings: {
        sizes,
        concurrency: levels,
        durationSeconds: durationS,
        warmupSeconds: 3,
        bulkConcurrency,
        database: adminUrl ? 'postgres server (BENCH_DATABASE_URL/DATABASE_URL), fresh database per size' : 'embedded PostgreSQL, fresh data dir per size',
        cache: 'in-process (REDIS_URL not passed on)',
        queries: 'distinct job descriptions from the pool vocabulary (seeded), rerank on, limit 20',
        loadGenerator: 'autocannon on the same machine as the fleet',
      },
      results,
    },
    null,
    2,
  )}\n`,
);
log(`wrote ${out}`);
