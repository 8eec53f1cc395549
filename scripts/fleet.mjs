#!/usr/bin/env node
/**
 * Runs the whole fleet on one machine: hh-embed, hh-rerank and hh-search as child processes.
 * With no DATABASE_URL it starts an embedded PostgreSQL (data under .hh/pg); with no REDIS_URL
 * hh-search uses its in-process cache. Migrations and the taxonomy are applied first; an empty
 * database gets a deterministic demo pool through the real ingest API. Ctrl-C stops everything.
 *
 *   pnpm start                       # build + run on embedded defaults
 *   DATABASE_URL=… REDIS_URL=… pnpm start
 *   HH_DEMO_SIZE=50000 pnpm start    # bigger demo pool
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPool, migrate, startEmbeddedPostgres } from '@hh/db';
import { loadTaxonomy, generateDemoCandidates } from '@hh/taxonomy';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env };
const ports = {
  search: Number(env.PORT ?? env.HH_SEARCH_PORT ?? 8080),
  embed: Number(env.HH_EMBED_PORT ?? 8081),
  rerank: Number(env.HH_RERANK_PORT ?? 8082),
};
const host = env.HOST ?? '127.0.0.1';
const demoSize = Number(env.HH_DEMO_SIZE ?? 5000);
const DEMO_KEY = env.HH_DEMO_API_KEY ?? 'hh_demo_key_change_me';
const log = (msg) => console.log(`[fleet] ${msg}`);

const children = [];
let embedded;
let stopping = false;

async function stopAll(code = 0) {
  if (stopping) return;
  stopping = true;
  log('stopping…');
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode !== null ? null : new Promise((r) => c.once('exit', r)))));
  if (embedded) {
    await embedded.stop().catch(() => undefined);
    log('embedded PostgreSQL stopped');
  }
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

function startService(name, dir, extraEnv) {
  const child = spawn(process.execPath, [join(root, dir, 'dist/server.js')], {
    env: { ...env, ...extraEnv },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      log(`${name} exited (${signal ?? code}); stopping the fleet`);
      void stopAll(1);
    }
  });
  children.push(child);
  return child;
}

async function waitReady(url, timeoutMs = 120_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {}
    if (Date.now() > until) throw new Error(`${url} not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main() {
  if (!env.DATABASE_URL) {
    const dataDir = resolve(root, env.HH_DATA_DIR ?? '.hh', 'pg');
    mkdirSync(dirname(dataDir), { recursive: true });
    log(`no DATABASE_URL: starting embedded PostgreSQL (${dataDir})`);
    embedded = await startEmbeddedPostgres({ dataDir, port: Number(env.HH_PG_PORT ?? 0) || undefined });
    env.DATABASE_URL = embedded.url;
  }
  if (!env.REDIS_URL) log('no REDIS_URL: hh-search uses its in-process cache');

  const pool = createPool(env.DATABASE_URL, { max: 4, statementTimeoutMs: 600_000 });
  const m = await migrate(pool);
  log(`migrations: ${m.applied.length} applied, ${m.skipped.length} already there`);
  const t0 = Date.now();
  await loadTaxonomy(pool);
  log(`taxonomy ready (${Date.now() - t0} ms)`);

  // Demo tenant + key (a fixed, documented key: this is a local demo, not a deployment).
  const { rows: [tenant] } = await pool.query(
    `INSERT INTO tenants (slug, name) VALUES ('demo', 'Demo tenant') ON CONFLICT (slug) DO UPDATE SET name = tenants.name RETURNING id`);
  const { createHash } = await import('node:crypto');
  await pool.query(
    `INSERT INTO api_keys (tenant_id, key_hash, key_prefix, name) VALUES ($1, $2, $3, 'demo') ON CONFLICT (key_hash) DO NOTHING`,
    [tenant.id, createHash('sha256').update(DEMO_KEY).digest(), DEMO_KEY.slice(0, 7)]);
  const { rows: [{ n }] } = await pool.query('SELECT count(*)::int AS n FROM candidates WHERE tenant_id = $1', [tenant.id]);
  await pool.end();

  const common = { HOST: host, LOG_LEVEL: env.LOG_LEVEL ?? 'warn' };
  startService('hh-embed', 'services/hh-embed', { ...common, PORT: String(ports.embed) });
  startService('hh-rerank', 'services/hh-rerank', { ...common, PORT: String(ports.rerank) });
  await waitReady(`http://${host}:${ports.embed}/health/ready`);
  await waitReady(`http://${host}:${ports.rerank}/health/ready`);
  startService('hh-search', 'services/hh-search', {
    ...common,
    PORT: String(ports.search),
    INDEX_SNAPSHOT_DIR: env.INDEX_SNAPSHOT_DIR ?? resolve(root, env.HH_DATA_DIR ?? '.hh', 'index'),
    EMBED_URL: `http://${host}:${ports.embed}`,
    RERANK_URL: `http://${host}:${ports.rerank}`,
  });
  const base = `http://${host}:${ports.search}`;
  await waitReady(`${base}/health/ready`);

  if (n === 0 && demoSize > 0) {
    log(`empty database: ingesting ${demoSize} demo candidates through POST /v1/candidates/bulk…`);
    const t1 = Date.now();
    const all = generateDemoCandidates({ count: demoSize, seed: 42 });
    for (let i = 0; i < all.length; i += 1000) {
      const chunk = all.slice(i, i + 1000).map(({ externalId, id, ...rest }) => ({ id: id ?? externalId, ...rest }));
      const res = await fetch(`${base}/v1/candidates/bulk`, {
        method: 'POST',
        headers: { authorization: `Bearer ${DEMO_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(chunk),
      });
      if (!res.ok) throw new Error(`bulk ingest failed: HTTP ${res.status} ${await res.text()}`);
    }
    log(`demo pool stored in ${((Date.now() - t1) / 1000).toFixed(1)} s; embeddings are computed in the background`);
  } else {
    log(`database has ${n} demo-tenant candidates; not generating demo data`);
  }

  console.log(`
  hh is running.
    hh-search  ${base}        (metrics: ${base}/metrics)
    hh-embed   http://${host}:${ports.embed}
    hh-rerank  http://${host}:${ports.rerank}
  Demo API key: ${DEMO_KEY}

  Try:
    curl -s ${base}/v1/search -H 'authorization: Bearer ${DEMO_KEY}' -H 'content-type: application/json' \\
      -d '{"jobDescription":"Registered nurse for our ICU, 5+ years, BLS/ACLS","limit":5}'

  Ctrl-C stops everything.
`);
}

main().catch((err) => {
  console.error(`[fleet] ${err.stack ?? err}`);
  void stopAll(1);
});
