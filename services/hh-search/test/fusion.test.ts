import { describe, expect, it } from 'vitest';
import { rrfFuse } from '../src/search/fusion.js';
import { compileFilters } from '../src/search/filters.js';
import { ftsQueryText } from '../src/search/query-text.js';

const w = { vector: 1, fts: 1, specialty: 1 };

describe('reciprocal rank fusion', () => {
  it('sums weighted 1/(k+rank) over branches', () => {
    const fused = rrfFuse(
      { vector: [{ id: 1, score: 0.9 }, { id: 2, score: 0.8 }], fts: [{ id: 2, score: 0.5 }, { id: 3, score: 0.4 }] },
      { k: 60, window: 100, weights: w },
    );
    expect(fused.map((f) => f.id)).toEqual([2, 1, 3]);
    expect(fused[0]!.rrf).toBeCloseTo(1 / 62 + 1 / 61, 12);
    expect(fused[0]!.branches).toEqual({ vector: { rank: 2, score: 0.8 }, fts: { rank: 1, score: 0.5 } });
  });
  it('honours weights (0 disables a branch) and the window', () => {
    const lists = { vector: [{ id: 1, score: 1 }], fts: [{ id: 2, score: 1 }, { id: 3, score: 1 }] };
    expect(rrfFuse(lists, { k: 60, window: 100, weights: { ...w, fts: 0 } }).map((f) => f.id)).toEqual([1]);
    expect(rrfFuse(lists, { k: 60, window: 1, weights: { ...w, fts: 2 } }).map((f) => f.id)).toEqual([2, 1]);
  });
  it('breaks ties deterministically by best rank, then id', () => {
    const fused = rrfFuse({ vector: [{ id: 9, score: 1 }], fts: [{ id: 4, score: 1 }] }, { k: 60, window: 100, weights: w });
    expect(fused.map((f) => f.id)).toEqual([4, 9]);
  });
});

describe('filters', () => {
  it('compile to one parameterised predicate', () => {
    const f = compileFilters({ countries: ['BR'], minYears: 3, mustHaveSkills: ['Node.JS', 'node.js'], cities: ['São Paulo'] });
    expect(f.sql).toBe('AND c.country = ANY($1::text[]) AND c.city_norm = ANY($2::text[]) AND c.years_experience >= $3 AND c.skills_norm @> $4::text[]');
    expect(f.params).toEqual([['BR'], ['sao paulo'], 3, ['node.js']]);
    expect(compileFilters(undefined)).toEqual({ sql: '', params: [] });
  });
});

describe('full-text query text', () => {
  it('keeps a short query as typed and ORs the top words of a job description', () => {
    expect(ftsQueryText({ query: ' registered nurse ' })).toBe('registered nurse');
    const q = ftsQueryText({ jobDescription: 'Nurse nurse ICU. The nurse works in the ICU with patients.' });
    expect(q.split(' or ').slice(0, 2)).toEqual(['nurse', 'icu']);
    expect(q).not.toMatch(/\bthe\b/);
  });
});
