import { afterAll, describe, expect, it } from 'vitest';
import { DiskAnnIndex, mulberry32 } from '../src/index.js';
import { clusteredDataset } from '../src/dataset.js';
import { row } from './helpers.js';

const open: DiskAnnIndex[] = [];
afterAll(async () => {
  await Promise.all(open.map((i) => i.close()));
});

describe('queries while the owner mutates', () => {
  it('searchAsync stays correct during inserts, growth (memory republish) and consolidation', async () => {
    const dims = 32;
    const ds = clusteredDataset({ n: 6000, nq: 50, dims, clusters: 10, seed: 8 });
    // Small initial capacity: the inserts below force reallocation + republish to the workers.
    const idx = new DiskAnnIndex({ dims, R: 24, buildListSize: 48, capacity: 2048, trainThreshold: 256 });
    open.push(idx);
    await idx.build({ ids: Array.from({ length: 2000 }, (_, i) => i), vectors: ds.base.subarray(0, 2000 * dims), labels: Array.from({ length: 2000 }, (_, i) => [i % 4]) }, { threads: 1 });
    const rnd = mulberry32(3);
    const deletedAt = new Map<number, number>(); // id → logical time of deletion
    const labelOf = new Map<number, number>();
    for (let i = 0; i < 2000; i++) labelOf.set(i, i % 4);
    let clock = 0;
    let checked = 0;
    let stop = false;
    const queries = (async () => {
      while (!stop) {
        const issued = clock;
        const label = Math.floor(rnd() * 4);
        const r = await idx.searchAsync(row(ds.queries, Math.floor(rnd() * 50), dims), 10, { labels: [label] });
        for (const id of r.ids) {
          const del = deletedAt.get(id);
          // A point deleted before the query was issued must never come back.
          expect(del === undefined || del > issued, `deleted id ${id} returned`).toBe(true);
          expect(labelOf.get(id) === label, `id ${id} leaked across label ${label}`).toBe(true);
        }
        checked++;
      }
    })();
    // Delete 30%, consolidate while inserting more (growth) between consolidation chunks.
    for (let i = 0; i < 2000; i++) {
      if (rnd() < 0.3) {
        idx.delete(i);
        deletedAt.set(i, ++clock);
      }
    }
    const cons = idx.consolidate({ yieldEvery: 100 });
    for (let i = 2000; i < 6000; i++) {
      idx.upsert(i, row(ds.base, i, dims), [i % 4]);
      labelOf.set(i, i % 4);
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    const rep = await cons;
    expect(rep.freed).toBeGreaterThan(400);
    await new Promise((r) => setTimeout(r, 50));
    stop = true;
    await queries;
    expect(checked).toBeGreaterThan(20);
    expect(idx.stats().capacity).toBeGreaterThan(2048);
    expect(idx.size).toBe(6000 - deletedAt.size);
  });
});
