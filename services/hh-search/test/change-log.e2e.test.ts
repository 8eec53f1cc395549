/**
 * change_log bookkeeping: per-tenant heads follow every append (one update per bulk chunk),
 * pruning deletes only rows that are past the retention period and not needed by a replica seen
 * within it, a snapshot (or a running replica) positioned before the pruned range rebuilds from
 * Postgres instead of missing changes, and the tenant versions that key cached pages survive
 * pruning. Rows are aged with UPDATE … created_at rather than by waiting.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { QueryResultRow } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../src/runtime.js';
import { createChangeLogRepository } from '../src/index/change-log.js';
import { accountant, nurse, NURSE_JD } from './fixtures.js';
import { client, startHarness, type Api, type Harness } from './harness.js';

let h: Harness;
let api: Api;
let key: string;
let tenantId: number;
let otherTenant: number;
const open: Runtime[] = [];
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

beforeAll(async () => {
  h = await startHarness();
  const t = await h.newTenant('log-a');
  tenantId = t.id;
  key = t.key;
  api = client(h.url, t.key);
  const other = await h.newTenant('log-b');
  otherTenant = other.id;
  await client(h.url, other.key).put('b-1', nurse(9));
  await h.settle();
});
afterAll(async () => {
  for (const rt of open) await rt.close().catch(() => undefined);
  await h?.close();
});

const q = async <T extends QueryResultRow>(sql: string, params: unknown[] = []) => (await h.db.pool.query<T>(sql, params)).rows;
/** The first column of the first row, as a number (0 when there is none or it is NULL). */
const one = async (sql: string, params: unknown[] = []) => Number(Object.values((await q(sql, params))[0] ?? {})[0] ?? 0);
const head = (tenant: number) => one('SELECT head_seq FROM tenant_change_heads WHERE tenant_id = $1', [tenant]);
const ageAll = (hours: number, throughSeq = Number.MAX_SAFE_INTEGER) =>
  h.db.pool.query(`UPDATE change_log SET created_at = now() - make_interval(hours => $1) WHERE seq <= $2`, [hours, throughSeq]);

function config(overrides: Record<string, string> = {}) {
  return h.config({ CHANGE_LOG_PRUNE_INTERVAL_MS: '0' /* the tests prune explicitly */, ...overrides });
}
async function replica(overrides: Record<string, string> = {}): Promise<Runtime> {
  const rt = await createRuntime(config(overrides));
  open.push(rt);
  await rt.start();
  return rt;
}
async function stop(rt: Runtime): Promise<void> {
  open.splice(open.indexOf(rt), 1);
  await rt.close();
}
/** The ids in the index equal the candidates that have a vector in Postgres. */
async function expectIndexEqualsPostgres(rt: Runtime): Promise<void> {
  const stored = (await q<{ id: number }>('SELECT candidate_id AS id FROM candidate_embeddings ORDER BY 1')).map((r) => r.id);
  expect(rt.index.ids().sort((x, y) => x - y)).toEqual(stored);
}
const idOf = async (externalId: string) => one('SELECT id FROM candidates WHERE tenant_id = $1 AND external_id = $2', [tenantId, externalId]);

describe('tenant heads', () => {
  it('follow every append, and only for the tenant written', async () => {
    const otherBefore = await head(otherTenant);
    await api.bulk(Array.from({ length: 5 }, (_, i) => ({ id: `n-${i}`, ...nurse(i) })));
    const rows = await q<{ seq: number; candidate_id: number }>('SELECT seq, candidate_id FROM change_log WHERE tenant_id = $1 ORDER BY seq', [tenantId]);
    expect(rows).toHaveLength(5);
    expect(await head(tenantId)).toBe(rows[4]!.seq);
    expect(await head(otherTenant)).toBe(otherBefore);
    await api.del('n-4');
    expect(await head(tenantId)).toBe(await one('SELECT max(seq) FROM change_log WHERE tenant_id = $1', [tenantId]));
    await h.settle(); // embeddings: more change-log rows, heads follow
    expect(await head(tenantId)).toBe(await one('SELECT max(seq) FROM change_log WHERE tenant_id = $1', [tenantId]));
  });
});

describe('pruning', () => {
  let snapshotReplica: Runtime;
  let snapshotSeq: number;
  const dir = mkdtempSync(join(tmpdir(), 'hh-prune-'));

  it('removes only rows past the retention period and below what live replicas need', async () => {
    // A replica that keeps a snapshot, then stops: its row says a restart needs rows after its snapshot.
    snapshotReplica = await replica({ INDEX_SNAPSHOT_DIR: dir });
    await stop(snapshotReplica);
    snapshotSeq = await one('SELECT snapshot_seq FROM index_replicas WHERE replica_id = $1', [snapshotReplica.replicaId]);
    expect(snapshotSeq).toBe(await one('SELECT max(seq) FROM change_log'));

    // Later writes: delete one candidate, add one.
    await api.del('n-3');
    await api.put('a-1', accountant(1));
    await h.settle();
    const total = await one('SELECT count(*) FROM change_log');
    const last = await one('SELECT max(seq) FROM change_log');

    await h.runtime.heartbeat(); // the live replica's periodic record of what it applied
    // Nothing is old enough yet.
    const repo = createChangeLogRepository(h.db.pool);
    expect(await repo.prune(24)).toMatchObject({ ran: true, deleted: 0, prunedThrough: 0 });

    // Everything is old enough, but the stopped replica (seen within the period) needs the rows after its snapshot.
    await ageAll(48);
    const r1 = await repo.prune(24);
    expect(r1).toMatchObject({ ran: true, prunedThrough: snapshotSeq, forgottenReplicas: 0 });
    expect(await one('SELECT min(seq) FROM change_log')).toBe(snapshotSeq + 1);
    expect(r1.deleted).toBe(total - (await one('SELECT count(*) FROM change_log')));
    expect(await one('SELECT pruned_through FROM change_log_state')).toBe(snapshotSeq);

    // Rows inside the period are kept even when no replica needs them.
    await h.db.pool.query('UPDATE change_log SET created_at = now() WHERE seq = $1', [last]);
    await h.db.pool.query('UPDATE index_replicas SET heartbeat_at = now() - interval \'48 hours\' WHERE replica_id = $1', [snapshotReplica.replicaId]);
    const r2 = await repo.prune(24);
    expect(r2.forgottenReplicas).toBe(1);
    expect(r2.prunedThrough).toBe(last - 1);
    expect(await q('SELECT seq FROM change_log')).toEqual([{ seq: last }]);
    // The live harness replica had applied everything, so it held nothing back.
    expect(await one('SELECT applied_seq FROM index_replicas WHERE replica_id = $1', [h.runtime.replicaId])).toBe(last);
  }, 180_000);

  it('a snapshot older than the pruned range is rejected and the index rebuilt from Postgres', async () => {
    const restarted = await replica({ INDEX_SNAPSHOT_DIR: dir });
    expect(readdirSync(dir).some((f) => f.includes('.rejected-'))).toBe(true);
    await expectIndexEqualsPostgres(restarted);
    expect(restarted.index.has(await idOf('a-1'))).toBe(true);
    expect(restarted.sync.lastSeq).toBe(await one('SELECT max(seq) FROM change_log'));
    const res = await restarted.app.inject({ method: 'POST', url: '/v1/search', headers: { authorization: `Bearer ${key}` }, payload: { jobDescription: NURSE_JD, limit: 20 } });
    const found = (res.json() as { results: { candidateId: string }[] }).results.map((r) => r.candidateId);
    expect(found).not.toContain('n-3');
    expect(found).toContain('n-0');
    await stop(restarted);
  }, 180_000);

  it('a running replica whose position was pruned reconciles with Postgres instead of skipping changes', async () => {
    const lagging = await replica({ VECTOR_INDEX: 'exact' });
    await lagging.sync.stop(); // stops following the log (as a stalled process would)
    const gone = await idOf('n-2');
    await api.del('n-2');
    await api.put('n-9', nurse(9));
    await h.settle();
    const added = await idOf('n-9');
    await ageAll(48);
    // Every replica but the live harness one has been silent for longer than the retention period.
    await h.db.pool.query('UPDATE index_replicas SET heartbeat_at = now() - interval \'48 hours\' WHERE replica_id <> $1', [h.runtime.replicaId]);
    await h.runtime.heartbeat();
    const r = await createChangeLogRepository(h.db.pool).prune(24);
    expect(r.prunedThrough).toBeGreaterThan(lagging.sync.lastSeq);
    expect(lagging.index.has(gone)).toBe(true);

    await lagging.sync.catchUp();
    expect(lagging.index.has(gone)).toBe(false);
    expect(lagging.index.has(added)).toBe(true);
    await expectIndexEqualsPostgres(lagging);
    expect(lagging.sync.lastSeq).toBe(r.prunedThrough);
    await stop(lagging);
  }, 180_000);

  it('tenant versions survive pruning: a new replica keys cached pages by the durable head', async () => {
    await ageAll(48);
    await h.runtime.heartbeat();
    await createChangeLogRepository(h.db.pool).prune(24);
    expect(await one('SELECT count(*) FROM change_log WHERE tenant_id = $1', [tenantId])).toBe(0);
    const version = await head(tenantId);
    expect(version).toBeGreaterThan(0);
    const fresh = await replica({ VECTOR_INDEX: 'exact' });
    expect(fresh.sync.tenantSeq.get(tenantId)).toBe(version);
    expect(h.runtime.sync.tenantSeq.get(tenantId)).toBe(version);
    // A write after pruning still moves the version forward.
    await api.put('n-0', { ...nurse(0), headline: 'Night-shift ICU nurse' });
    await h.settle();
    await fresh.sync.waitForSeq(await head(tenantId));
    expect(fresh.sync.tenantSeq.get(tenantId)).toBeGreaterThan(version);
    await stop(fresh);
  }, 180_000);

  it('prune-change-log is an admin command', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=@hh/source', '--import', 'tsx', 'services/hh-search/src/cli.ts', 'prune-change-log'], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: h.db.url, CHANGE_LOG_RETENTION_HOURS: '1' },
    });
    expect(stdout).toMatch(/deleted \d+ change-log rows \(retention 1 h\); pruned through seq \d+/);
  });
});
