#!/usr/bin/env node
/**
 * Search benchmark (the figures of docs/performance.md). For each pool size: a fresh database and
 * fleet (scripts/fleet.mjs on spare ports), the deterministic demo pool loaded through the bulk API
 * (timed until searchable) or offline with COPY, then at each concurrency level an uncached search
 * run against hh and, in the same run, against the Postgres-only peer (pgvector HNSW + full text +
 * RRF in one SQL statement, same pool, same queries, same query embeddings). Each run reports
 * req/s, p50/p95/p99, the share of responses degraded by a failure (split by code) and CPU-ms per
 * search of every process from /proc. Then hh-search's memory by structure, and write → searchable
 * latency under a steady write load. Prints tables and writes JSON (machine info included).
 *
 *   pnpm build && BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres pnpm bench:search
 *   pnpm bench:search --quick                      # smoke run: 2,000 candidates, short runs
 *   pnpm bench:search --sizes 100000 --concurrency 1,8 --duration 20
 *   pnpm bench:search --sizes 1000000 --load copy --env LEXICAL_INDEX=postgres
 *
 * Options:
 *   --sizes 100000,1000000    pool sizes (each gets its own fresh fleet and database)
 *   --concurrency 1,8,32      concurrency levels
 *   --duration 20             seconds per measured run (after a 3 s unmeasured warm-up)
 *   --load auto|http|copy     http: POST /v1/candidates/bulk until searchable; copy: offline embed +
 *                             COPY, then hh-search loads from Postgres at start; auto: http up to
 *                             100,000 candidates, copy above
 *   --bulk-concurrency 3      bulk requests in flight during an http load (1000 candidates each)
 *   --queries 3000            distinct queries embedded once for the peer (hh's stream starts with them)
 *   --fresh-rate 200          candidates/s written during the write → searchable measurement
 *   --fresh-duration 20       seconds of that write load (0: skip the measurement)
 *   --no-peer                 skip the Postgres-only peer
 *   --env KEY=VALUE           passed to the services (repeatable); the environment reaches them too
 *   --searchable-timeout 1800 seconds to wait for the pool to become searchable
 *   --quick                   smoke run: --sizes 2000 --concurrency 1,8 --duration 5 --fresh-duration 5 --queries 300
 *   --out FILE                JSON output (default bench-results/search-<YYYY-MM-DD>.json)
 *   --keep                    keep the benchmark databases / data dirs
 *   --verbose                 show the fleet's own output
 *
 * Database: with BENCH_DATABASE_URL (or DATABASE_URL) a database hh_bench_<size>_<run> is created on
 * that server and dropped afterwards; the peer and --load copy need this (pgvector, psql). Without
 * one, each fleet runs an embedded PostgreSQL (http load, --no-peer only). REDIS_URL is not passed
 * on (a shared Redis could answer from an earlier run's cache); each fleet uses its in-process cache.
 *
 * "Searchable" means: embedding_outbox is empty and hh-search's index reports
 * hh_search_vector_index_vectors ≥ N. The load generator runs on the same machine as the fleet;
 * its own CPU is reported. Exits non-zero when any step fails.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runScenario } from '../loadtest/lib/driver.mjs';
import { BUILTIN_VOCAB, createSearchBodies } from '../loadtest/lib/gen.js';
import { copyLoad } from './bench/copy-load.mjs';
import { measureFreshness } from './bench/freshness.mjs';
import { buildPeerTables, startPeerServer } from './bench/peer.mjs';
import { createCpuMeter, fleetServicePids, postgresBackends, rssBytes } from './bench/proc.mjs';
import { printReport } from './bench/report.mjs';
import { loadServiceModules } from './bench/services.mjs';
import { freePort, machineInfo, withDatabase } from './lib/bench-fleet.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEMO_KEY = process.env.HH_DEMO_API_KEY ?? 'hh_demo_key_change_me';
/**
 * Degraded codes that describe the pool or the answer, not a failed or cut-short stage
 * (services/hh-search/src/search): `vector_filtered_short` (a selective filter ran out of vector
 * hits), `embeddings_pending` / `index_pending` (writes not yet searchable). Every other code —
 * `<branch>_timeout`, `<branch>_error`, `embed_*`, `rerank_*`, `*_warming`, `cache_bypass` — counts
 * as degraded by a failure.
 */
const INFORMATIONAL = ['vector_filtered_short', 'embeddings_pending', 'index_pending'];

const { values: a } = parseArgs({
  // `pnpm bench:search -- --sizes 5000` passes the `--` through; drop it.
  args: process.argv.slice(2).filter((x) => x !== '--'),
  options: {
    sizes: { type: 'string' },
    concurrency: { type: 'string' },
    duration: { type: 'string' },
    load: { type: 'string', default: 'auto' },
    'bulk-concurrency': { type: 'string', default: '3' },
    queries: { type: 'string' },
    'fresh-rate': { type: 'string', default: '200' },
    'fresh-duration': { type: 'string' },
    'no-peer': { type: 'boolean', default: false },
    env: { type: 'string', multiple: true, default: [] },
    'searchable-timeout': { type: 'string', default: '1800' },
    quick: { type: 'boolean', default: false },
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
function nonNegInt(name, v) {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) fail(`--${name} must be a non-negative integer`);
  return n;
}
function posInt(name, v) {
  const n = nonNegInt(name, v);
  if (n < 1) fail(`--${name} must be a positive integer`);
  return n;
}
function readUsage() {
  return (
    'usage: node scripts/bench-search.mjs [--sizes 100000,1000000] [--concurrency 1,8,32] [--duration 20] [--load auto|http|copy]\n' +
    '         [--bulk-concurrency 3] [--queries 3000] [--fresh-rate 200] [--fresh-duration 20] [--no-peer] [--env KEY=VALUE]…\n' +
    '         [--searchable-timeout 1800] [--quick] [--out FILE] [--keep] [--verbose]'
  );
}

const quick = a.quick;
const sizes = intList('sizes', a.sizes ?? (quick ? '2000' : '100000,1000000'));
const levels = intList('concurrency', a.concurrency ?? (quick ? '1,8' : '1,8,32'));
const durationS = posInt('duration', a.duration ?? (quick ? '5' : '20'));
const bulkConcurrency = posInt('bulk-concurrency', a['bulk-concurrency']);
const queryCount = posInt('queries', a.queries ?? (quick ? '300' : '3000'));
const freshRate = posInt('fresh-rate', a['fresh-rate']);
const freshDurationS = nonNegInt('fresh-duration', a['fresh-duration'] ?? (quick ? '5' : '20'));
const searchableTimeoutS = posInt('searchable-timeout', a['searchable-timeout']);
if (!['auto', 'http', 'copy'].includes(a.load)) fail('--load must be auto, http or copy');
const peerEnabled = !a['no-peer'];
const extraEnv = {};
for (const kv of a.env) {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(kv);
  if (!m) fail(`--env expects KEY=VALUE, got ${JSON.stringify(kv)}`);
  extraEnv[m[1]] = m[2];
}
const loadFor = (size) => (a.load === 'auto' ? (size > 100_000 ? 'copy' : 'http') : a.load);
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL;
if (!adminUrl && (peerEnabled || sizes.some((s) => loadFor(s) === 'copy'))) {
  fail('the Postgres-only peer and --load copy need a PostgreSQL server: set BENCH_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres), or run with --no-peer --load http');
}
const embedModel = extraEnv.EMBED_MODEL ?? process.env.EMBED_MODEL ?? 'hh-hash-768-v1';
// Shared by the services and this script, which calls hh-embed for the query embeddings.
const serviceSecret = extraEnv.SERVICE_AUTH_SECRET ?? process.env.SERVICE_AUTH_SECRET ?? randomBytes(32).toString('base64url');
const runTag = Date.now().toString(36);
const log = (m) => console.log(`[bench] ${m}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const problems = [];
/** Measured outcomes worth a reader's attention that do not make the run fail. */
const findings = [];

async function adminQuery(sql) {
  const pool = createPool(adminUrl, { max: 1 });
  try {
    return await pool.query(sql);
  } finally {
    await pool.end();
  }
}

/**
 * A fresh database for one size: on the server (created here, so that --load copy can fill it
 * before the fleet starts), or an embedded server's data dir that the fleet starts itself.
 */
async function createDatabase(size) {
  if (adminUrl) {
    const db = `hh_bench_${size}_${runTag}`;
    await adminQuery(`CREATE DATABASE ${db}`);
    return {
      name: db,
      url: withDatabase(adminUrl, db),
      env: { DATABASE_URL: withDatabase(adminUrl, db) },
      cleanup: async () => {
        if (!a.keep) await adminQuery(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
        else log(`kept database ${db}`);
      },
    };
  }
  const dataDir = mkdtempSync(join(os.tmpdir(), `hh-bench-${size}-`));
  // mkdtemp's folder is private; as root the embedded server runs as the OS user postgres, which
  // must be able to enter it for the data to stay in this throwaway folder (packages/db/src/embedded.ts).
  chmodSync(dataDir, 0o755);
  const pgPort = await freePort();
  return {
    name: 'postgres (embedded)',
    url: `postgres://postgres:postgres@127.0.0.1:${pgPort}/postgres`,
    env: { HH_DATA_DIR: dataDir, HH_PG_PORT: String(pgPort) },
    cleanup: async () => {
      if (!a.keep) rmSync(dataDir, { recursive: true, force: true });
      else log(`kept data dir ${dataDir}`);
    },
  };
}

/** Migrations, taxonomy, and the demo tenant with its API key, as scripts/fleet.mjs would seed them. */
async function prepareSchema(pool) {
  await migrate(pool);
  await loadTaxonomy(pool);
  const {
    rows: [tenant],
  } = await pool.query(`INSERT INTO tenants (slug, name) VALUES ('demo', 'Demo tenant') RETURNING id`);
  await pool.query(`INSERT INTO api_keys (tenant_id, key_hash, key_prefix, name) VALUES ($1, $2, $3, 'demo')`, [
    tenant.id,
    createHash('sha256').update(DEMO_KEY).digest(),
    DEMO_KEY.slice(0, 7),
  ]);
  return tenant.id;
}

/** Starts scripts/fleet.mjs with its own ports on `db`; resolves once it prints its banner. */
async function startFleet(size, db) {
  const ports = { search: await freePort(), embed: await freePort(), rerank: await freePort() };
  const env = {
    ...process.env,
    ...extraEnv,
    ...db.env,
    HH_DEMO_SIZE: '0',
    PORT: String(ports.search),
    HH_EMBED_PORT: String(ports.embed),
    HH_RERANK_PORT: String(ports.rerank),
    SERVICE_AUTH_SECRET: serviceSecret,
    LOG_LEVEL: extraEnv.LOG_LEVEL ?? process.env.LOG_LEVEL ?? 'warn',
  };
  delete env.REDIS_URL;
  delete env.HH_SEARCH_PORT;
  if (!db.env.DATABASE_URL) delete env.DATABASE_URL;
  // Fresh index snapshots per run: the bench measures a cold fleet on this database.
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
      const t = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(t);
    }
    logFile.end();
    rmSync(env.INDEX_SNAPSHOT_DIR, { recursive: true, force: true });
    log(`fleet log: ${logPath}`);
  };

  const until = Date.now() + searchableTimeoutS * 1000;
  let exitedWith;
  void exited.then((c) => (exitedWith = c));
  while (!banner) {
    if (exitedWith !== undefined) throw new Error(`fleet exited (${exitedWith}) before it was ready; last output:\n${tail.join('\n')}`);
    if (Date.now() > until) {
      await stop();
      throw new Error(`fleet not ready after ${searchableTimeoutS} s; last output:\n${tail.join('\n')}`);
    }
    await sleep(200);
  }
  return { base: `http://127.0.0.1:${ports.search}`, embedBase: `http://127.0.0.1:${ports.embed}`, pid: child.pid, stop, tail };
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

/** Values of a labelled metric by one label: { structure: value }. */
function byLabel(metrics, name, label) {
  const out = {};
  const re = new RegExp(`^${name}\\{.*\\b${label}="([^"]+)".*\\}$`);
  for (const [k, v] of Object.entries(metrics)) {
    const m = re.exec(k);
    if (m) out[m[1]] = v;
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
  let resentRequests = 0;
  let pending = items;
  for (let round = 0; pending.length > 0; round++) {
    if (round > 0) {
      if (round > 5) throw new Error(`bulk ingest: ${pending.length} items still failing after 5 retry rounds`);
      retried += pending.length;
      log(`  retrying ${pending.length} items (status "error" or a dropped request; round ${round})`);
      await sleep(1000 * round);
    }
    const chunks = [];
    for (let i = 0; i < pending.length; i += 1000) chunks.push(pending.slice(i, i + 1000));
    const failed = [];
    let next = 0;
    const worker = async () => {
      while (next < chunks.length) {
        const chunk = chunks[next++];
        let res;
        let text;
        try {
          res = await fetch(`${base}/v1/candidates/bulk`, {
            method: 'POST',
            headers: { authorization: `Bearer ${DEMO_KEY}`, 'content-type': 'application/json' },
            body: JSON.stringify(chunk),
          });
          text = await res.text();
        } catch (err) {
          // A dropped connection leaves the outcome unknown; upserts are idempotent, so send it again.
          log(`  bulk request failed in transport (${err.cause?.code ?? err.cause?.message ?? err.message}); will resend its ${chunk.length} items`);
          resentRequests++;
          failed.push(...chunk);
          continue;
        }
        if (res.status === 503 || res.status === 429) {
          // Shed under load, as the API documents: back off and send again.
          log(`  bulk request answered HTTP ${res.status}; will resend its ${chunk.length} items`);
          resentRequests++;
          failed.push(...chunk);
          continue;
        }
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
  return { counts, retried, resentRequests };
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
    if (row.outbox === 0 && vectors >= n) return { vectors, metrics: m };
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      log(`  ${round((performance.now() - t0) / 1000)} s: outbox ${row.outbox}, index ${vectors}/${n}`);
    }
    if (Date.now() > until) throw new Error(`not searchable after ${searchableTimeoutS} s (outbox ${row.outbox}, index ${vectors}/${n})`);
    await sleep(250);
  }
}

/** Query embeddings from the fleet's hh-embed, in batches, for the texts hh-search would embed. */
async function embedQueries(embedBase, texts) {
  const signer = new mods.ServiceTokenSigner({ secret: serviceSecret, audience: 'hh-embed' });
  const out = [];
  for (let i = 0; i < texts.length; i += 128) {
    const input = texts.slice(i, i + 128);
    const res = await fetch(`${embedBase}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await signer.token()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ input, model: embedModel, encoding_format: 'float' }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`hh-embed: HTTP ${res.status} ${text.slice(0, 300)}`);
    const body = JSON.parse(text);
    body.data.forEach((d, j) => out.push([input[j], d.embedding]));
  }
  return out;
}

async function probe(base, path, body, headers) {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const json = await res.json().catch(() => ({}));
  if (!res.ok || !Array.isArray(json.results) || json.results.length === 0) {
    throw new Error(`probe search on ${base}${path} returned HTTP ${res.status} with ${json.results?.length ?? 'no'} results: ${JSON.stringify(json).slice(0, 500)}`);
  }
  return json;
}

/** One measured run: load + CPU meter; CPU-ms per 2xx response for each process group. */
async function measuredRun(meter, opts) {
  const loadAvg1Before = round(os.loadavg()[0], 2);
  await meter.start();
  const r = await runScenario({ ...opts, informational: INFORMATIONAL });
  const cpu = await meter.stop();
  r.loadAvg1Before = loadAvg1Before;
  r.cpuMs = Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round(v, 0)]));
  r.cpuMsPerSearch = Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, r.ok > 0 ? round(v / r.ok, 2) : null]));
  r.failureReasons = Object.fromEntries(Object.entries(r.degradedReasons ?? {}).filter(([c]) => !INFORMATIONAL.includes(c)));
  if (r.ok === 0) problems.push(`${opts.scenario.name}: no successful response`);
  return r;
}

async function benchSize(size) {
  const load = loadFor(size);
  log(`=== ${size} candidates: fresh database (${adminUrl ? 'on the BENCH_DATABASE_URL server' : 'embedded PostgreSQL'}), ${load} load`);
  const db = await createDatabase(size);
  let fleet;
  let peer;
  let pool;
  try {
    const tg = performance.now();
    const items = toBulkItems(generateDemoCandidates({ count: size, seed: 42 }));
    log(`generated ${items.length} demo candidates in ${round((performance.now() - tg) / 1000, 2)} s (not timed)`);
    if (items.length !== size) throw new Error(`generateDemoCandidates returned ${items.length} candidates, expected ${size}`);

    let ingestResult;
    if (load === 'copy') {
      pool = createPool(db.url, { max: 2, statementTimeoutMs: 0 });
      const tenantId = await prepareSchema(pool);
      log('copy load: deriving, embedding (hh-embed built-in model, in process) and COPYing…');
      const tc = performance.now();
      const offline = await copyLoad({ pool, dbUrl: db.url, tenantId, items, mods, model: embedModel, occupationsForTitles, log });
      log(`copy load: ${size} candidates in Postgres after ${offline.offlineSeconds} s (${offline.offlinePerSecond}/s; embedding ${offline.embedSeconds} s); starting the fleet (hh-search loads from Postgres)…`);
      const ts = performance.now();
      fleet = await startFleet(size, db);
      const { vectors } = await waitSearchable(fleet.base, pool, size, ts);
      const tSearchable = performance.now();
      ingestResult = {
        method: 'copy',
        candidates: size,
        ...offline,
        fleetStartUntilSearchableSeconds: round((tSearchable - ts) / 1000, 2),
        searchableSeconds: round((tSearchable - tc) / 1000, 2),
        searchablePerSecond: round(size / ((tSearchable - tc) / 1000)),
        indexVectors: vectors,
      };
    } else {
      fleet = await startFleet(size, db);
      pool = createPool(db.url, { max: 2, statementTimeoutMs: 0 });
      const ingestLoadAvg1Before = round(os.loadavg()[0], 2);
      const ti = performance.now();
      const { counts, retried, resentRequests } = await ingest(fleet.base, items);
      const tStored = performance.now();
      log(`stored ${size} in ${round((tStored - ti) / 1000)} s (${JSON.stringify(counts)}, ${retried} item retries); waiting until searchable…`);
      const { vectors } = await waitSearchable(fleet.base, pool, size, ti);
      const tSearchable = performance.now();
      ingestResult = {
        method: 'http',
        candidates: size,
        bulkRequestSize: 1000,
        bulkConcurrency,
        storeSeconds: round((tStored - ti) / 1000, 2),
        storedPerSecond: round(size / ((tStored - ti) / 1000)),
        searchableSeconds: round((tSearchable - ti) / 1000, 2),
        searchablePerSecond: round(size / ((tSearchable - ti) / 1000)),
        indexVectors: vectors,
        counts,
        itemRetries: retried,
        resentRequests,
        loadAvg1Before: ingestLoadAvg1Before,
        loadAvg1After: round(os.loadavg()[0], 2),
      };
    }
    log(`searchable after ${ingestResult.searchableSeconds} s → ${ingestResult.searchablePerSecond} candidates/s (${load})`);
    // Planner statistics as a database in steady state has them (autovacuum may not have got to a
    // freshly loaded table yet): without them the full-text statement's rarest-lexeme choice reads
    // empty pg_stats and its plan misjudges the tenant's row count. Not timed; both systems use them.
    const ta = performance.now();
    await pool.query('ANALYZE');
    log(`ANALYZE in ${round((performance.now() - ta) / 1000, 1)} s (not timed)`);
    const pids = fleetServicePids(fleet.pid);
    const {
      rows: [{ tenant_id: tenantId }],
    } = await pool.query('SELECT tenant_id FROM api_keys WHERE key_hash = $1', [createHash('sha256').update(DEMO_KEY).digest()]);

    // The query stream: the first `queryCount` bodies are embedded once for the peer; hh's stream
    // starts with the same bodies and continues with fresh ones, so no hh request repeats (every
    // request misses its caches) while the peer cycles through the embedded set.
    const gen = createSearchBodies({ vocab: vocabFrom(items), seed: 20_251_123 + size, kind: 'jd' });
    const queries = Array.from({ length: queryCount }, () => gen());
    let hhPos = 0;
    const nextHh = () => (hhPos < queries.length ? queries[hhPos++] : gen());
    let peerPos = 0;
    const nextPeer = () => queries[peerPos++ % queries.length];
    const auth = { authorization: `Bearer ${DEMO_KEY}` };

    let peerSetup = null;
    if (peerEnabled) {
      const te = performance.now();
      const embedded = await embedQueries(fleet.embedBase, queries.map((q) => mods.vectorText(q)));
      log(`peer: ${embedded.length} query embeddings from hh-embed in ${round((performance.now() - te) / 1000, 2)} s`);
      peerSetup = await buildPeerTables({ pool, dbUrl: db.url, model: embedModel, log });
      log(`peer: HNSW index built in ${peerSetup.hnswBuildSeconds} s`);
      peer = await startPeerServer({ root, dbUrl: db.url, tenantId, queries: embedded, tmpDir: os.tmpdir(), env: extraEnv });
      const p = await probe(peer.base, '/search', queries[0], {});
      log(`peer probe: ${p.results.length} results in ${p.tookMs} ms`);
    }

    const hhProbe = await probe(fleet.base, '/v1/search', nextHh(), auth);
    log(`hh probe search: ${hhProbe.results.length} results, degraded=${JSON.stringify(hhProbe.degraded)}, tookMs=${hhProbe.tookMs}`);

    const groups = {
      'hh-search': () => [pids['hh-search']],
      'hh-embed': () => [pids['hh-embed']],
      'hh-rerank': () => [pids['hh-rerank']],
      postgres: postgresBackends(pool),
      peer: () => (peer ? [peer.pid] : []),
    };
    const meter = createCpuMeter(groups);
    const hhScenario = (name) => ({ name, group: 'search', method: 'POST', path: '/v1/search', body: () => nextHh, load: { concurrency: 1, duration: `${durationS}s` } });
    const peerScenario = (name) => ({ name, group: 'search', method: 'POST', path: '/search', body: () => nextPeer, load: { concurrency: 1, duration: `${durationS}s` } });
    await runScenario({ url: fleet.base, apiKey: DEMO_KEY, scenario: hhScenario('warmup'), duration: 3, connections: 2 });
    if (peer) await runScenario({ url: peer.base, apiKey: DEMO_KEY, scenario: peerScenario('peer_warmup'), duration: 3, connections: 2 });

    const latency = [];
    for (const c of levels) {
      const mBefore = await metricValues(fleet.base);
      const hh = await measuredRun(meter, { url: fleet.base, apiKey: DEMO_KEY, scenario: hhScenario(`hh_c${c}`), connections: c, duration: durationS });
      // Where the time went: mean per search stage over this run, from hh-search's own histograms.
      hh.stagesMeanMs = branchMeans(mBefore, await metricValues(fleet.base));
      log(`  hh   c=${c}: ${hh.throughputRps} req/s, p50 ${hh.latencyMs.p50} / p95 ${hh.latencyMs.p95} / p99 ${hh.latencyMs.p99} ms, failure-degraded ${round(hh.failureDegradedShare * 100)}% ${JSON.stringify(hh.failureReasons)}, CPU-ms/search ${JSON.stringify(hh.cpuMsPerSearch)}`);
      log(`       stages: ${Object.entries(hh.stagesMeanMs).map(([k, v]) => `${k} ${v.meanMs} ms`).join(', ')}`);
      let pr = null;
      if (peer) {
        pr = await measuredRun(meter, { url: peer.base, apiKey: DEMO_KEY, scenario: peerScenario(`peer_c${c}`), connections: c, duration: durationS });
        log(`  peer c=${c}: ${pr.throughputRps} req/s, p50 ${pr.latencyMs.p50} / p95 ${pr.latencyMs.p95} / p99 ${pr.latencyMs.p99} ms, non-2xx ${pr.non2xx}, CPU-ms/search ${JSON.stringify(pr.cpuMsPerSearch)}`);
      }
      latency.push({ concurrency: c, hh, peer: pr });
    }

    const after = await metricValues(fleet.base);
    const indexBytes = byLabel(after, 'hh_search_index_bytes', 'structure');
    const indexDocs = byLabel(after, 'hh_search_index_documents', 'structure');
    const memory = {
      searchRssBytes: rssBytes(pids['hh-search']) ?? null,
      searchHeapUsedBytes: after.hh_search_nodejs_heap_size_used_bytes ?? null,
      indexBytes,
      indexDocuments: indexDocs,
      // Per candidate held by that structure (the pool size where a structure reports no count).
      indexBytesPerCandidate: Object.fromEntries(Object.entries(indexBytes).map(([s, b]) => [s, round(b / (indexDocs[s] || size), 1)])),
      peer: peerSetup && { ...peerSetup, serverRssBytes: rssBytes(peer.pid) ?? null, bytesPerCandidate: round((peerSetup.tableBytes + peerSetup.hnswBytes) / size, 1) },
    };

    let freshness = null;
    if (freshDurationS > 0) {
      log(`write → searchable: ${freshRate} candidates/s for ${freshDurationS} s…`);
      freshness = await measureFreshness({
        base: fleet.base,
        apiKey: DEMO_KEY,
        vocab: vocabFrom(items),
        deriveCandidate: mods.deriveCandidate,
        rate: freshRate,
        durationS: freshDurationS,
        tag: runTag,
      });
      log(`  ${freshness.written} written at ${freshness.achievedRate}/s; searchable p50 ${freshness.searchableMs.p50} / p95 ${freshness.searchableMs.p95} ms over ${freshness.samples} samples (${freshness.notFoundWithinSeconds.count} not found within ${freshness.notFoundWithinSeconds.seconds} s)`);
      // A measured outcome, not a failure of the benchmark: reported, and kept in the JSON with what the last probe saw.
      if (freshness.notFoundWithinSeconds.count > 0) {
        findings.push(`${size}: ${freshness.notFoundWithinSeconds.count} written candidates not returned by a search for their own text within ${freshness.notFoundWithinSeconds.seconds} s (see freshness.missed)`);
      }
    }
    return { size, load, ingest: ingestResult, latency, memory, freshness, pids };
  } finally {
    await peer?.stop().catch((err) => log(`peer stop: ${err.message}`));
    await pool?.end().catch(() => undefined);
    await fleet?.stop().catch((err) => log(`fleet stop: ${err.message}`));
    await db.cleanup().catch((err) => log(`cleanup: ${err.message}`));
  }
}

for (const svc of ['hh-search', 'hh-embed', 'hh-rerank']) {
  if (!existsSync(join(root, 'services', svc, 'dist/server.js'))) {
    console.error(`services/${svc}/dist/server.js is missing: run \`pnpm build\` first`);
    process.exit(2);
  }
}
if (!existsSync('/proc/self/stat')) fail('this benchmark reads CPU time from /proc: run it on Linux');
const { createPool, migrate } = await import('@hh/db');
const taxonomy = await import('@hh/taxonomy');
if (typeof taxonomy.generateDemoCandidates !== 'function') {
  console.error('@hh/taxonomy does not export generateDemoCandidates (is packages/taxonomy built?)');
  process.exit(2);
}
const { generateDemoCandidates, loadTaxonomy, occupationsForTitles } = taxonomy;
const mods = await loadServiceModules(root);

const startedAt = new Date();
const machine = machineInfo();
log(`machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.totalMemGiB} GiB, Node ${machine.node}, commit ${machine.commit}, load ${machine.loadAvgAtStart.join(' ')}`);
const results = [];
let fatal;
try {
  for (const size of sizes) results.push(await benchSize(size));
} catch (err) {
  fatal = err;
  console.error(`[bench] failed: ${err.stack ?? err}`);
}

if (results.length > 0) printReport(results, { durationS });
const out = a.out ?? join(root, 'bench-results', `search-${startedAt.toISOString().slice(0, 10)}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify(
    {
      benchmark: 'hh search vs a Postgres-only peer: load until searchable, uncached search latency and CPU per search, memory, write → searchable',
      command: `node scripts/bench-search.mjs ${process.argv.slice(2).join(' ')}`.trim(),
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      complete: !fatal && problems.length === 0 && results.length === sizes.length,
      problems: fatal ? [...problems, String(fatal.message ?? fatal)] : problems,
      findings,
      machine: { ...machine, loadAvgAtEnd: os.loadavg().map((x) => round(x, 2)) },
      settings: {
        sizes,
        concurrency: levels,
        durationSeconds: durationS,
        warmupSeconds: 3,
        load: a.load,
        bulkConcurrency,
        queries: queryCount,
        freshRate,
        freshDurationSeconds: freshDurationS,
        peer: peerEnabled,
        serviceEnv: extraEnv,
        embedModel,
        informationalDegradedCodes: INFORMATIONAL,
        database: adminUrl ? 'postgres server (BENCH_DATABASE_URL/DATABASE_URL), fresh database per size' : 'embedded PostgreSQL, fresh data dir per size',
        cache: 'in-process (REDIS_URL not passed on)',
        searchBodies: 'distinct job descriptions from the pool vocabulary (seeded; a quarter filter by country), rerank on, limit 20',
        peerDesign: 'one SQL statement: pgvector HNSW top 100 (ef_search 100, iterative scan) + hh-search\'s own full-text statement top 100 + RRF k=60, page fields joined; query embeddings precomputed by hh-embed; no specialty, no rerank, no cache',
        cpu: '/proc/<pid>/stat utime+stime deltas over each measured run, divided by 2xx responses; postgres = backends connected to the bench database; loadGenerator = this process',
        loadGenerator: 'autocannon in this process, on the same machine as the fleet',
      },
      results,
    },
    null,
    2,
  )}\n`,
);
log(`wrote ${out}`);
if (findings.length > 0) console.log(`[bench] findings:\n  ${findings.join('\n  ')}`);
if (fatal || problems.length > 0) {
  if (problems.length > 0) console.error(`[bench] problems:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
