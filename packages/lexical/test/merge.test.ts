import fc from 'fast-check';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ExhaustiveScorer, LexicalIndex } from '../src/index.js';
import { docArb, jobArb } from './corpus.js';

describe('background merges', () => {
  it('run on setImmediate after seals; writes are visible before and after', async () => {
    const docs = fc.sample(docArb, { numRuns: 400, seed: 11 });
    const jobs = fc.sample(jobArb, { numRuns: 5, seed: 12 });
    const idx = new LexicalIndex({ sealDocs: 10, mergeFactor: 3 });
    docs.forEach((d, i) => idx.upsert(i + 1, d));
    // Nothing merged yet: the merges wait for the event loop.
    expect(idx.segmentCount().immutable).toBe(40);
    const before = jobs.map((text) => idx.search({ text, mode: 'job' }, { k: 10 }));
    for (let i = 0; i < 100; i++) await tick();
    expect(idx.segmentCount().immutable).toBeLessThan(10);
    jobs.forEach((text, i) => {
      const after = idx.search({ text, mode: 'job' }, { k: 10 });
      expect(after.hits).toEqual(before[i]!.hits);
      expect(after.hits).toEqual(new ExhaustiveScorer(idx).search({ text, mode: 'job' }, { k: 10 }).hits);
    });
    // A write is visible to the very next search, merges pending or not.
    idx.upsert(10_000, { language: 'en', title: 'quokka wrangler' });
    expect(idx.search({ text: 'quokka', mode: 'query' }, { k: 1 }).hits.map((h) => h.id)).toEqual([10_000]);
    expect(idx.delete(10_000)).toBe(true);
    expect(idx.search({ text: 'quokka', mode: 'query' }, { k: 1 }).hits).toEqual([]);
  });
});
