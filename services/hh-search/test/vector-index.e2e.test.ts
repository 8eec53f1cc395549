/**
 * The vector branch on the DiskANN engine inside hh-search: every write is seen by vector
 * search, snapshots resume the change log, a corrupt snapshot is rebuilt from Postgres with the
 * same contents, and a replica that has not caught up says so.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../src/runtime.js';
import { snapshotPath } from '../src/index/snapshots.js';
import { accountant, backendPt, nurse } from './fixtures.js';
import { client, startHarness, TAXONOMY_SEED, type Api, type Harness } from './harness.js';
import { createTestDatabase } from '@hh/db';

let h: Harness;
let api: Api;
let tenantId: number;
const dir = mkdtempSync(join(tmpdir(), 'hh-snap-'));
const vectorOnly = (text: string) => ({ jobDescription: text, limit: 20, weights: { fts: 0, specialty: 0 }, rerank: false });
const ids = (res: { body: { results: { candidateId: string }[] } }) => res.body.results.map((r) => r.candidateId);

beforeAll(async () => {
  h = await startHarness({ INDEX_SNAPSHOT_DIR: dir });
  const t = await h.newTenant('vectors');
  tenantId = t.id;
  api = client(h.url, t.key);
  const other = await h.newTenant('other');
  await client(h.url, other.key).put('other-nurse', nurse(7));
  await api.bulk([{ id: 'n-1', ...nurse(1) }, { id: 'a-1', ...accountant(1) }, { id: 'pt-1', ...backendPt }]);
  await h.settle();
});
afterAll(async () => {
  await h?.close();
});

describe('vector branch on DiskANN', () => {
  it('uses the DiskANN engine and answers from it alone', async () => {
    expect(h.runtime.index.kind).toBe('diskann');
    const res = await api.search(vectorOnly('critical care registered nurse, ACLS'));
    expect(res.body.branches.vector.status).toBe('ok');
    expect(ids(res)[0]).toBe('n-1');
    expect(ids(res)).not.toContain('other-nurse'); // the tenant label is a hard filter
  });

  it('sees inserts, updates and deletes', async () => {
    await api.put('n-2', { ...nurse(2), title: 'Pediatric Nurse', summary: 'Pediatric nursing, neonatal intensive care, vaccinations.' });
    await h.settle();
    expect(ids(await api.search(vectorOnly('pediatric neonatal nurse vaccinations')))[0]).toBe('n-2');

    await api.put('a-1', { ...accountant(1), title: 'Pediatric Nurse Practitioner', summary: 'Neonatal intensive care and pediatric vaccinations clinic.', skills: ['Pediatrics', 'Neonatal care'] });
    await h.settle();
    const updated = await api.search(vectorOnly('pediatric nurse practitioner neonatal clinic'));
    expect(ids(updated)[0]).toBe('a-1');

    await api.del('n-2');
    await h.settle();
    const afterDelete = await api.search(vectorOnly('pediatric neonatal nurse vaccinations'));
    expect(ids(afterDelete)).not.toContain('n-2');
    expect(h.runtime.index.stats().count).toBe(4); // 3 of this tenant + 1 of the other
  });

  it('snapshots resume the change log, and a rebuild from Postgres gives the same answers', async () => {
    await h.runtime.saveSnapshot();
    const golden = ids(await api.search(vectorOnly('nurse')));
    const base = h.config({ INDEX_SNAPSHOT_DIR: dir });

    // A write after the snapshot must be replayed from the change log.
    await api.put('n-3', { ...nurse(3), title: 'Dialysis Nurse', summary: 'Hemodialysis and nephrology nursing.' });
    await h.settle();

    const fromSnapshot = await createRuntime(base);
    try {
      await fromSnapshot.start();
      expect(fromSnapshot.sync.lastSeq).toBe(h.runtime.sync.lastSeq);
      expect(fromSnapshot.index.stats().count).toBe(h.runtime.index.stats().count);
      const q = new Float32Array(768);
      q[3] = 1;
      expect(await fromSnapshot.index.search(tenantId, q, 10)).toEqual(await h.runtime.index.search(tenantId, q, 10));
    } finally {
      await fromSnapshot.close();
    }

    // Corrupt the snapshot: the next start rejects it and rebuilds from Postgres.
    const file = snapshotPath(dir);
    const bytes = readFileSync(file);
    bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff;
    writeFileSync(file, bytes);
    const rebuilt = await createRuntime({ ...base, INDEX_SNAPSHOT_DIR: dir });
    try {
      await rebuilt.start();
      expect(readdirSync(dir).some((f) => f.includes('.rejected-'))).toBe(true);
      const { rows } = await h.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM candidate_embeddings');
      expect(rebuilt.index.stats().count).toBe(rows[0]!.n);
      const res = await rebuilt.app.inject({
        method: 'POST',
        url: '/v1/search',
        headers: { authorization: `Bearer ${await issueKeyFor(tenantId)}` },
        payload: vectorOnly('nurse'),
      });
      const body = res.json() as { results: { candidateId: string }[] };
      expect(body.results.map((r) => r.candidateId).filter((id) => id !== 'n-3')).toEqual(golden);
    } finally {
      await rebuilt.close();
    }
  });

  it('a snapshot from another database is never loaded', async () => {
    await h.runtime.saveSnapshot();
    const before = readdirSync(dir).filter((f) => f.startsWith('vector-index') && f.includes('.rejected-')).length;
    const other = await createTestDatabase(TAXONOMY_SEED);
    const rt = await createRuntime(
      h.config({ DATABASE_URL: other.url, INDEX_SNAPSHOT_DIR: dir }),
    );
    try {
      await rt.start();
      expect(rt.index.stats().count).toBe(0); // the other database has no embeddings
      expect(readdirSync(dir).filter((f) => f.startsWith('vector-index') && f.includes('.rejected-')).length).toBe(before + 1);
    } finally {
      await rt.close();
      await other.drop();
    }
  });

  it('a replica that has not loaded its index reports not-ready and vector_index_warming', async () => {
    const cold = await createRuntime(
      h.config(),
    );
    try {
      const ready = await cold.app.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(503);
      const res = await cold.app.inject({ method: 'POST', url: '/v1/search', headers: { authorization: `Bearer ${await issueKeyFor(tenantId)}` }, payload: { query: 'nurse' } });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { degraded: string[]; results: unknown[]; partial: boolean };
      expect(body.degraded).toContain('vector_index_warming');
      expect(body.partial).toBe(true);
      expect(body.results.length).toBeGreaterThan(0); // full text and specialty still answer
    } finally {
      await cold.close();
    }
  });
});

async function issueKeyFor(tenant: number): Promise<string> {
  const { createTenantRepository } = await import('../src/tenants/repository.js');
  return createTenantRepository(h.db.pool).issueKey(tenant, 'test');
}
