import { afterAll, describe, expect, it } from 'vitest';
import { DiskAnnIndex, DiskAnnInputError, exactKnn, recallAtK, scaledListSize } from '../src/index.js';
import { LIVE } from '../src/layout.js';
import { KERNELS, builtIndex, row } from './helpers.js';

const open: DiskAnnIndex[] = [];
afterAll(async () => {
  await Promise.all(open.map((i) => i.close()));
});

function searchAll(idx: DiskAnnIndex, queries: Float32Array, nq: number, dims: number, k: number, opts = {}): number[][] {
  const out: number[][] = [];
  for (let q = 0; q < nq; q++) out.push(idx.search(row(queries, q, dims), k, opts).ids);
  return out;
}

describe.each(KERNELS)('recall with the %s kernel', (kernel) => {
  it('cosine, 3000 × 48, fixed seed: recall@10 ≥ 0.95 with defaults', async () => {
    const { idx, ds } = await builtIndex({ n: 3000, dims: 48, kernel, seed: 11 });
    open.push(idx);
    expect(idx.stats().kernel).toBe(kernel);
    const gt = exactKnn(ds.base, ds.n, ds.queries, ds.nq, ds.dims, 10, 'cosine');
    const r = recallAtK(searchAll(idx, ds.queries, ds.nq, ds.dims, 10), gt, 10);
    expect(r).toBeGreaterThanOrEqual(0.95);
    // SBQ traversal (2-bit codes) with an exact rescore of the 100 best codes.
    const sbq = recallAtK(searchAll(idx, ds.queries, ds.nq, ds.dims, 10, { quantized: true, listSize: 100, rescore: 100 }), gt, 10);
    expect(sbq).toBeGreaterThanOrEqual(0.95);
    const s0 = idx.stats().hammingComputations;
    idx.search(row(ds.queries, 0, ds.dims), 10, { quantized: true });
    expect(idx.stats().hammingComputations).toBeGreaterThan(s0);
    // A tiny list size must do worse than the default: the knob is real.
    const low = recallAtK(searchAll(idx, ds.queries, ds.nq, ds.dims, 10, { listSize: 10, rescore: 10 }), gt, 10);
    expect(low).toBeLessThan(r);
  });

  it('L2, 2000 × 32 built on two worker threads: recall@10 ≥ 0.95 and degree ≤ R', async () => {
    const { idx, ds } = await builtIndex({ n: 2000, dims: 32, kernel, metric: 'l2', threads: 2, seed: 5 });
    open.push(idx);
    const gt = exactKnn(ds.base, ds.n, ds.queries, ds.nq, ds.dims, 10, 'l2');
    expect(recallAtK(searchAll(idx, ds.queries, ds.nq, ds.dims, 10), gt, 10)).toBeGreaterThanOrEqual(0.95);
    const st = idx.stats();
    expect(st.averageDegree).toBeGreaterThan(4);
    expect(st.averageDegree).toBeLessThanOrEqual(32);
    // searchAsync runs in worker threads (loaded from TypeScript source here) and agrees with search.
    for (let q = 0; q < 5; q++) {
      const a = await idx.searchAsync(row(ds.queries, q, ds.dims), 10);
      expect(a).toEqual(idx.search(row(ds.queries, q, ds.dims), 10));
    }
  });
});

describe('streaming inserts, upserts and validation', () => {
  it('an index filled by upsert() (training SBQ on the way) reaches the recall floor', async () => {
    const { ds } = await builtIndex({ n: 10, dims: 32 });
    const { clusteredDataset } = await import('../src/dataset.js');
    const d = clusteredDataset({ n: 2000, nq: 40, dims: 32, clusters: 10, seed: 3 });
    const idx = new DiskAnnIndex({ dims: 32, R: 24, buildListSize: 48, trainThreshold: 500 });
    open.push(idx);
    void ds;
    for (let i = 0; i < d.n; i++) idx.upsert(1_000_000 + i, row(d.base, i, 32));
    expect(idx.stats().trained).toBe(true);
    const gt = exactKnn(d.base, d.n, d.queries, d.nq, 32, 10, 'cosine').map((r) => Array.from(r, (x) => 1_000_000 + x));
    expect(recallAtK(searchAll(idx, d.queries, d.nq, 32, 10), gt, 10)).toBeGreaterThanOrEqual(0.95);
  });

  it('upsert of an existing id replaces its vector; ids up to 2^53−1 round-trip', () => {
    const idx = new DiskAnnIndex({ dims: 4, metric: 'l2' });
    open.push(idx);
    const big = Number.MAX_SAFE_INTEGER;
    idx.upsert(big, [0, 0, 0, 1]);
    idx.upsert(1, [5, 5, 5, 5]);
    idx.upsert(2, [9, 9, 9, 9]);
    expect(idx.search([0, 0, 0, 1], 1).ids).toEqual([big]);
    idx.upsert(big, [9, 9, 9, 8]);
    expect(idx.size).toBe(3);
    expect(idx.search([0, 0, 0, 1], 1).ids).toEqual([1]);
    expect(idx.search([9, 9, 9, 8], 1).ids).toEqual([big]);
  });

  it('rejects bad input with field-level errors', () => {
    const idx = new DiskAnnIndex({ dims: 3 });
    open.push(idx);
    expect(() => idx.upsert(1, [1, 2])).toThrow(DiskAnnInputError);
    expect(() => idx.upsert(1, [1, NaN, 2])).toThrow(/vector\[1\]/);
    expect(() => idx.upsert(-1, [1, 2, 3])).toThrow(/id/);
    expect(() => idx.upsert(1.5, [1, 2, 3])).toThrow(/id/);
    expect(() => idx.upsert(1, [0, 0, 0])).toThrow(/zero vector/);
    expect(() => idx.upsert(1, [1, 2, 3], [-1])).toThrow(/labels/);
    idx.upsert(1, [1, 2, 3]);
    expect(() => idx.search([1, 2, 3], 0)).toThrow(/k/);
    expect(() => idx.search([1, 2, 3], 5, { listSize: 0 })).toThrow(/listSize/);
    expect(() => new DiskAnnIndex({ dims: 0 })).toThrow(/dims/);
  });

  it('search on an empty index returns nothing', async () => {
    const idx = new DiskAnnIndex({ dims: 3 });
    open.push(idx);
    expect(idx.search([1, 2, 3], 5)).toEqual({ ids: [], distances: [] });
    expect(await idx.searchAsync([1, 2, 3], 5)).toEqual({ ids: [], distances: [] });
  });
});

describe('default list size', () => {
  it('is the base up to 100k points and grows with log10(n) beyond (200 at 1M for base 50)', () => {
    expect(scaledListSize(50, 1)).toBe(50);
    expect(scaledListSize(50, 100_000)).toBe(50);
    expect(scaledListSize(50, 1_000_000)).toBe(200);
    let prev = 0;
    for (const n of [1e5, 2e5, 5e5, 1e6, 1e7, 1e9]) {
      const l = scaledListSize(50, n);
      expect(l).toBeGreaterThanOrEqual(prev);
      expect(l).toBeLessThanOrEqual(4096);
      prev = l;
    }
  });

  it('an explicit listSize (constructor or query) is used as given', async () => {
    const small = new DiskAnnIndex({ dims: 4, metric: 'l2', listSize: 7, queryWorkers: 0 });
    try {
      expect(small.defaults.scaleListSize).toBe(false);
      expect(small.defaults.listSize).toBe(7);
    } finally {
      await small.close();
    }
    const auto = new DiskAnnIndex({ dims: 4, metric: 'l2', queryWorkers: 0 });
    try {
      expect(auto.defaults.scaleListSize).toBe(true);
      expect(() => auto.search([0, 0, 0, 0], 1, { listSize: 0 })).toThrow(DiskAnnInputError);
    } finally {
      await auto.close();
    }
  });
});

describe('iterator', () => {
  it('yields every live point once; with a window ≥ n the order is exact', async () => {
    const { idx, ds } = await builtIndex({ n: 600, dims: 16, seed: 9 });
    open.push(idx);
    for (let i = 0; i < 600; i += 7) idx.delete(i);
    const q = row(ds.queries, 0, 16);
    const all = [...idx.iterate(q, { rescore: 1000 })];
    const ids = all.map((x) => x.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(idx.size);
    expect(ids.some((id) => id % 7 === 0)).toBe(false);
    for (let i = 1; i < all.length; i++) expect(all[i]!.distance).toBeGreaterThanOrEqual(all[i - 1]!.distance);
    // With a small window the order is approximate but the head matches the exact top-10.
    const head = [];
    for (const x of idx.iterate(q, { rescore: 40 })) {
      head.push(x.id);
      if (head.length === 10) break;
    }
    expect(recallAtK([head], [ids.slice(0, 10)], 10)).toBeGreaterThanOrEqual(0.9);
  });
});

describe('deletes and consolidation', () => {
  it('tombstones are never returned; consolidation keeps every live node reachable and reuses slots', async () => {
    const n = 3000;
    const dims = 32;
    const { idx, ds } = await builtIndex({ n, dims, seed: 21 });
    open.push(idx);
    const gt0 = exactKnn(ds.base, n, ds.queries, ds.nq, dims, 10, 'cosine');
    const deleted = new Set<number>();
    // Delete 20% including the start node's id, then check no query returns them.
    for (let i = 0; i < n; i += 5) {
      idx.delete(i);
      deleted.add(i);
    }
    const start = idx._internals().start;
    for (let q = 0; q < ds.nq; q++) {
      for (const id of idx.search(row(ds.queries, q, dims), 10).ids) expect(deleted.has(id)).toBe(false);
    }
    const hwBefore = idx.stats().highWater;
    const rep = await idx.consolidate();
    expect(rep.freed).toBe(deleted.has(start) ? deleted.size - 1 : deleted.size);
    const st = idx.stats();
    expect(st.count).toBe(n - deleted.size);
    // Reachability: BFS from the start node over the graph reaches every live node, and no
    // edge points at a freed slot.
    const { views: v, highWater } = idx._internals();
    const seen = new Uint8Array(highWater);
    const queue = [start];
    seen[start] = 1;
    while (queue.length) {
      const p = queue.pop()!;
      for (let i = 0; i < v.deg[p]!; i++) {
        const nb = v.adj[p * v.layout.adjStride + i]!;
        expect(v.flags[nb]).not.toBe(0);
        if (!seen[nb]) {
          seen[nb] = 1;
          queue.push(nb);
        }
      }
    }
    let unreachable = 0;
    for (let s = 0; s < highWater; s++) if (v.flags[s] === LIVE && !seen[s]) unreachable++;
    expect(unreachable).toBe(0);
    // Recall over the remaining points stays above the floor.
    const live = (i: number): boolean => !deleted.has(i);
    const gt1 = exactKnn(ds.base, n, ds.queries, ds.nq, dims, 10, 'cosine', (_q, i) => live(i));
    expect(recallAtK(searchAll(idx, ds.queries, ds.nq, dims, 10), gt1, 10)).toBeGreaterThanOrEqual(0.95);
    // Re-insert the deleted points: freed slots are reused, high water does not grow.
    for (const id of deleted) idx.upsert(id, row(ds.base, id, dims));
    expect(idx.stats().highWater).toBe(hwBefore);
    expect(recallAtK(searchAll(idx, ds.queries, ds.nq, dims, 10), gt0, 10)).toBeGreaterThanOrEqual(0.95);
  });
});
