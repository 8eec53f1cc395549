import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, withTransaction, type TestDatabase } from '@hh/db';
import { loadTaxonomy, taxonomySeedKey } from '../src/load.js';
import { createOccupationResolver, createSpecialtyLookup, lookupOccupations, occupationsForTitle, TRIGRAM_THRESHOLD } from '../src/lookup.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ seedKey: taxonomySeedKey(), seed: async (pool) => void (await loadTaxonomy(pool)) });
});
afterAll(async () => {
  await db?.drop();
});

const idOf = async (source: string, code: string) =>
  (await db.pool.query<{ id: number }>('SELECT id FROM occupations WHERE source = $1 AND code = $2', [source, code])).rows[0]?.id;

describe('lookupOccupations', () => {
  it('Registered Nurse: exact match on a nurse occupation with confidence 1, English taxonomy first', async () => {
    const res = await lookupOccupations(db.pool, 'Registered Nurse');
    expect(res[0]).toMatchObject({ source: 'onet', code: '29-1141.00', confidence: 1, method: 'exact' });
    expect(res[0]?.title).toMatch(/nurse/i);
    // The same job in the other taxonomies is reachable too (Portuguese candidates are tagged with CBO ids).
    const codes = res.filter((m) => m.confidence === 1).map((m) => `${m.source}:${m.code}`);
    expect(codes).toContain('cbo:223505');
    expect(res.some((m) => m.source === 'esco' && /nurse/.test(m.title))).toBe(true);
    expect(new Set(res.map((m) => m.occupationId)).size).toBe(res.length);
  });

  it('Portuguese titles find their CBO occupations (feminine forms included)', async () => {
    const enfermeira = await lookupOccupations(db.pool, 'enfermeira', { lang: 'pt' });
    expect(enfermeira[0]).toMatchObject({ source: 'cbo', code: '223505', title: 'Enfermeiro', method: 'exact' });

    const contador = await lookupOccupations(db.pool, 'contador', { lang: 'pt' });
    expect(contador[0]).toMatchObject({ source: 'cbo', code: '252210', confidence: 1 });

    const dev = await lookupOccupations(db.pool, 'Desenvolvedor Back-end', { lang: 'pt' });
    expect(dev[0]?.source).toBe('cbo');
    expect(['212405', '317110']).toContain(dev[0]?.code);
    expect(dev[0]?.confidence).toBe(1);

    // CBO's own synonyms work without the crosswalk.
    const tecnico = await lookupOccupations(db.pool, 'Técnica de Enfermagem do Trabalho');
    expect(tecnico[0]).toMatchObject({ source: 'cbo', code: '322215' });
  });

  it('a typo is found by trigram similarity with confidence below 1', async () => {
    const res = await lookupOccupations(db.pool, 'Regsitered Nurse');
    const top = res[0];
    expect(top?.method).toBe('trigram');
    expect(top?.confidence).toBeLessThan(1);
    expect(top?.confidence).toBeGreaterThan(0.4);
    expect(top?.title).toMatch(/nurse|enfermeiro/i);
    expect(top?.matched).toBe('Registered Nurse');
  });

  it('an unknown spelling falls back to trigram in Portuguese too', async () => {
    const res = await lookupOccupations(db.pool, 'enfermero obstetrico', { lang: 'pt' });
    expect(res[0]?.method).toBe('trigram');
    expect(res[0]?.code).toBe('223545');
  });

  it('seniority words do not hide the title', async () => {
    const res = await lookupOccupations(db.pool, 'Senior Accountant');
    expect(res[0]).toMatchObject({ source: 'onet', code: '13-2011.00', confidence: 1 });
    const pt = await lookupOccupations(db.pool, 'Analista de Sistemas Pleno', { lang: 'pt' });
    expect(pt[0]).toMatchObject({ source: 'cbo', code: '212405' });
  });

  it('finds the title of a long English job description', async () => {
    const jd = `Riverside Health is a 400-bed teaching hospital in Ohio with a strong culture of safety.
We are looking for a Registered Nurse to join our cardiac intensive care unit on night shifts. You will assess and monitor
critically ill patients, administer medications and blood products, and work with physicians, pharmacists and respiratory
therapists. Requirements: BSN, active state license, BLS and ACLS, two years of acute care experience. We offer tuition
support, a sign-on bonus and flexible scheduling.`;
    const res = await lookupOccupations(db.pool, jd);
    expect(res[0]?.title).toMatch(/nurse|enfermeiro/i);
    expect(res[0]?.method).toBe('exact');
    expect(res[0]?.confidence).toBeLessThan(1); // a phrase of the text, not the whole text
  });

  it('finds the title of a long Portuguese job description', async () => {
    const jd = `Somos uma fintech com sede em São Paulo e mais de 300 colaboradores.
Vaga para Contadora Sênior. Você será responsável pelo fechamento contábil mensal, conciliações, apuração de impostos e
atendimento a auditorias externas. Requisitos: CRC ativo, experiência com SPED e normas IFRS. Oferecemos trabalho híbrido.`;
    const res = await lookupOccupations(db.pool, jd, { lang: 'pt' });
    expect(res[0]).toMatchObject({ source: 'cbo', code: '252210' });
  });

  it('returns nothing for text with no occupation in it', async () => {
    expect(await lookupOccupations(db.pool, '   ')).toEqual([]);
    const res = await lookupOccupations(db.pool, 'qwxz vbnm');
    expect(res.every((m) => m.confidence < 0.5)).toBe(true);
  });

  it('survives hostile input (NUL, lone surrogates, huge text) without a database error', async () => {
    expect(await lookupOccupations(db.pool, 'Registered\u0000 Nurse\ud800')).toEqual(expect.arrayContaining([expect.objectContaining({ code: '29-1141.00' })]));
    const huge = `Registered Nurse. ${'lorem ipsum dolor '.repeat(5_000)}`;
    expect((await lookupOccupations(db.pool, huge))[0]?.title).toMatch(/nurse|enfermeiro/i);
  });

  it('respects limit and returns distinct occupations', async () => {
    const res = await lookupOccupations(db.pool, 'Software Engineer', { limit: 3, exhaustive: true });
    expect(res.length).toBe(3);
    expect(new Set(res.map((m) => m.occupationId)).size).toBe(3);
  });
});

describe('leading phrase of a title line (before "para", "com", "with", "for"…)', () => {
  const cases: Array<[string, string, string, 'en' | 'pt' | undefined]> = [
    ['Enfermeira para UTI com experiência em cuidados intensivos', 'cbo', '223505', 'pt'],
    ['Enfermeira para UTI com experiência em cuidados intensivos', 'cbo', '223505', undefined],
    ['Senior backend engineer with Node.js and PostgreSQL', 'onet', '15-1252.00', 'en'],
    ['Senior backend engineer with Node.js and PostgreSQL', 'onet', '15-1252.00', undefined],
    ['Software Engineer for our payments team', 'onet', '15-1252.00', undefined],
    ['Contadora para escritório em Curitiba', 'cbo', '252210', 'pt'],
  ];
  // The in-memory index path (warmed once) and the all-SQL path must both get these right.
  let lookup: ReturnType<typeof createSpecialtyLookup>;
  beforeAll(async () => {
    lookup = createSpecialtyLookup(db.pool, { cacheSize: 0 });
    await lookup.warm();
  });
  for (const [text, source, code, lang] of cases) {
    it(`${text} (${lang ?? 'no lang'}) → ${source}:${code} ≥ 0.9`, async () => {
      for (const res of [await lookup.lookup(text, lang ? { lang } : {}), await lookupOccupations(db.pool, text, lang ? { lang } : {})]) {
        const hit = res.find((m) => m.source === source && m.code === code);
        expect(hit?.confidence).toBeGreaterThanOrEqual(0.9);
        expect(hit?.method).toBe('exact');
        expect(res[0]?.confidence).toBe(hit?.confidence);
      }
    });
  }

  it('the first line of a longer job text counts too', async () => {
    const jd = `Senior backend engineer with Node.js and PostgreSQL
You will own our billing APIs. We run TypeScript services on AWS and care about observability.`;
    const res = await lookup.lookup(jd);
    expect(res[0]).toMatchObject({ source: 'onet', code: '15-1252.00', method: 'exact' });
    expect(res[0]?.confidence).toBeGreaterThanOrEqual(0.9);
  });

  it('a whole-title match still outranks the leading phrase', async () => {
    const res = await lookupOccupations(db.pool, 'Sales and Marketing Manager');
    expect(res[0]?.confidence).toBe(1);
    expect(res.filter((m) => m.confidence >= 0.9).every((m) => /market|sales|vendas|comercial/i.test(`${m.title} ${m.matched}`))).toBe(true);
  });
});

describe('createSpecialtyLookup', () => {
  it('serves repeated texts from its LRU without touching the database', async () => {
    const scratch = await createTestDatabase({ seedKey: taxonomySeedKey(), seed: async (pool) => void (await loadTaxonomy(pool)) });
    try {
      // refreshMs 0: check taxonomy_meta before every uncached lookup, so the edit below (which,
      // like every load, rewrites taxonomy_meta) is seen at once by the in-memory alias index.
      const lookup = createSpecialtyLookup(scratch.pool, { cacheSize: 10, refreshMs: 0 });
      const first = await lookup.lookup('Registered Nurse');
      expect(first.length).toBeGreaterThan(0);
      await scratch.pool.query('DELETE FROM occupation_aliases');
      await scratch.pool.query("UPDATE taxonomy_meta SET value = value || ' (edited)' WHERE key = 'loaded_at'");
      expect(await lookup.lookup('Registered Nurse')).toEqual(first); // cached
      expect(await lookup.lookup('Accountant')).toEqual([]); // not cached → database, now empty
      lookup.clear();
      expect(await lookup.lookup('Registered Nurse')).toEqual([]);
    } finally {
      await scratch.drop();
    }
  });
});

describe('occupationsForTitle(s)', () => {
  it('tags English and Portuguese titles of the same job with a shared occupation id', async () => {
    const resolve = createOccupationResolver();
    const [en = [], pt = [], ptM = [], dev = [], unknown = []] = await resolve(
      db.pool,
      ['Registered Nurse', 'Enfermeira', 'Enfermeiro Sênior', 'Desenvolvedor Back-end', 'zzzz qqqq'],
      ['en', 'pt', 'pt', 'pt', 'en'],
    );
    const rn = await idOf('onet', '29-1141.00');
    const cboNurse = await idOf('cbo', '223505');
    expect(en).toContain(rn);
    expect(en).toContain(cboNurse);
    expect(pt).toContain(cboNurse);
    expect(pt).toContain(rn);
    expect(ptM).toContain(cboNurse);
    expect(dev).toContain(await idOf('cbo', '212405'));
    expect(unknown).toEqual([]);
    for (const ids of [en, pt, ptM, dev]) expect(ids.length).toBeLessThanOrEqual(5);
  });

  it('works on a client inside the caller’s transaction and leaves its settings alone', async () => {
    await withTransaction(db.pool, async (client) => {
      await client.query("SET LOCAL pg_trgm.similarity_threshold = '0.25'");
      const ids = await occupationsForTitle(client, 'Regsitered Nurse', 'en');
      expect(ids).toContain(await idOf('onet', '29-1141.00'));
      const { rows } = await client.query<{ t: string }>("SELECT current_setting('pg_trgm.similarity_threshold') AS t");
      expect(Number(rows[0]?.t)).toBe(0.25);
    });
    // On a pool the threshold is SET LOCAL in its own transaction: nothing leaks to pooled sessions.
    await lookupOccupations(db.pool, 'Regsitered Nurse');
    const { rows } = await db.pool.query<{ t: string | null }>("SELECT current_setting('pg_trgm.similarity_threshold', true) AS t");
    expect(rows[0]?.t === null || Number(rows[0]?.t) !== TRIGRAM_THRESHOLD).toBe(true);
  });

  it('maps a batch with duplicates and blanks slot by slot', async () => {
    const resolve = createOccupationResolver();
    const titles = ['Contador', 'contador', '', 'Accountant', 'Contador'];
    const out = await resolve(db.pool, titles, ['pt', 'pt', 'pt', 'en', 'pt']);
    expect(out.length).toBe(5);
    expect(out[2]).toEqual([]);
    expect(out[0]).toEqual(out[4]);
    expect(out[0]).toContain(await idOf('cbo', '252210'));
    expect(out[3]).toContain(await idOf('onet', '13-2011.00'));
  });
});
