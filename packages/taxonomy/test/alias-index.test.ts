import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@hh/db';
import { loadAliasIndex, trigramSet, type AliasIndex } from '../src/alias-index.js';
import { loadTaxonomy, taxonomySeedKey } from '../src/load.js';
import { createSpecialtyLookup, lookupOccupations, TRIGRAM_THRESHOLD } from '../src/lookup.js';

let db: TestDatabase;
let index: AliasIndex;
beforeAll(async () => {
  db = await createTestDatabase({ seedKey: taxonomySeedKey(), seed: async (pool) => void (await loadTaxonomy(pool)) });
  index = await loadAliasIndex(db.pool);
});
afterAll(async () => {
  await db?.drop();
});

describe('in-memory alias index', () => {
  it('holds every alias row, keyed by alias_norm', async () => {
    const { rows } = await db.pool.query<{ n: number; d: number }>('SELECT count(*)::int AS n, count(DISTINCT alias_norm)::int AS d FROM occupation_aliases');
    expect(index.aliases).toBe(rows[0]?.n);
    expect(index.byNorm.size).toBe(rows[0]?.d);
    expect(index.byNorm.get('registered nurse')?.some((a) => a.occ.source === 'onet' && a.occ.code === '29-1141.00')).toBe(true);
    expect(index.fingerprint).toContain('version=');
  });

  it('builds trigrams exactly as pg_trgm does', async () => {
    for (const text of ['registered nurse', 'c++ developer', 'node.js engineer 2', 'a', 'analista de sistemas']) {
      const { rows } = await db.pool.query<{ t: string[] }>('SELECT show_trgm($1) AS t', [text]);
      expect([...trigramSet(text)].sort()).toEqual([...(rows[0]?.t ?? [])].sort());
    }
  });

  it('counts characters, not UTF-16 units, outside the BMP', () => {
    expect([...trigramSet('𠀀ab')].sort()).toEqual(['  𠀀', ' 𠀀a', '𠀀ab', 'ab '].sort());
  });

  it('trigram search finds the aliases and similarities that `alias_norm % phrase` finds', async () => {
    for (const phrase of ['regsitered nurse', 'acountant', 'desenvolverdor web', 'enfermero obstetrico', 'softwre developer']) {
      const client = await db.pool.connect();
      let sqlRows: Array<{ n: string; s: number }>;
      try {
        await client.query('BEGIN');
        await client.query(`SET LOCAL pg_trgm.similarity_threshold = ${TRIGRAM_THRESHOLD}`);
        sqlRows = (
          await client.query<{ n: string; s: number }>(
            'SELECT DISTINCT alias_norm AS n, similarity(alias_norm, $1)::float8 AS s FROM occupation_aliases WHERE alias_norm % $1',
            [phrase],
          )
        ).rows;
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      const mem = index.trigram.search(phrase, TRIGRAM_THRESHOLD);
      expect(sqlRows.length).toBeGreaterThan(0);
      expect(new Map(mem.map((m) => [m.norm, m.sim]))).toEqual(new Map(sqlRows.map((r) => [r.n, r.s])));
      // Best first.
      for (let i = 1; i < mem.length; i++) expect(mem[i - 1]!.sim).toBeGreaterThanOrEqual(mem[i]!.sim);
    }
  });

  it('ranks like the all-SQL path for titles, typos and job texts', async () => {
    const texts = [
      'Registered Nurse',
      'Regsitered Nurse',
      'enfermeira',
      'Analista de Sistemas Pleno',
      'Acountant',
      'Senior backend engineer with Node.js and PostgreSQL',
      'Market leader headquartered in Boston. As Registered Nurse you will work with Epic every day.',
      'Somos uma fintech em São Paulo. Vaga para Contadora Sênior: fechamento contábil, conciliações e auditorias.',
    ];
    const lookup = createSpecialtyLookup(db.pool, { cacheSize: 0 });
    expect((await lookup.warm()).aliases).toBe(index.aliases);
    // The top 10 (what hh-search asks for): further down, which of several equally similar aliases
    // fill a phrase's 40 trigram rows depends on Postgres' heap order.
    for (const t of texts) {
      const key = (ms: Awaited<ReturnType<typeof lookupOccupations>>) => ms.map((m) => `${m.occupationId}:${m.confidence}:${m.method}`);
      expect(key(await lookup.lookup(t, { limit: 10 })), t).toEqual(key(await lookupOccupations(db.pool, t, { limit: 10 })));
    }
  });
});

describe('createSpecialtyLookup index lifecycle', () => {
  it('keeps serving the loaded index until taxonomy_meta changes, then reloads and drops cached results', async () => {
    const scratch = await createTestDatabase({ seedKey: taxonomySeedKey(), seed: async (pool) => void (await loadTaxonomy(pool)) });
    try {
      const lookup = createSpecialtyLookup(scratch.pool, { refreshMs: 3_600_000 });
      expect(lookup.index).toBeUndefined();
      // Until the index is loaded, lookups take the SQL path (and start the load in the background).
      expect((await lookup.lookup('Registered Nurse'))[0]).toMatchObject({ code: '29-1141.00', confidence: 1 });
      await lookup.warm();
      lookup.clear();
      const before = await lookup.lookup('Registered Nurse');
      expect(before[0]).toMatchObject({ code: '29-1141.00', confidence: 1, method: 'exact' });
      const first = lookup.index;
      expect(first?.aliases).toBeGreaterThan(90_000);

      await scratch.pool.query("DELETE FROM occupation_aliases WHERE alias_norm = 'registered nurse'");
      // Within the refresh interval the loaded copy answers (no query per lookup).
      expect((await lookup.lookup('Registered Nurse', { limit: 5 }))[0]).toMatchObject({ confidence: 1, method: 'exact' });
      // A reload always rewrites taxonomy_meta; warm() checks it now instead of at the next interval.
      await scratch.pool.query("UPDATE taxonomy_meta SET value = value || ' (edited)' WHERE key = 'loaded_at'");
      const stats = await lookup.warm();
      expect(stats.fingerprint).not.toBe(first?.fingerprint);
      expect(stats.aliases).toBeLessThan(first?.aliases ?? 0);
      expect(lookup.cacheSize).toBe(0);
      const after = await lookup.lookup('Registered Nurse');
      // Only the plural O*NET title ("Registered Nurses", a spelling variant) is left to match.
      expect(after[0]?.confidence).toBeLessThan(1);
      expect(after.some((m) => m.matched.toLowerCase() === 'registered nurse')).toBe(false);
    } finally {
      await scratch.drop();
    }
  });
});
