/**
 * The embedding outbox survives a crash, as a process test: hh-search (the built server, as
 * deployed) is killed with SIGKILL while its embedding worker is inside an hh-embed call for a
 * batch, then started again on the same database and snapshot folder. Afterwards no committed
 * candidate may be missing from the stored embeddings or the vector index — compared by count and
 * by a checksum of the (candidate id, content hash) sets — and the outbox drains back to empty.
 *
 * hh-embed runs in this process with the real built-in model behind a provider that can hold a
 * call (test/embed-faults.ts), so the kill lands mid-batch deterministically. Needs `pnpm build`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRerankConfig } from '@hh/config';
import { createTestDatabase, type TestDatabase } from '@hh/db';
import { buildApp as buildRerank } from '@hh/hh-rerank';
import { generateDemoCandidates } from '@hh/taxonomy';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTenantRepository } from '../src/tenants/repository.js';
import { FaultyEmbedProvider, startFaultyEmbed } from './embed-faults.js';
import { client, TAXONOMY_SEED } from './harness.js';
import { freePort } from './redis-server.js';

const here = dirname(fileURLToPath(import.meta.url));
const serverJs = resolve(here, '../dist/server.js');
const MODEL = 'hh-hash-768-v1';
const POOL_SIZE = 300;

let db: TestDatabase;
let key: string;
let provider: FaultyEmbedProvider;
let embed: Awaited<ReturnType<typeof startFaultyEmbed>>;
let rerank: ReturnType<typeof buildRerank>;
let rerankUrl: string;
let snapshotDir: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  if (!existsSync(serverJs)) throw new Error(`${serverJs} is missing: run \`pnpm build\` first`);
  db = await createTestDatabase(TAXONOMY_SEED);
  const tenants = createTenantRepository(db.pool);
  const t = await tenants.create('crash');
  key = await tenants.issueKey(t.id, 'test');
  provider = new FaultyEmbedProvider();
  provider.delayMs = 50; // a model slow enough that the outbox is still draining when the kill comes
  embed = await startFaultyEmbed(provider);
  rerank = buildRerank(loadRerankConfig({ LOG_LEVEL: 'silent' }));
  await rerank.listen({ port: 0, host: '127.0.0.1' });
  rerankUrl = `http://127.0.0.1:${(rerank.server.address() as { port: number }).port}`;
  snapshotDir = mkdtempSync(join(tmpdir(), 'hh-outbox-crash-'));
});

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await embed?.app.close();
  await rerank?.close();
  await db?.drop();
  if (snapshotDir) rmSync(snapshotDir, { recursive: true, force: true });
});

interface SearchProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

async function startSearch(): Promise<SearchProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [serverJs], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: db.url,
      EMBED_URL: embed.url,
      RERANK_URL: rerankUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      INDEX_SNAPSHOT_DIR: snapshotDir,
      INDEX_POLL_MS: '200',
      EMBED_WORKER_BATCH: '16',
      EMBED_WORKER_CONCURRENCY: '2',
      EMBED_WORKER_POLL_MS: '200',
      // Short, so the batch the killed process held comes back within seconds (its hh-embed calls
      // get half of it, still ample for the built-in model).
      EMBED_WORKER_LEASE_MS: '6000',
      SEARCH_RATE_LIMIT_PER_MINUTE: '0',
      // Generous budgets: this checks what is found, not how fast, on a shared machine.
      SEARCH_DEADLINE_MS: '20000',
      SEARCH_EMBED_TIMEOUT_MS: '8000',
      SEARCH_BRANCH_TIMEOUT_MS: '10000',
      SEARCH_RERANK_TIMEOUT_MS: '8000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const exited = new Promise<number | null>((r) =>
    child.on('exit', (code) => {
      children.delete(child);
      r(code);
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hh-search exited with ${child.exitCode} during start-up:\n${out}`);
    const ready = await fetch(`${url}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url, output: () => out, exited };
}

async function scalar(sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(sql, params);
  return Number(rows[0]!.n);
}

async function metrics(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/** Count and checksum of a (candidate id, content hash) set. */
async function fingerprint(sql: string, params: unknown[] = []): Promise<{ n: number; sum: string | null }> {
  const { rows } = await db.pool.query<{ n: number; sum: string | null }>(
    `SELECT count(*)::int AS n, md5(string_agg(id::text || ':' || hash, ',' ORDER BY id)) AS sum FROM (${sql}) s`,
    params,
  );
  return rows[0]!;
}

it('kill -9 mid-batch, restart: every committed candidate is embedded and indexed, and the outbox drains', async () => {
  const first = await startSearch();
  const api = client(first.url, key);
  const pool = generateDemoCandidates({ count: POOL_SIZE, seed: 26 });
  for (let i = 0; i < pool.length; i += 100) {
    const res = await api.bulk(pool.slice(i, i + 100));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.counts).toEqual({ created: 100 });
  }

  // Let a few batches land, then catch the next one inside the model call and kill the process.
  while ((await scalar('SELECT count(*) AS n FROM candidate_embeddings')) < 32) await new Promise((r) => setTimeout(r, 20));
  const gate = provider.hold();
  await gate.entered;
  first.child.kill('SIGKILL');
  expect(await first.exited).toBeNull(); // killed by the signal, not exited on its own
  const leased = await scalar('SELECT count(*) AS n FROM embedding_outbox WHERE leased_until > now()');
  const queued = await scalar('SELECT count(*) AS n FROM embedding_outbox');
  const embedded = await scalar('SELECT count(*) AS n FROM candidate_embeddings');
  expect(leased, 'a batch was leased when the process died').toBeGreaterThan(0);
  expect(queued, 'the outbox was still draining').toBeGreaterThan(leased);
  expect(embedded).toBeLessThan(POOL_SIZE);
  gate.release(); // the dead process's call completes into the void

  const second = await startSearch();
  // Wait until nothing is queued and the restarted replica's index has caught up with the stored vectors.
  for (;;) {
    const vectors = (await metrics(second.url)).get('hh_search_vector_index_vectors');
    const queuedNow = await scalar('SELECT count(*) AS n FROM embedding_outbox');
    if (queuedNow === 0 && vectors === (await scalar('SELECT count(*) AS n FROM candidate_embeddings WHERE model = $1', [MODEL]))) break;
    if (second.child.exitCode !== null) throw new Error(`hh-search exited:\n${second.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }

  // 0 committed rows missing: the candidates' (id, embed_hash) set equals the stored embeddings'.
  const committed = await fingerprint('SELECT id, embed_hash AS hash FROM candidates');
  const stored = await fingerprint('SELECT candidate_id AS id, content_hash AS hash FROM candidate_embeddings WHERE model = $1', [MODEL]);
  expect(committed.n).toBe(POOL_SIZE);
  expect(stored).toEqual(committed);

  const m = await metrics(second.url);
  expect(m.get('hh_search_vector_index_vectors')).toBe(POOL_SIZE);
  expect(m.get('hh_search_embedding_outbox_rows{state="ready"}')).toBe(0);
  expect(m.get('hh_search_embedding_outbox_rows{state="waiting"}')).toBe(0);
  expect(m.get('hh_search_embedding_outbox_oldest_age_seconds')).toBe(0);

  // And the API agrees, including the vector branch finding a candidate by its own profile.
  const api2 = client(second.url, key);
  for (const c of [pool[0]!, pool[149]!, pool[299]!]) {
    expect((await api2.get(c.id)).body.embedding.status, c.id).toBe('ready');
  }
  const probe = pool[149]!;
  const res = await api2.search({ query: `${probe.title} ${probe.headline ?? ''} ${(probe.skills ?? []).join(' ')}`, limit: 20 });
  expect(res.status).toBe(200);
  expect(res.body.branches.vector.status).toBe('ok');
  const hit = res.body.results.find((r: { candidateId: string }) => r.candidateId === probe.id);
  expect(hit?.branches.vector, 'found by the vector branch').toBeDefined();

  second.child.kill('SIGTERM');
  await second.exited;
}, 120_000);
