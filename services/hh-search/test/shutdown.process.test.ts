/**
 * Shutdown as a process (docs/RELIABILITY.md §7 target 28): SIGTERM while searches are in flight. They
 * finish with 200; new requests are refused (connection refused, or 503 + Connection: close on a
 * kept-alive connection); the final vector-index snapshot is written at the change log's head; the
 * pool is closed; the exit status is 0. A restart loads that snapshot and replays nothing. A final
 * snapshot that cannot be written is logged with its cause and the exit status says so.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEmbedConfig, loadRerankConfig } from '@hh/config';
import { createTestDatabase, type TestDatabase } from '@hh/db';
import { DiskAnnIndex } from '@hh/diskann';
import { BuiltinProvider, buildApp as buildEmbed, type EmbedCallOptions } from '@hh/hh-embed';
import { buildApp as buildRerank } from '@hh/hh-rerank';
import { createTenantRepository } from '../src/tenants/repository.js';
import { snapshotPath } from '../src/index/snapshots.js';
import { accountant, nurse } from './fixtures.js';
import { TAXONOMY_SEED } from './harness.js';
import { startSearchProcess, type SearchProcess } from './search-process.js';

/** The built-in model, made slow on demand: holds searches in flight while the test sends SIGTERM. */
class SlowProvider extends BuiltinProvider {
  delayMs = 0;
  calls = 0;
  override async embed(texts: string[], opts: EmbedCallOptions) {
    this.calls++;
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    return super.embed(texts, opts);
  }
}

let db: TestDatabase;
const provider = new SlowProvider(768);
const embedApp = buildEmbed(loadEmbedConfig({ LOG_LEVEL: 'silent' }), { provider });
const rerankApp = buildRerank(loadRerankConfig({ LOG_LEVEL: 'silent' }));
let env: Record<string, string>;
let key: string;
const dirs: string[] = [];
const procs: SearchProcess[] = [];

const address = (app: { server: { address(): unknown } }) => `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

beforeAll(async () => {
  db = await createTestDatabase(TAXONOMY_SEED);
  await embedApp.listen({ port: 0, host: '127.0.0.1' });
  await rerankApp.listen({ port: 0, host: '127.0.0.1' });
  const tenants = createTenantRepository(db.pool);
  const t = await tenants.create('shutdown');
  key = await tenants.issueKey(t.id, 'test');
  env = {
    DATABASE_URL: db.url,
    EMBED_URL: address(embedApp),
    RERANK_URL: address(rerankApp),
    EMBED_WORKER_POLL_MS: '100',
    INDEX_POLL_MS: '100',
    SHUTDOWN_GRACE_MS: '15000',
    SEARCH_DEADLINE_MS: '20000',
    SEARCH_EMBED_TIMEOUT_MS: '15000',
    SEARCH_BRANCH_TIMEOUT_MS: '15000',
    SEARCH_RERANK_TIMEOUT_MS: '15000',
    SEARCH_RATE_LIMIT_PER_MINUTE: '0',
  };
});

afterAll(async () => {
  for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await embedApp.close();
  await rerankApp.close();
  await db?.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function snapshotDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'hh-shutdown-'));
  dirs.push(d);
  return d;
}

async function start(extra: Record<string, string>): Promise<SearchProcess> {
  const p = await startSearchProcess({ ...env, ...extra });
  procs.push(p);
  return p;
}

interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  connection: string | null;
  replayed: string | null;
}

async function call(url: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, connection: res.headers.get('connection'), replayed: res.headers.get('idempotency-replayed') };
}

async function head(): Promise<number> {
  const { rows } = await db.pool.query<{ seq: number | null }>('SELECT max(seq) AS seq FROM change_log');
  return rows[0]?.seq ?? 0;
}

/** Until every stored candidate is embedded and this process's index has applied the whole change log. */
async function settled(p: SearchProcess): Promise<void> {
  const until = Date.now() + 60_000;
  for (;;) {
    const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM embedding_outbox');
    const ready = (await (await fetch(`${p.url}/health/ready`)).json()) as { index?: { lastSeq: number } };
    if (rows[0]!.n === 0 && (ready.index?.lastSeq ?? -1) >= (await head())) return;
    if (Date.now() > until) throw new Error(`the fleet did not settle; hh-search said:\n${p.logs.slice(-30).map((l) => JSON.stringify(l)).join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('SIGTERM', () => {
  it('drains in-flight searches, refuses new requests, writes the final snapshot at the change-log head, exits 0; a restart replays nothing', async () => {
    const dir = snapshotDir();
    const first = await start({ INDEX_SNAPSHOT_DIR: dir });
    const items = [...Array.from({ length: 20 }, (_, i) => ({ id: `n-${i}`, ...nurse(i) })), ...Array.from({ length: 20 }, (_, i) => ({ id: `a-${i}`, ...accountant(i) }))];
    expect((await call(first.url, '/v1/candidates/bulk', items)).status).toBe(200);
    await settled(first);

    // Hold uncached searches inside hh-embed, then stop the process under them.
    provider.delayMs = 1_500;
    const callsBefore = provider.calls;
    const inFlight = Array.from({ length: 6 }, (_, i) =>
      call(first.url, '/v1/search', { jobDescription: `Registered nurse for an ICU, shift ${i}, BLS and ACLS`, limit: 5 }),
    );
    // A bulk write with an Idempotency-Key in flight too: it completes, and its key is not left
    // "in flight" (a retry after the restart replays the answer instead of getting 409).
    const late200 = Array.from({ length: 200 }, (_, i) => ({ id: `late-${i}`, ...accountant(i % 30) }));
    const bulkInFlight = call(first.url, '/v1/candidates/bulk', late200, { 'idempotency-key': 'shutdown-bulk-1' });
    // In flight = received by the server (a connection still in the kernel's accept queue when the
    // listener closes is reset; a load balancer stops routing to an instance before stopping it).
    const received = (route: string) => first.logs.filter((l) => l.msg === 'incoming request' && (l.req as { route?: string })?.route === route).length;
    const until = Date.now() + 60_000;
    while (provider.calls === callsBefore || received('/v1/search') < inFlight.length || received('/v1/candidates/bulk') < 2) {
      if (Date.now() > until) throw new Error(`searches did not reach hh-search:\n${first.logs.slice(-30).map((l) => JSON.stringify(l)).join('\n')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    first.child.kill('SIGTERM');
    await first.waitForLog('shutting down: draining in-flight requests');
    const late = await call(first.url, '/v1/search', { query: 'nurse' }).then(
      (r) => r,
      (err: Error) => ({ status: 0, body: undefined, connection: null, error: err }),
    );
    const answers = await Promise.all(inFlight);
    const bulk = await bulkInFlight;
    provider.delayMs = 0;
    expect(bulk.status).toBe(200);
    expect(bulk.body.counts).toEqual({ created: 200 });

    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.body.results.length).toBeGreaterThan(0);
      expect(a.body.branches.vector.status).toBe('ok');
    }
    // A new connection is refused once the listener is closed; a request that still reaches the
    // server gets 503 and is told to go elsewhere. Never a 500, never a hang.
    if (late.status !== 0) {
      expect(late.status).toBe(503);
      expect(late.connection).toBe('close');
    }
    expect(await first.exited).toBe(0);
    await first.waitForLog('shut down cleanly');

    const saved = await first.waitForLog('index snapshots saved');
    const seq = await head();
    expect(first.logs.filter((l) => l.msg === 'index snapshots saved').at(-1)!.lastSeq).toBe(seq);
    expect(saved).toBeDefined();
    const snap = await DiskAnnIndex.load(snapshotPath(dir));
    try {
      expect(Number(snap.meta.lastSeq)).toBe(seq);
      // The index holds what was embedded by then; the late bulk's candidates wait in the outbox.
      expect(snap.stats().count).toBeGreaterThanOrEqual(40);
    } finally {
      await snap.close();
    }
    const { rows: conns } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'hh-search'`,
    );
    expect(conns[0]!.n).toBe(0);

    // Restart: the snapshot is loaded and nothing is replayed.
    const second = await start({ INDEX_SNAPSHOT_DIR: dir });
    expect((await second.waitForLog('vector index snapshot loaded')).lastSeq).toBe(seq);
    expect((await second.waitForLog('documents snapshot loaded')).lastSeq).toBe(seq);
    expect(await second.waitForLog('in-memory indexes caught up with the change log')).toMatchObject({ fromSeq: seq, lastSeq: seq, replayed: 0 });
    const again = await call(second.url, '/v1/search', { query: 'registered nurse', limit: 5 });
    expect(again.status).toBe(200);
    expect(again.body.results.length).toBeGreaterThan(0);
    const retry = await call(second.url, '/v1/candidates/bulk', late200, { 'idempotency-key': 'shutdown-bulk-1' });
    expect(retry.status).toBe(200);
    expect(retry.replayed).toBe('true');
    expect(retry.body).toEqual(bulk.body);
    expect(await second.stop('SIGINT')).toBe(0);
  }, 120_000);

  it('a final snapshot that cannot be written is logged with its cause, and the exit status is 1', async () => {
    const dir = snapshotDir();
    const p = await start({ INDEX_SNAPSHOT_DIR: dir });
    expect((await call(p.url, '/v1/candidates/bulk', [{ id: 'late-1', ...nurse(99) }])).status).toBe(200);
    await settled(p);
    // The snapshot directory is replaced by a file: the save cannot create its temporary file.
    rmSync(dir, { recursive: true, force: true });
    writeFileSync(dir, 'not a directory');
    expect(await p.stop('SIGTERM')).toBe(1);
    const failed = await p.waitForLog(/^final index snapshot failed/);
    expect(JSON.stringify(failed.err)).toMatch(/ENOTDIR|EEXIST|not a directory/i);
    expect(p.logs.some((l) => l.msg === 'shut down cleanly')).toBe(false);
  }, 120_000);
});
