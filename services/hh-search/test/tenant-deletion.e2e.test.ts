/**
 * Deleting a tenant (admin CLI `delete-tenant`, SQL hh_delete_tenant) writes a change-log delete
 * for each of its candidates in the same transaction: every replica drops the vectors, snapshots
 * saved afterwards do not hold them, a replica restarting from an older snapshot replays the
 * deletes, other tenants are untouched and the deleted tenant's keys stop working.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskAnnIndex } from '@hh/diskann';
import { createRuntime } from '../src/runtime.js';
import { snapshotPath } from '../src/index/snapshots.js';
import { createTenantRepository } from '../src/tenants/repository.js';
import { accountant, nurse, NURSE_JD } from './fixtures.js';
import { client, startHarness, type Api, type Harness } from './harness.js';

let h: Harness;
let a: Api;
let b: Api;
let keyA: string;
let tenantA: number;
let idsA: number[];
let idsB: number[];
const dir = mkdtempSync(join(tmpdir(), 'hh-deltenant-'));
const before = mkdtempSync(join(tmpdir(), 'hh-deltenant-before-'));
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

const candidates = () => [{ id: 'n-1', ...nurse(1) }, { id: 'n-2', ...nurse(2) }, { id: 'a-1', ...accountant(1) }];
const internalIds = async (tenant: number) =>
  (await h.db.pool.query<{ id: number }>('SELECT id FROM candidates WHERE tenant_id = $1 ORDER BY id', [tenant])).rows.map((r) => r.id);

/** Run the admin CLI from source; resolves with its exit code and output, whatever the code. */
async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--conditions=@hh/source', '--import', 'tsx', 'services/hh-search/src/cli.ts', ...args], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: h.db.url },
    });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

beforeAll(async () => {
  h = await startHarness({ INDEX_SNAPSHOT_DIR: dir });
  const ta = await h.newTenant('doomed');
  tenantA = ta.id;
  keyA = ta.key;
  a = client(h.url, ta.key);
  const tb = await h.newTenant('kept');
  b = client(h.url, tb.key);
  await a.bulk(candidates());
  await b.bulk(candidates());
  await h.settle();
  idsA = await internalIds(tenantA);
  idsB = await internalIds(tb.id);
  // A snapshot from before the deletion, for a replica that restarts from it later.
  await h.runtime.saveSnapshot();
  mkdirSync(before, { recursive: true });
  copyFileSync(snapshotPath(dir), snapshotPath(before));
});
afterAll(async () => {
  await h?.close();
});

describe('delete-tenant', () => {
  it('refuses without --yes and says what it would delete; an unknown slug fails', async () => {
    const dry = await cli('delete-tenant', 'doomed');
    expect(dry.code).toBe(2);
    expect(dry.out).toMatch(/3 candidates and 1 API keys/);
    expect(dry.out).toMatch(/--yes/);
    expect((await h.db.pool.query('SELECT 1 FROM tenants WHERE id = $1', [tenantA])).rowCount).toBe(1);

    const unknown = await cli('delete-tenant', 'no-such-tenant', '--yes');
    expect(unknown.code).toBe(1);
    expect(unknown.out).toMatch(/no tenant no-such-tenant/);
  }, 180_000);

  it('removes the tenant, and every replica drops its vectors through the change log', async () => {
    expect(idsA.every((id) => h.runtime.index.has(id))).toBe(true);
    const res = await cli('delete-tenant', 'doomed', '--yes');
    expect(res.code).toBe(0);
    expect(res.out).toMatch(/deleted tenant doomed .*3 candidates/);

    const deletes = await h.db.pool.query<{ candidate_id: number }>(
      `SELECT candidate_id FROM change_log WHERE tenant_id = $1 AND op = 'delete' ORDER BY candidate_id`,
      [tenantA],
    );
    expect(deletes.rows.map((r) => r.candidate_id)).toEqual(idsA);
    expect(await internalIds(tenantA)).toEqual([]);

    await h.settle();
    expect(idsA.some((id) => h.runtime.index.has(id))).toBe(false);
    expect(idsB.every((id) => h.runtime.index.has(id))).toBe(true);
    expect(h.runtime.index.size()).toBe(idsB.length);
  }, 180_000);

  it('a snapshot saved afterwards does not hold them; a replica restarting from an older one replays the deletes', async () => {
    await h.runtime.saveSnapshot();
    const snap = await DiskAnnIndex.load(snapshotPath(dir));
    try {
      expect(idsA.some((id) => snap.has(id))).toBe(false);
      expect(idsB.every((id) => snap.has(id))).toBe(true);
    } finally {
      await snap.close();
    }

    const old = await createRuntime(
      h.config({ INDEX_SNAPSHOT_DIR: before }),
    );
    try {
      await old.start();
      expect(old.sync.lastSeq).toBe(h.runtime.sync.lastSeq);
      expect(idsA.some((id) => old.index.has(id))).toBe(false);
      expect(idsB.every((id) => old.index.has(id))).toBe(true);
    } finally {
      await old.close();
    }
  }, 180_000);

  it('the other tenant is unaffected and the deleted tenant’s key stops working', async () => {
    const res = await b.search({ jobDescription: NURSE_JD, limit: 10 });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { candidateId: string }) => r.candidateId).sort()).toEqual(['a-1', 'n-1', 'n-2']);
    expect(await createTenantRepository(h.db.pool).resolve(keyA)).toBeNull();
    // The API caches key resolutions for a few seconds; the key is refused once that entry expires.
    let status = 0;
    while (status !== 401) {
      status = (await a.search({ query: 'nurse' })).status;
      if (status !== 401) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(401);
  });
});
