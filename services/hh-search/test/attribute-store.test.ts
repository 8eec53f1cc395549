/**
 * The attribute store and the compiled filter against a plain reference: random candidates, random
 * writes and deletes, random filters — the compiled predicate, the matching-set enumeration and the
 * occupation postings must agree with a naive evaluation over the records, before and after a
 * snapshot round trip.
 */
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normCity, normSkill } from '../src/candidates/derive.js';
import { AttributeStore, attributesSnapshotPath } from '../src/index/attributes/store.js';
import { ListArena } from '../src/index/attributes/list-arena.js';
import type { CandidateRecord } from '../src/index/records.js';
import { compileAttributeFilter, matchingSet } from '../src/search/attribute-filter.js';
import { specialtyFromPostings } from '../src/search/branches/specialty.js';
import type { SearchFilters } from '../src/search/schema.js';

const COUNTRIES = ['BR', 'US', 'PT', 'DE'];
const CITIES = ['São Paulo', 'Lisbon', 'Berlin', 'Austin'];
const SKILLS = ['TypeScript', 'Go', 'SQL', 'Kubernetes', 'C++', 'Nursing', 'Excel'];
const SENIORITY = ['intern', 'junior', 'mid', 'senior', 'lead', 'principal', 'executive'];
const YEARS = [null, 0, 0.5, 1, 2.25, 3, 5, 8, 12, 20];

const record = fc.record({
  id: fc.integer({ min: 1, max: 60 }),
  tenantId: fc.integer({ min: 1, max: 2 }),
  country: fc.option(fc.constantFrom(...COUNTRIES), { nil: null }),
  city: fc.option(fc.constantFrom(...CITIES), { nil: null }),
  remote: fc.boolean(),
  yearsExperience: fc.constantFrom(...YEARS),
  seniority: fc.option(fc.constantFrom(...SENIORITY), { nil: null }),
  skills: fc.uniqueArray(fc.constantFrom(...SKILLS), { maxLength: 4 }),
  occupationIds: fc.uniqueArray(fc.integer({ min: 1, max: 6 }), { maxLength: 3 }),
});
type Gen = typeof record extends fc.Arbitrary<infer T> ? T : never;

const toRecord = (g: Gen): CandidateRecord =>
  ({
    ...g,
    externalId: `x${g.id}`,
    version: 1,
    title: '',
    headline: '',
    summary: '',
    skillsNorm: g.skills.map(normSkill),
    region: null,
    cityNorm: g.city ? normCity(g.city) : null,
    language: 'en',
    experience: [],
  }) as CandidateRecord;

/** One to three filter clauses at a time: with more, almost nothing passes and boundaries go untested. */
const clauses = {
  countries: fc.uniqueArray(fc.constantFrom(...COUNTRIES, 'FR'), { minLength: 1, maxLength: 2 }),
  cities: fc.uniqueArray(fc.constantFrom(...CITIES, 'Paris'), { minLength: 1, maxLength: 2 }),
  remote: fc.boolean(),
  minYears: fc.constantFrom(0, 1, 2.25, 5),
  maxYears: fc.constantFrom(0.5, 3, 8, 20),
  seniority: fc.uniqueArray(fc.constantFrom(...SENIORITY), { minLength: 1, maxLength: 3 }),
  mustHaveSkills: fc.uniqueArray(fc.constantFrom(...SKILLS, 'COBOL'), { minLength: 1, maxLength: 2 }),
  occupations: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 3 }),
};
const filters: fc.Arbitrary<SearchFilters | undefined> = fc
  .subarray(Object.keys(clauses) as (keyof typeof clauses)[], { maxLength: 3 })
  .chain((keys) => (keys.length === 0 ? fc.constant(undefined) : fc.record(Object.fromEntries(keys.map((k) => [k, clauses[k]])) as Record<string, fc.Arbitrary<unknown>>)))
  .filter((f) => !f || f.minYears === undefined || f.maxYears === undefined || (f.minYears as number) <= (f.maxYears as number)) as fc.Arbitrary<SearchFilters | undefined>;

/** The filter semantics of the SQL form (search/filters.ts), evaluated on a record. */
function passes(r: CandidateRecord, tenantId: number, f: SearchFilters | undefined): boolean {
  if (r.tenantId !== tenantId) return false;
  if (!f) return true;
  if (f.countries && !(r.country !== null && f.countries.includes(r.country))) return false;
  if (f.cities && !(r.cityNorm !== null && f.cities.map(normCity).includes(r.cityNorm))) return false;
  if (f.remote !== undefined && r.remote !== f.remote) return false;
  if (f.minYears !== undefined && !(r.yearsExperience !== null && r.yearsExperience >= f.minYears)) return false;
  if (f.maxYears !== undefined && !(r.yearsExperience !== null && r.yearsExperience <= f.maxYears)) return false;
  if (f.seniority && !(r.seniority !== null && (f.seniority as string[]).includes(r.seniority))) return false;
  if (f.mustHaveSkills && !f.mustHaveSkills.map(normSkill).every((s) => r.skillsNorm.includes(s))) return false;
  if (f.occupations && !f.occupations.some((o) => r.occupationIds.includes(o))) return false;
  return true;
}

/** Writes (upserts) and deletes applied to the store and to a plain map. */
const ops = fc.array(fc.oneof({ weight: 4, arbitrary: record.map((r) => ({ op: 'upsert' as const, r })) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 60 }).map((id) => ({ op: 'delete' as const, id })) }), {
  maxLength: 120,
});

function build(list: fc.Arbitrary<unknown> extends never ? never : { op: 'upsert'; r: Gen }[] | ({ op: 'upsert'; r: Gen } | { op: 'delete'; id: number })[]) {
  const store = new AttributeStore(4); // small: exercises growth
  const truth = new Map<number, CandidateRecord>();
  for (const o of list) {
    if (o.op === 'upsert') {
      const r = toRecord(o.r);
      store.upsert(r);
      truth.set(r.id, r);
    } else {
      store.delete(o.id);
      truth.delete(o.id);
    }
  }
  return { store, truth };
}

function checkAgainstTruth(store: AttributeStore, truth: Map<number, CandidateRecord>, tenantId: number, f: SearchFilters | undefined, limit: number) {
  const filter = compileAttributeFilter(store, tenantId, f);
  const expected = [...truth.values()].filter((r) => passes(r, tenantId, f)).map((r) => r.id).sort((a, b) => a - b);
  const got = [...truth.keys()].filter((id) => filter.acceptId(id)).sort((a, b) => a - b);
  expect(got).toEqual(expected);
  expect(filter.acceptId(999_999)).toBe(false);
  const set = matchingSet(store, filter, limit);
  if (expected.length <= limit) expect(set?.slice().sort((a, b) => a - b)).toEqual(expected);
  else expect(set).toBeUndefined();
  expect(store.tenantSize(tenantId)).toBe([...truth.values()].filter((r) => r.tenantId === tenantId).length);
}

describe('attribute store and compiled filter', () => {
  it('accept the same candidates as the SQL filter semantics, through writes, deletes and growth', () => {
    fc.assert(
      fc.property(ops, fc.integer({ min: 1, max: 2 }), filters, fc.integer({ min: 0, max: 30 }), (list, tenantId, f, limit) => {
        const { store, truth } = build(list);
        expect(store.size).toBe(truth.size);
        expect(new Set(store.ids())).toEqual(new Set(truth.keys()));
        checkAgainstTruth(store, truth, tenantId, f, limit);
      }),
      { numRuns: 300 },
    );
  });

  it('a snapshot restores the same answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hh-attrs-'));
    try {
      await fc.assert(
        fc.asyncProperty(ops, fc.integer({ min: 1, max: 2 }), filters, async (list, tenantId, f) => {
          const { store, truth } = build(list);
          await store.save(dir, { tag: 't', lastSeq: 42 });
          const { store: back, lastSeq } = AttributeStore.load(dir, { tag: 't' });
          expect(lastSeq).toBe(42);
          expect(back.size).toBe(truth.size);
          checkAgainstTruth(back, truth, tenantId, f, 1_000);
        }),
        { numRuns: 60 },
      );
      expect(() => AttributeStore.load(dir, { tag: 'other' })).toThrow(/written for/);
      const path = attributesSnapshotPath(dir);
      const raw = readFileSync(path);
      raw[raw.length - 40] = raw[raw.length - 40]! ^ 0xff;
      writeFileSync(path, raw);
      expect(() => AttributeStore.load(dir, { tag: 't' })).toThrow(/checksum/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('specialty from postings ranks as the SQL form does: confidence, then years (unknown last), then id; only passing candidates', () => {
    const matches = fc.uniqueArray(
      fc.record({ occupationId: fc.integer({ min: 1, max: 7 }), confidence: fc.constantFrom(0.9, 0.7, 0.5), title: fc.constant('t') }),
      { selector: (m) => m.occupationId, maxLength: 4 },
    );
    fc.assert(
      fc.property(ops, fc.integer({ min: 1, max: 2 }), filters, matches, fc.integer({ min: 1, max: 25 }), (list, tenantId, f, ms, window) => {
        const { store, truth } = build(list);
        const filter = compileAttributeFilter(store, tenantId, f);
        const got = specialtyFromPostings(store, filter, ms.map((m) => ({ ...m, title: `occ${m.occupationId}` })), window);
        const conf = (r: CandidateRecord) => Math.max(-1, ...ms.filter((m) => r.occupationIds.includes(m.occupationId)).map((m) => m.confidence));
        const expected = [...truth.values()]
          .filter((r) => passes(r, tenantId, f) && conf(r) > 0)
          .sort((a, b) => conf(b) - conf(a) || (b.yearsExperience ?? -1) - (a.yearsExperience ?? -1) || a.id - b.id)
          .slice(0, window);
        expect(got.map((h) => h.id)).toEqual(expected.map((r) => r.id));
        expect(got.map((h) => h.score)).toEqual(expected.map(conf));
        for (const h of got) expect(truth.get(h.id)!.occupationIds).toContain(Number(h.occupation!.slice(3)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('list arena', () => {
  it('keeps each slot’s list through rewrites and compaction', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.uniqueArray(fc.integer({ min: 0, max: 50 }), { maxLength: 30 })), { maxLength: 400 }), (writes) => {
        const arena = new ListArena(21);
        const truth = new Map<number, number[]>();
        for (const [slot, values] of writes) {
          const sorted = [...values].sort((a, b) => a - b);
          arena.set(slot, sorted);
          truth.set(slot, sorted);
        }
        for (const [slot, values] of truth) {
          expect(Array.from(arena.get(slot))).toEqual(values);
          if (values.length) expect(arena.includesAll(slot, values.slice(0, 2))).toBe(true);
          expect(arena.includesAll(slot, [51])).toBe(false);
        }
      }),
    );
  });
});
