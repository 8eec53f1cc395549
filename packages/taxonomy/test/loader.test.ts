import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, createTestDatabase, type TestDatabase } from '@hh/db';
import { loadTaxonomy, taxonomyVersion, taxonomySeedKey } from '../src/load.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ seedKey: taxonomySeedKey(), seed: async (pool) => void (await loadTaxonomy(pool)) });
});
afterAll(async () => {
  await db?.drop();
});

const count = async (sql: string, params: unknown[] = []) => (await db.pool.query<{ n: number }>(sql, params)).rows[0]?.n ?? -1;

describe('loadTaxonomy', () => {
  it('loads O*NET, ESCO and CBO occupations with their aliases and skills', async () => {
    expect(await count("SELECT count(*)::int AS n FROM occupations WHERE source = 'onet'")).toBeGreaterThanOrEqual(1_000);
    expect(await count("SELECT count(*)::int AS n FROM occupations WHERE source = 'cbo'")).toBeGreaterThanOrEqual(2_000);
    expect(await count("SELECT count(*)::int AS n FROM occupations WHERE source = 'esco'")).toBeGreaterThanOrEqual(2_900);
    expect(await count("SELECT count(*)::int AS n FROM occupation_aliases WHERE lang = 'pt'")).toBeGreaterThan(10_000);
    expect(await count("SELECT count(*)::int AS n FROM occupation_aliases WHERE kind = 'alternate'")).toBeGreaterThan(50_000);
    expect(await count('SELECT count(*)::int AS n FROM occupation_skills WHERE hot')).toBeGreaterThan(10_000);
    const { rows } = await db.pool.query<{ value: string }>("SELECT value FROM taxonomy_meta WHERE key = 'version'");
    expect(rows[0]?.value).toBe(taxonomyVersion());
  });

  it('stores folded aliases that keep tech punctuation', async () => {
    const { rows } = await db.pool.query<{ alias: string; alias_norm: string }>(
      "SELECT alias, alias_norm FROM occupation_aliases WHERE alias IN ('Técnico de enfermagem', 'C++ Developer', 'ASP.NET Developer', 'Back-End Web Developer')",
    );
    const norm = Object.fromEntries(rows.map((r) => [r.alias, r.alias_norm]));
    expect(norm['Técnico de enfermagem']).toBe('tecnico de enfermagem');
    expect(norm['Back-End Web Developer']).toBe('back end web developer');
    expect(norm['C++ Developer']).toBe('c++ developer');
    expect(norm['ASP.NET Developer']).toBe('asp.net developer');
  });

  it('marks hot technologies from O*NET Technology Skills', async () => {
    const { rows } = await db.pool.query<{ skill: string; hot: boolean }>(
      `SELECT s.skill, s.hot FROM occupation_skills s JOIN occupations o ON o.id = s.occupation_id
        WHERE o.source = 'onet' AND o.code = '15-1252.00' AND s.skill IN ('Python', 'Oracle Java')`,
    );
    expect(rows.length).toBe(2);
    expect(rows.every((r) => r.hot)).toBe(true);
  });

  it('is idempotent: a second run is skipped and changes nothing', async () => {
    const before = await count('SELECT count(*)::int AS n FROM occupation_aliases');
    const r = await loadTaxonomy(db.pool);
    expect(r.skipped).toBe(true);
    expect(r.occupations.cbo).toBe(2719);
    expect(await count('SELECT count(*)::int AS n FROM occupation_aliases')).toBe(before);
  });

  it('a forced reload replaces rows but keeps occupation ids stable', async () => {
    const idOf = () => count("SELECT id AS n FROM occupations WHERE source = 'cbo' AND code = '223505'");
    const before = await idOf();
    const aliases = await count('SELECT count(*)::int AS n FROM occupation_aliases');
    // A stale alias that is not in the shipped files must disappear on reload.
    await db.pool.query("INSERT INTO occupation_aliases (occupation_id, alias, alias_norm, lang, kind) VALUES ($1, 'Stale', 'stale alias', 'en', 'synonym')", [before]);
    const r = await loadTaxonomy(db.pool, { force: true });
    expect(r.skipped).toBe(false);
    expect(await idOf()).toBe(before);
    expect(await count('SELECT count(*)::int AS n FROM occupation_aliases')).toBe(aliases);
    expect(await count("SELECT count(*)::int AS n FROM occupation_aliases WHERE alias_norm = 'stale alias'")).toBe(0);
  });

  it('concurrent loads serialise: one loads, the other finds it loaded', async () => {
    await db.pool.query("UPDATE taxonomy_meta SET value = 'older' WHERE key = 'version'");
    // Two pools = two processes; generous connect timeout because a full load keeps the server busy.
    const p1 = createPool(db.url, { max: 1, connectionTimeoutMillis: 60_000, statementTimeoutMs: 120_000 });
    const p2 = createPool(db.url, { max: 1, connectionTimeoutMillis: 60_000, statementTimeoutMs: 120_000 });
    try {
      const [a, b] = await Promise.all([loadTaxonomy(p1), loadTaxonomy(p2)]);
      expect([a.skipped, b.skipped].sort()).toEqual([false, true]);
    } finally {
      await Promise.all([p1.end(), p2.end()]);
    }
  });
});
