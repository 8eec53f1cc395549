/**
 * Recruiter filters applied inside each in-memory branch, on a pool of a few hundred varied
 * candidates: every result passes the filter, the vector branch fills its window whenever the pool
 * holds that many matches (no fixed over-fetch that can come up short), and `vector_filtered_short`
 * appears exactly when the pool truly holds fewer matches than the window.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, startHarness, type Harness } from './harness.js';

let h: Harness;
let a: ReturnType<typeof client>;

const TITLES = [
  { title: 'Registered Nurse', skills: ['Patient care', 'BLS', 'ACLS'], text: 'Critical care nurse, patient assessment and medication administration.' },
  { title: 'Accountant', skills: ['GAAP', 'Excel', 'Tax'], text: 'General ledger, month-end close and financial statements.' },
  { title: 'Software Engineer', skills: ['TypeScript', 'PostgreSQL', 'Docker'], text: 'Backend services in TypeScript with PostgreSQL and Docker.' },
];
const COUNTRIES = ['US', 'BR', 'PT'];
const SENIORITY = ['junior', 'mid', 'senior', 'lead'] as const;

interface Pooled {
  id: string;
  title: string;
  country: string;
  remote: boolean;
  years: number;
  seniority: string;
  skills: string[];
}
const pool: Pooled[] = [];
for (let i = 0; i < 360; i++) {
  const t = TITLES[i % 3]!;
  // A rare skill on a few candidates gives filters with fewer matches than the window.
  const skills = i % 37 === 0 ? [...t.skills, 'Rust'] : t.skills;
  pool.push({ id: `c-${i}`, title: t.title, country: COUNTRIES[(i >> 1) % 3]!, remote: i % 4 === 0, years: (i * 7) % 21, seniority: SENIORITY[(i >> 2) % 4]!, skills });
}

type F = { countries?: string[]; remote?: boolean; minYears?: number; maxYears?: number; seniority?: string[]; mustHaveSkills?: string[] };
const passes = (c: Pooled, f: F) =>
  (!f.countries || f.countries.includes(c.country)) &&
  (f.remote === undefined || c.remote === f.remote) &&
  (f.minYears === undefined || c.years >= f.minYears) &&
  (f.maxYears === undefined || c.years <= f.maxYears) &&
  (!f.seniority || f.seniority.includes(c.seniority)) &&
  (!f.mustHaveSkills || f.mustHaveSkills.every((s) => c.skills.includes(s)));

const FILTERS: F[] = [
  { countries: ['BR'] },
  { remote: true },
  { minYears: 10 },
  { minYears: 5, maxYears: 8, seniority: ['senior', 'lead'] },
  { countries: ['PT'], remote: false, seniority: ['junior'] },
  { mustHaveSkills: ['Rust'] },
  { mustHaveSkills: ['Rust'], countries: ['US'] },
  { mustHaveSkills: ['COBOL'] },
];

// Small matching sets are scanned exactly by default; VECTOR_EXACT_SCAN_MAX=0 sends every filtered
// vector search through the predicate walk instead.
describe.each([
  { path: 'exact scan of small matching sets', overrides: {} },
  { path: 'predicate walk only', overrides: { VECTOR_EXACT_SCAN_MAX: '0' } },
])('filters inside the in-memory branches ($path)', ({ overrides }) => {
  beforeAll(async () => {
    h = await startHarness(overrides);
    const t = await h.newTenant('filters');
    a = client(h.url, t.key);
    const body = pool.map((c, i) => ({
      id: c.id,
      title: c.title,
      headline: `${c.title} ${i}`,
      summary: TITLES[i % 3]!.text,
      skills: c.skills,
      location: { country: c.country, city: 'Somewhere' },
      remote: c.remote,
      yearsExperience: c.years,
      seniority: c.seniority,
      language: 'en',
    }));
    const res = await a.bulk(body);
    expect(res.status).toBe(200);
    await h.settle();
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  for (const f of FILTERS) {
    it(`vector: ${JSON.stringify(f)}`, async () => {
      const matching = pool.filter((c) => passes(c, f));
      const res = await a.search({ query: 'experienced professional', filters: f, limit: 100, rerank: false, weights: { vector: 1, fts: 0, specialty: 0 } });
      expect(res.status).toBe(200);
      expect(res.body.branches.vector.status).toBe('ok');
      const byId = new Map(pool.map((c) => [c.id, c]));
      for (const r of res.body.results as { candidateId: string }[]) expect(passes(byId.get(r.candidateId)!, f)).toBe(true);
      const window = 100;
      expect(res.body.branches.vector.count).toBe(Math.min(window, matching.length));
      expect(res.body.degraded.includes('vector_filtered_short')).toBe(matching.length < window);
    });

    it(`specialty: ${JSON.stringify(f)}`, async () => {
      const res = await a.search({ query: 'Registered Nurse', filters: f, limit: 100, rerank: false, weights: { vector: 0, fts: 0, specialty: 1 } });
      expect(res.status).toBe(200);
      expect(res.body.branches.specialty.status).toBe('ok');
      const byId = new Map(pool.map((c) => [c.id, c]));
      const results = res.body.results as { candidateId: string; branches: { specialty?: { occupation?: string } } }[];
      for (const r of results) {
        expect(passes(byId.get(r.candidateId)!, f)).toBe(true);
        expect(byId.get(r.candidateId)!.title).toBe('Registered Nurse');
      }
      const nurses = pool.filter((c) => c.title === 'Registered Nurse' && passes(c, f));
      expect(results.length).toBe(Math.min(100, nurses.length));
      // Most years first, as the SQL form orders them.
      const years = results.map((r) => byId.get(r.candidateId)!.years);
      expect(years).toEqual([...years].sort((x, y) => y - x));
    });
  }
});
