import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@hh/db';
import { DEMO_REFERENCE_YEAR, generateDemoCandidates, mulberry32 } from '../src/demo.js';
import { buildDemoSeed } from '../src/demo-seed.js';
import { loadTaxonomy, taxonomySeedKey } from '../src/load.js';
import { createOccupationResolver } from '../src/lookup.js';
import { defaultDataDir } from '../src/sources.js';
import type { DemoCandidate } from '../src/types.js';

const SENIORITY = ['intern', 'junior', 'mid', 'senior', 'lead', 'principal', 'executive'];
const EN_COUNTRIES = new Set(['US', 'GB', 'CA', 'IE']);

describe('mulberry32', () => {
  it('produces a pinned sequence (same on every machine)', () => {
    const r = mulberry32(1);
    // 2693262067 / 2^32 = 0.6270739405881613, the published first output of mulberry32 for seed 1.
    expect([r(), r(), r()].map((x) => Math.floor(x * 2 ** 32))).toEqual([2693262067, 11749833, 2265367787]);
  });
});

describe('generateDemoCandidates', () => {
  const pool = generateDemoCandidates({ count: 3_000, seed: 42 });

  it('is deterministic for a seed and differs across seeds and tenants', () => {
    expect(generateDemoCandidates({ count: 3_000, seed: 42 })).toEqual(pool);
    const other = generateDemoCandidates({ count: 50, seed: 43 });
    expect(other.map((c) => c.title)).not.toEqual(pool.slice(0, 50).map((c) => c.title));
    const tenant = generateDemoCandidates({ count: 50, seed: 42, tenantSlug: 'acme' });
    expect(tenant.map((c) => c.title)).not.toEqual(pool.slice(0, 50).map((c) => c.title));
    expect(tenant[0]?.id).toBe('demo-000001');
    // A slice generated with startId has consecutive ids.
    expect(generateDemoCandidates({ count: 2, seed: 1, startId: 1_000 }).map((c) => c.id)).toEqual(['demo-001000', 'demo-001001']);
  });

  it('produces well-formed candidates in the hh-search API shape', () => {
    const keys = new Set(['id', 'version', 'title', 'headline', 'summary', 'skills', 'experience', 'location', 'remote', 'yearsExperience', 'seniority', 'language']);
    pool.forEach((c: DemoCandidate, i) => {
      expect(c.id).toBe(`demo-${String(i + 1).padStart(6, '0')}`);
      for (const k of Object.keys(c)) expect(keys.has(k), k).toBe(true);
      expect(c.title.trim().length).toBeGreaterThan(1);
      expect(c.title.length).toBeLessThanOrEqual(200);
      expect(SENIORITY).toContain(c.seniority);
      expect(c.yearsExperience).toBeGreaterThanOrEqual(0);
      expect(c.yearsExperience).toBeLessThanOrEqual(40);
      const sentences = (c.summary ?? '').split(/(?<=\.)\s+/u).filter(Boolean);
      expect(sentences.length).toBeGreaterThanOrEqual(2);
      expect(sentences.length).toBeLessThanOrEqual(4);
      expect(c.skills?.length).toBeGreaterThanOrEqual(2);
      expect(new Set(c.skills).size).toBe(c.skills?.length);
      expect(c.location?.country).toMatch(/^[A-Z]{2}$/);
      if (c.language === 'pt') expect(c.location?.country).toBe('BR');
      else expect(EN_COUNTRIES.has(c.location?.country ?? '')).toBe(true);
      // Experience: newest first, current job open-ended, no gaps or overlaps, adds up to the years.
      const xp = c.experience ?? [];
      expect(xp.length).toBeGreaterThanOrEqual(1);
      expect(xp[0]?.endYear).toBeNull();
      expect(xp[0]?.title).toBe(c.title);
      let end = DEMO_REFERENCE_YEAR;
      for (const e of xp) {
        expect(e.startYear).toBeLessThan(end);
        if (e !== xp[0]) expect(e.endYear).toBe(end);
        end = e.startYear ?? 0;
      }
      expect(DEMO_REFERENCE_YEAR - end).toBe(Math.max(1, c.yearsExperience ?? 0));
    });
  });

  it('keeps seniority consistent with years of experience', () => {
    for (const c of pool) {
      const y = c.yearsExperience ?? 0;
      if (c.seniority === 'intern') expect(y).toBe(0);
      if (c.seniority === 'junior') expect(y).toBeLessThanOrEqual(2);
      if (c.seniority === 'mid') expect(y).toBeGreaterThanOrEqual(3);
      if (c.seniority === 'senior') expect(y).toBeGreaterThanOrEqual(6);
      if (c.seniority === 'principal' || c.seniority === 'executive') expect(y).toBeGreaterThanOrEqual(11);
    }
  });

  it('mixes ~60% English and ~40% Brazilian-Portuguese profiles, with the key occupations in both', () => {
    const pt = pool.filter((c) => c.language === 'pt');
    expect(pt.length / pool.length).toBeGreaterThan(0.35);
    expect(pt.length / pool.length).toBeLessThan(0.45);
    const titles = pool.map((c) => `${c.language}:${c.title}`);
    const has = (re: RegExp) => titles.some((t) => re.test(t));
    expect(has(/^en:.*Registered Nurse/)).toBe(true);
    expect(has(/^pt:Enfermeir[ao]/)).toBe(true);
    expect(has(/^en:.*Accountant/)).toBe(true);
    expect(has(/^pt:Contador[a]?/)).toBe(true);
    expect(has(/^en:.*Backend (Developer|Engineer)/)).toBe(true);
    expect(has(/^pt:Desenvolvedora? Back-end/)).toBe(true);
    expect(new Set(pt.map((c) => c.location?.city)).size).toBeGreaterThanOrEqual(8);
    // Portuguese text really is Portuguese.
    expect(pt.every((c) => /experiência|início de carreira/.test(c.summary ?? ''))).toBe(true);
  });

  it('the committed demo-seed.json matches its generator (rerun `pnpm --filter @hh/taxonomy demo-seed`)', () => {
    const committed = JSON.parse(readFileSync(join(defaultDataDir, 'demo-seed.json'), 'utf8')) as unknown;
    expect(committed).toEqual(buildDemoSeed());
  });
});

describe('demo candidates and the taxonomy', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ seedKey: taxonomySeedKey(), seed: async (pool) => void (await loadTaxonomy(pool)) });
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('almost every demo title resolves to an occupation at ingest', async () => {
    const cands = generateDemoCandidates({ count: 600, seed: 9 });
    const ids = await createOccupationResolver()(db.pool, cands.map((c) => c.title), cands.map((c) => c.language));
    const tagged = ids.filter((x) => x.length > 0).length;
    expect(tagged / cands.length).toBeGreaterThan(0.95);
  });
});
