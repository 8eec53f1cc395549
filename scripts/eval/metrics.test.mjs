import { describe, expect, it } from 'vitest';
import { meanScores, ndcgAt, recallAt, reciprocalRank, scoreQuery } from './metrics.mjs';

const qrels = (entries) => new Map(Object.entries(entries));

describe('ndcgAt', () => {
  it('is 1 for the ideal order and 0 with no relevant id returned', () => {
    const q = qrels({ a: 2, b: 1 });
    expect(ndcgAt(['a', 'b', 'x'], q, 10)).toBeCloseTo(1, 12);
    expect(ndcgAt(['x', 'y'], q, 10)).toBe(0);
  });

  it('matches a hand computation with graded gains', () => {
    // Returned: x (0), b (1), a (2). DCG = (2^1-1)/log2(3) + (2^2-1)/log2(4) = 0.630930 + 1.5 = 2.130930
    // Ideal:    a (2), b (1).        IDCG = 3/log2(2) + 1/log2(3) = 3 + 0.630930 = 3.630930
    expect(ndcgAt(['x', 'b', 'a'], qrels({ a: 2, b: 1 }), 10)).toBeCloseTo(2.13093 / 3.63093, 5);
  });

  it('only counts the first k ranks, while the ideal still uses every judged id', () => {
    // k = 2: the list's relevant id sits at rank 3 → DCG 0. Three relevant ids, ideal DCG@2 = 1 + 1/log2(3).
    expect(ndcgAt(['x', 'y', 'a'], qrels({ a: 1, b: 1, c: 1 }), 2)).toBe(0);
    // a at rank 2: DCG = 1/log2(3) = 0.630930; IDCG@2 = 1.630930 → 0.386853
    expect(ndcgAt(['x', 'a'], qrels({ a: 1, b: 1, c: 1 }), 2)).toBeCloseTo(0.386853, 5);
  });

  it('ignores grade-0 judgements', () => {
    expect(ndcgAt(['z', 'a'], qrels({ a: 1, z: 0 }), 10)).toBeCloseTo(1 / Math.log2(3), 12);
  });
});

describe('reciprocalRank', () => {
  it('is 1 / the rank of the first relevant id', () => {
    expect(reciprocalRank(['a'], qrels({ a: 1 }))).toBe(1);
    expect(reciprocalRank(['x', 'y', 'b', 'a'], qrels({ a: 3, b: 1 }))).toBeCloseTo(1 / 3, 12);
    expect(reciprocalRank(['x', 'y'], qrels({ a: 1 }))).toBe(0);
    expect(reciprocalRank(['z', 'a'], qrels({ a: 1, z: 0 }))).toBe(0.5);
  });
});

describe('recallAt', () => {
  it('is the share of relevant ids in the first k', () => {
    const q = qrels({ a: 1, b: 2, c: 1, d: 0 });
    expect(recallAt(['a', 'x', 'b', 'd'], q, 100)).toBeCloseTo(2 / 3, 12);
    expect(recallAt(['a', 'x', 'b'], q, 2)).toBeCloseTo(1 / 3, 12);
    expect(recallAt([], q, 100)).toBe(0);
    expect(recallAt(['a'], qrels({ z: 0 }), 100)).toBe(0);
  });
});

describe('meanScores', () => {
  it('averages each figure and reports nulls for no queries', () => {
    const q = qrels({ a: 1 });
    const m = meanScores([scoreQuery(['a'], q), scoreQuery(['x', 'a'], q)]);
    expect(m.queries).toBe(2);
    expect(m.mrr).toBeCloseTo(0.75, 12);
    expect(m.recall100).toBe(1);
    expect(m.ndcg10).toBeCloseTo((1 + 1 / Math.log2(3)) / 2, 12);
    expect(meanScores([])).toEqual({ ndcg10: null, mrr: null, recall100: null, queries: 0 });
  });
});

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks', async () => {
    const { parseCsv, parseCsvObjects } = await import('./csv.mjs');
    expect(parseCsv('a,b\r\n"x, y","he said ""hi""\nbye"\n')).toEqual([
      ['a', 'b'],
      ['x, y', 'he said "hi"\nbye'],
    ]);
    expect(parseCsvObjects('\uFEFFCategory,Resume\nHR,"text"\n')).toEqual([{ Category: 'HR', Resume: 'text' }]);
  });
});
