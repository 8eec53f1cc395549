import { describe, expect, it } from 'vitest';
import { ExactVectorIndex } from '../src/vector/exact-index.js';

function rand(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}
const vec = (r: () => number, d: number) => Float32Array.from({ length: d }, r);

describe('ExactVectorIndex', () => {
  it('returns the true top-k by cosine, per tenant only', async () => {
    const r = rand(7);
    const idx = new ExactVectorIndex(16);
    const data = new Map<number, Float32Array>();
    for (let i = 1; i <= 300; i++) {
      const v = vec(r, 16);
      data.set(i, v);
      idx.upsert(i, i % 3, v);
    }
    const q = vec(r, 16);
    const norm = (v: Float32Array) => Math.hypot(...v);
    const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0) / norm(a) / norm(b);
    const truth = [...data].filter(([id]) => id % 3 === 1).map(([id, v]) => ({ id, s: cos(q, v) })).sort((a, b) => b.s - a.s).slice(0, 10);
    const got = await idx.search(1, q, 10);
    expect(got.map((h) => h.id)).toEqual(truth.map((t) => t.id));
    expect(got.every((h) => h.id % 3 === 1)).toBe(true);
    expect(got[0]!.score).toBeCloseTo(truth[0]!.s, 5);
  });
  it('applies updates, deletes and tenant moves', async () => {
    const idx = new ExactVectorIndex(2);
    idx.upsert(1, 1, Float32Array.of(1, 0));
    idx.upsert(2, 1, Float32Array.of(0, 1));
    idx.upsert(3, 1, Float32Array.of(0.7, 0.7));
    idx.delete(1);
    expect((await idx.search(1, Float32Array.of(1, 0), 5)).map((h) => h.id)).toEqual([3, 2]);
    idx.upsert(2, 1, Float32Array.of(1, 0.01));
    expect((await idx.search(1, Float32Array.of(1, 0), 1)).map((h) => h.id)).toEqual([2]);
    idx.upsert(3, 2, Float32Array.of(1, 0));
    expect((await idx.search(1, Float32Array.of(1, 0), 5)).map((h) => h.id)).toEqual([2]);
    expect(idx.size()).toBe(2);
  });
});
