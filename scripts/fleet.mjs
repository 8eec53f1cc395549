#!/usr/bin/env node
/**
 * Runs the whole fleet on one machine: hh-embed, hh-rerank and hh-search as child processes.
 * With no DATABASE_URL it starts an embedded PostgreSQL (data under .hh/pg); with no REDIS_URL
 * hh-search uses its in-process cache. Migrations and the taxonomy are applied first; an empty
 * database gets a deterministic demo pool through the real ingest API. Every step reports its
 * progress, and the banner appears once the example search it shows returns demo candidates.
 *
 *   pnpm start                       # build + run on embedded defaults
 *   DATABASE_URL=… REDIS_URL=… pnpm start
 *   HH_DEMO_SIZE=50000 pnpm start    # bigger demo pool
 *
 * Ctrl-C / SIGTERM stop hh-search first (it finishes in-flight requests and writes its index
 * snapshot), then hh-embed and hh-rerank, then the embedded PostgreSQL. The children run in their
 * own process groups, so a terminal's Ctrl-C reaches only this script, which stops them in that
 * order; their output still goes to the terminal.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createPool, migrate, startEmbeddedPostgres } from '@hh/db';
import { loadTaxonomy, generateDemoCandidates } from '@hh/taxonomy';

const startedAt = Date.now();
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env };
const ports = {
  search: Number(env.PORT ?? env.HH_SEARCH_PORT ?? 8080),
  embed: Number(env.HH_EMBED_PORT ?? 8081),
  rerank: Number(env.HH_RERANK_PORT ?? 8082),
};
const host = env.HOST ?? '127.0.0.1';
const demoSize = Number(env.HH_DEMO_SIZE ?? 5000);
const WELL_KNOWN_DEMO_KEY = 'hh_demo_key_change_me';
const DEMO_KEY = env.HH_DEMO_API_KEY ?? WELL_KNOWN_DEMO_KEY;
const graceMs = Number(env.SHUTDOWN_GRACE_MS ?? 10_000);
const embedModel = env.EMBED_MODEL ?? 'hh-hash-768-v1';
/** The search the banner shows; the banner waits until it returns demo candidates. */
const EXAMPLE = { jobDescription: 'Registered nurse for our ICU, 5+ years, BLS/ACLS', limit: 5 };
const CREATE_TENANT = 'node services/hh-search/dist/cli.js create-tenant <slug>';

const log = (msg) => console.log(`[fleet] ${msg}`);
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
const pct = (n, total) => `${total > 0 ? Math.floor((100 * n) / total) : 100}%`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Service-to-service authentication (hh-search → hh-embed / hh-rerank) needs one secret shared by
// the three services: one per run unless configured. Never printed.
env.SERVICE_AUTH_SECRET ||= randomBytes(32).toString('base64url');

const children = new Map();
const childGuard = pathToFileURL(join(root, 'scripts/fleet-child.mjs')).href;
let embeddedStart; // the embedded server's start, awaited by shutdown() even while still starting
let pool;
let stopping = false;
let failed = false;

class Stopping extends Error {}
const checkStopping = () => {
  if (stopping) throw new Stopping('stopping');
};

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  if (code !== 0) failed = true;
  log(children.has('hh-search') ? 'stopping: hh-search first (it finishes in-flight requests and writes its index snapshot)…' : 'stopping…');
  await stopChild('hh-search', graceMs + 30_000);
  await Promise.all([stopChild('hh-embed', graceMs + 5_000), stopChild('hh-rerank', graceMs + 5_000)]);
  await pool?.end().catch(() => undefined);
  const embedded = await embeddedStart?.catch(() => undefined);
  if (embedded) {
    await embedded.stop();
    log('embedded PostgreSQL stopped');
  }
  log(failed ? 'stopped after a failure' : 'stopped');
  process.exit(failed ? 1 : 0);
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (stopping) log(`${sig}: already stopping…`);
    else void shutdown(0);
  });
}

function startService(name, dir, extraEnv) {
  checkStopping();
  const child = spawn(process.execPath, ['--import', childGuard, join(root, dir, 'dist/server.js')], {
    env: { ...env, ...extraEnv },
    // Own process group (a terminal's Ctrl-C reaches only the fleet); IPC so that it notices if the fleet dies.
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
  child.once('exit', (code, signal) => {
    if (stopping) return;
    log(`${name} exited (${signal ?? `exit code ${code}`}); stopping the fleet`);
    void shutdown(1);
  });
  children.set(name, child);
  return child;
}

async function stopChild(name, timeoutMs) {
  const child = children.get(name);
  if (!child) return;
  const running = child.exitCode === null && child.signalCode === null;
  let timer;
  if (running) {
    child.kill('SIGTERM');
    timer = setTimeout(() => {
      log(`${name} did not stop within ${secs(timeoutMs)}; killing it`);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
  }
  const { code, signal } = await child.exited;
  clearTimeout(timer);
  if (!running) return; // it had already exited (and that was reported)
  // SIGTERM as the cause: it was stopped before it installed its shutdown handler, which is no failure.
  if (code === 0 || signal === 'SIGTERM') log(`${name} stopped`);
  else {
    failed = true;
    log(`${name} failed while stopping (${signal ?? `exit code ${code}`})`);
  }
}

async function get(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return { status: res.status, text: await res.text() };
  } catch {
    return { status: 0, text: '' };
  }
}

async function waitFor(what, url, { every = 15_000, timeoutMs = 600_000 } = {}) {
  const t0 = Date.now();
  let next = t0 + every;
  for (;;) {
    checkStopping();
    if ((await get(url)).status === 200) return;
    if (Date.now() > t0 + timeoutMs) throw new Error(`${what} not ready after ${secs(timeoutMs)} (${url})`);
    if (Date.now() > next) {
      log(`${what}: still waiting (${secs(Date.now() - t0)})…`);
      next += every;
    }
    await sleep(200);
  }
}

async function count(sql, params) {
  const { rows } = await pool.query(sql, params);
  return rows[0].n;
}

/**
 * The demo tenant and its API key go into the embedded database, or into an empty one (no tenants
 * yet); any other database is left alone. Returns the demo tenant id when the demo key works here.
 */
async function prepareDemoTenant(embedded) {
  const wellKnown = DEMO_KEY === WELL_KNOWN_DEMO_KEY;
  const keyHash = createHash('sha256').update(DEMO_KEY).digest();
  const tenants = await count('SELECT count(*)::int AS n FROM tenants');
  const seed = embedded || tenants === 0;
  if (seed && !embedded) log('demo: this database has no tenants yet: seeding the demo tenant and API key');
  if (seed) {
    const {
      rows: [tenant],
    } = await pool.query(`INSERT INTO tenants (slug, name) VALUES ('demo', 'Demo tenant') ON CONFLICT (slug) DO UPDATE SET name = tenants.name RETURNING id`);
    await pool.query(`INSERT INTO api_keys (tenant_id, key_hash, key_prefix, name) VALUES ($1, $2, $3, 'demo') ON CONFLICT (key_hash) DO NOTHING`, [
      tenant.id,
      keyHash,
      DEMO_KEY.slice(0, 7),
    ]);
  }
  const {
    rows: [key],
  } = await pool.query('SELECT k.tenant_id, k.revoked_at, t.slug FROM api_keys k JOIN tenants t ON t.id = k.tenant_id WHERE k.key_hash = $1', [keyHash]);
  if (!key) {
    log(`demo: not seeding a demo tenant and API key: this database already has ${tenants} tenant(s) and is not the embedded one`);
    log(`demo: to get an API key, run: ${CREATE_TENANT}`);
    return undefined;
  }
  if (key.revoked_at) {
    log('demo: the demo API key is revoked in this database; no demo data and no example search');
    return undefined;
  }
  if (!embedded && (wellKnown || !seed)) {
    const what = wellKnown ? `the well-known demo API key ${DEMO_KEY}, published in the README,` : 'the demo API key (HH_DEMO_API_KEY)';
    const line = '!'.repeat(100);
    console.log(`\n${line}`);
    console.log(`!! WARNING: ${what} is active in this database (tenant "${key.slug}").`);
    console.log('!! Whoever knows it can read and change that tenant\'s candidates. Never keep it in a database with real data.');
    console.log(`!! Revoke it: psql "$DATABASE_URL" -c "UPDATE api_keys SET revoked_at = now() WHERE key_hash = sha256('${DEMO_KEY.replace(/'/g, "''")}'::bytea)"`);
    console.log(`!! and create a real tenant and key: ${CREATE_TENANT}`);
    console.log(`${line}\n`);
  }
  return key.tenant_id;
}

/**
 * The deterministic demo pool through the real bulk API, in chunks so progress shows. Re-sending a
 * candidate that is already stored is a no-op (it comes back "unchanged"), so an interrupted first
 * start is completed by the next one, and a failed chunk can simply be sent again.
 */
async function ingestDemo(base, tenantId, stored) {
  log(
    stored > 0
      ? `demo data: the demo tenant has ${stored} of ${demoSize} demo candidates (an earlier start was interrupted?); sending the pool again, stored ones are skipped…`
      : `demo data: ingesting ${demoSize} demo candidates through POST /v1/candidates/bulk…`,
  );
  const t0 = Date.now();
  const all = generateDemoCandidates({ count: demoSize, seed: 42 });
  const CHUNK = 500;
  for (let i = 0; i < all.length; i += CHUNK) {
    const chunk = all.slice(i, i + CHUNK).map(({ externalId, id, ...rest }) => ({ id: id ?? externalId, ...rest }));
    for (let attempt = 1; ; attempt++) {
      checkStopping();
      let failure;
      try {
        const res = await fetch(`${base}/v1/candidates/bulk`, {
          method: 'POST',
          headers: { authorization: `Bearer ${DEMO_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify(chunk),
        });
        if (res.ok) break;
        failure = `HTTP ${res.status} ${(await res.text()).slice(0, 300)}`;
        if (res.status < 500 && res.status !== 429) throw new Error(`demo data: bulk ingest failed: ${failure}`);
      } catch (err) {
        if (err.message.startsWith('demo data:')) throw err;
        failure = `${err.message}${err.cause ? ` (${err.cause.message ?? err.cause})` : ''}`;
      }
      checkStopping();
      if (attempt >= 5) throw new Error(`demo data: bulk ingest failed ${attempt} times; last: ${failure}`);
      log(`demo data: a bulk request failed (${failure}); retrying…`);
      await sleep(2_000 * attempt);
    }
    // Embedding runs alongside the ingest; say how far it is.
    const inPool = await count('SELECT count(*)::int AS n FROM candidates WHERE tenant_id = $1', [tenantId]);
    const pending = await count('SELECT count(*)::int AS n FROM embedding_outbox WHERE tenant_id = $1', [tenantId]);
    log(`demo data: ${i + chunk.length}/${all.length} sent (${pct(i + chunk.length, all.length)}); embeddings: ${inPool - pending}/${inPool} stored so far`);
  }
  log(`demo data: stored in ${secs(Date.now() - t0)} (tenant ${tenantId}); embeddings are computed in the background`);
}

/** hh-search's vector index size from its metrics, when they are served on its port. */
async function indexedVectors(base) {
  const { status, text } = await get(`${base}/metrics`);
  if (status !== 200) return undefined;
  const m = /^hh_search_vector_index_vectors(?:\{[^}]*\})? (\d+)/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

async function exampleSearch(base) {
  try {
    const res = await fetch(`${base}/v1/search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DEMO_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(EXAMPLE),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) return { ok: false, why: `HTTP ${res.status}` };
    const body = await res.json();
    const vector = body.branches?.vector?.status;
    if (!body.results?.length) return { ok: false, why: 'no results yet' };
    // Demo candidates found by every branch: the vector branch answered from a loaded index.
    if (vector !== 'ok') return { ok: false, why: `vector branch ${vector ?? 'missing'} (${(body.degraded ?? []).join(', ') || 'no reason given'})` };
    return { ok: true, results: body.results.length };
  } catch (err) {
    return { ok: false, why: err.message };
  }
}

/**
 * Progress until the demo pool is searchable: embeddings (outbox rows left for the demo tenant),
 * then the vector index (vectors loaded vs. embeddings stored), then the example search itself.
 */
async function waitUntilSearchable(base, tenantId) {
  const total = await count('SELECT count(*)::int AS n FROM candidates WHERE tenant_id = $1', [tenantId]);
  const t0 = Date.now();
  let printed = '';
  let printedAt = 0;
  const report = (line, force = false) => {
    // A line when something changed, at most every 3 s (and always the final one).
    if (line === printed || (!force && Date.now() - printedAt < 3_000)) return;
    log(line);
    printed = line;
    printedAt = Date.now();
  };
  let embeddingsDone = false;
  let indexDone = false;
  let lastWhy = '';
  let whyAt = Date.now();
  for (;;) {
    checkStopping();
    if (!embeddingsDone) {
      const pending = await count('SELECT count(*)::int AS n FROM embedding_outbox WHERE tenant_id = $1', [tenantId]);
      embeddingsDone = pending === 0;
      report(`embeddings: ${total - pending}/${total} (${pct(total - pending, total)})`, embeddingsDone);
    }
    if (embeddingsDone && !indexDone) {
      const stored = await count('SELECT count(*)::int AS n FROM candidate_embeddings WHERE model = $1', [embedModel]);
      const vectors = await indexedVectors(base);
      const ready = (await get(`${base}/health/ready`)).status === 200;
      indexDone = ready && (vectors === undefined || vectors >= stored);
      if (vectors !== undefined) report(`vector index: ${Math.min(vectors, stored)}/${stored} vectors (${pct(Math.min(vectors, stored), stored)})`, indexDone);
      else report(ready ? 'vector index: loaded' : 'vector index: loading…', indexDone);
    }
    if (indexDone) {
      const r = await exampleSearch(base);
      if (r.ok) {
        log(`example search: ${r.results} demo candidates (pool searchable after ${secs(Date.now() - t0)})`);
        return;
      }
      if (r.why !== lastWhy || Date.now() - whyAt > 30_000) {
        log(`example search: ${r.why}; retrying…`);
        lastWhy = r.why;
        whyAt = Date.now();
      }
    }
    await sleep(1_000);
  }
}

async function main() {
  let embedded;
  if (!env.DATABASE_URL) {
    const dataDir = resolve(root, env.HH_DATA_DIR ?? '.hh', 'pg');
    log(`no DATABASE_URL: starting embedded PostgreSQL (${dataDir})…`);
    embeddedStart = startEmbeddedPostgres({
      dataDir,
      port: Number(env.HH_PG_PORT ?? 0) || undefined,
      log: (msg) => log(`embedded PostgreSQL: ${msg}`),
    });
    embedded = await embeddedStart;
    log(`embedded PostgreSQL ready on 127.0.0.1:${embedded.port} (data: ${embedded.dataDir}; server log: ${embedded.logFile})`);
    env.DATABASE_URL = embedded.url;
  }
  checkStopping();
  if (!env.REDIS_URL) log('no REDIS_URL: hh-search uses its in-process cache');

  pool = createPool(env.DATABASE_URL, { max: 4, statementTimeoutMs: 600_000 });
  log('migrations: applying…');
  let t0 = Date.now();
  const m = await migrate(pool);
  log(`migrations: ${m.applied.length ? `applied ${m.applied.join(', ')}` : 'nothing new'}; ${m.skipped.length} applied earlier (${secs(Date.now() - t0)})`);
  checkStopping();
  log('taxonomy: loading the occupation taxonomy (O*NET, ESCO, CBO; only the first start writes it)…');
  t0 = Date.now();
  const tx = await loadTaxonomy(pool);
  const occupations = tx.occupations.onet + tx.occupations.esco + tx.occupations.cbo;
  log(`taxonomy: ${tx.skipped ? `version ${tx.version} already loaded` : `loaded version ${tx.version}`} (${occupations} occupations; ${secs(Date.now() - t0)})`);
  checkStopping();

  const demoTenant = await prepareDemoTenant(Boolean(embedded));
  const demoCandidates = demoTenant ? await count('SELECT count(*)::int AS n FROM candidates WHERE tenant_id = $1', [demoTenant]) : 0;

  const common = { HOST: host, LOG_LEVEL: env.LOG_LEVEL ?? 'warn' };
  log(`starting hh-embed (:${ports.embed}) and hh-rerank (:${ports.rerank})…`);
  startService('hh-embed', 'services/hh-embed', { ...common, PORT: String(ports.embed) });
  startService('hh-rerank', 'services/hh-rerank', { ...common, PORT: String(ports.rerank) });
  await waitFor('hh-embed', `http://${host}:${ports.embed}/health/ready`);
  await waitFor('hh-rerank', `http://${host}:${ports.rerank}/health/ready`);
  log(`starting hh-search (:${ports.search}); it loads its vector index from a snapshot and the change log…`);
  startService('hh-search', 'services/hh-search', {
    ...common,
    PORT: String(ports.search),
    INDEX_SNAPSHOT_DIR: env.INDEX_SNAPSHOT_DIR ?? resolve(root, env.HH_DATA_DIR ?? '.hh', 'index'),
    EMBED_URL: `http://${host}:${ports.embed}`,
    RERANK_URL: `http://${host}:${ports.rerank}`,
  });
  const base = `http://${host}:${ports.search}`;
  if (demoTenant !== undefined && demoCandidates < demoSize) {
    // Wait until hh-search's index has loaded: ingesting while it loads would only compete with the
    // load for database connections.
    await waitFor('hh-search', `${base}/health/ready`);
    await ingestDemo(base, demoTenant, demoCandidates);
  } else if (demoTenant !== undefined) {
    log(`demo data: the demo tenant has ${demoCandidates} candidates (HH_DEMO_SIZE=${demoSize}); nothing to add`);
  }

  const searchable = demoTenant !== undefined && (demoCandidates > 0 || demoSize > 0);
  if (searchable) await waitUntilSearchable(base, demoTenant);
  else await waitFor('hh-search', `${base}/health/ready`);
  checkStopping();

  const key = demoTenant !== undefined ? DEMO_KEY : '<API key>';
  const keyLine =
    demoTenant !== undefined
      ? `Demo API key: ${DEMO_KEY}${searchable ? '' : ' (the demo tenant has no candidates)'}`
      : `API key: none seeded in this database; create a tenant and key with: ${CREATE_TENANT}`;
  console.log(`
  hh is running (ready ${secs(Date.now() - startedAt)} after start).
    hh-search  ${base}        (metrics: ${base}/metrics)
    hh-embed   http://${host}:${ports.embed}
    hh-rerank  http://${host}:${ports.rerank}
  ${keyLine}

  Try:
    curl -s ${base}/v1/search -H 'authorization: Bearer ${key}' -H 'content-type: application/json' \\
      -d '${JSON.stringify(EXAMPLE)}'

  Ctrl-C stops everything.
`);
}

main().catch((err) => {
  if (stopping) return; // a step interrupted by Ctrl-C: shutdown() is already under way
  // The embedded server's errors say what to do; a stack trace would bury that.
  console.error(`[fleet] ${err.name === 'EmbeddedPostgresError' ? err.message : (err.stack ?? err)}${err.cause ? `\n  cause: ${err.cause.stack ?? err.cause}` : ''}`);
  void shutdown(1);
});
