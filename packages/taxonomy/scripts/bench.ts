/**
 * Numbers for the README: taxonomy load time, lookup latency (titles, typos, job texts; uncached
 * and cached), batch ingest throughput, demo generation time, and the trigram query plan.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres pnpm --filter @hh/taxonomy bench [--json out.json]
 *
 * Creates a scratch database on that server (dropped at the end).
 */
import { writeFileSync } from 'node:fs';
import { createTestDatabase } from '@hh/db';
import { generateDemoCandidates } from '../src/demo.js';
import { loadTaxonomy } from '../src/load.js';
import { createOccupationResolver, createSpecialtyLookup, lookupOccupations, TRIGRAM_THRESHOLD } from '../src/lookup.js';

const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) {
  console.error('set DATABASE_URL to a server where a scratch database may be created');
  process.exit(2);
}
const jsonOut = process.argv.includes('--json') ? process.argv[process.argv.indexOf('--json') + 1] : undefined;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const ms = (x: number) => Math.round(x * 100) / 100;

const TITLES = {
  exact_en: ['Registered Nurse', 'Senior Accountant', 'Backend Engineer', 'Data Scientist', 'Truck Driver', 'Paralegal'],
  exact_pt: ['Enfermeira', 'Contador', 'Desenvolvedor Back-end', 'Analista de Sistemas Pleno', 'Motorista de Caminhão', 'Professora'],
  typo: ['Regsitered Nurse', 'Acountant', 'Softwre Developer', 'Enfermero', 'Desenvolverdor Web', 'Analista Finaceiro'],
};
const JDS = [
  `Riverside Health is a 400-bed teaching hospital. We are looking for a Registered Nurse to join our cardiac ICU on night shifts.
You will assess and monitor critically ill patients, administer medications and work with physicians. Requirements: BSN, BLS, ACLS.`,
  `Somos uma fintech em São Paulo. Vaga para Contadora Sênior: fechamento contábil, conciliações, apuração de impostos e auditorias.
Requisitos: CRC ativo, SPED, IFRS. Oferecemos trabalho híbrido e plano de saúde.`,
  `Backend Engineer (Node.js / PostgreSQL) - Remote. We need a backend engineer to design APIs, own services in production and
mentor others. 5+ years building distributed systems, TypeScript, Kafka, AWS.`,
];

const db = await createTestDatabase({ adminUrl });
const out: Record<string, unknown> = {};
try {
  // ---- load
  const first = await loadTaxonomy(db.pool);
  const again = await loadTaxonomy(db.pool);
  const forced = await loadTaxonomy(db.pool, { force: true });
  out.load = {
    first_ms: Math.round(first.ms),
    forced_reload_ms: Math.round(forced.ms),
    skip_ms: Math.round(again.ms),
    occupations: first.occupations,
    aliases: first.aliases,
    skills: first.skills,
  };
  console.log('load', out.load);

  // ---- lookup latency, uncached (each call = real queries); warm the connection pool first
  await lookupOccupations(db.pool, 'warm up');
  const latency: Record<string, { p50: number; p95: number; n: number }> = {};
  for (const [kind, list] of Object.entries({ ...TITLES, job_text: JDS })) {
    const samples: number[] = [];
    for (let round = 0; round < 10; round++) {
      for (const t of list) {
        const t0 = performance.now();
        await lookupOccupations(db.pool, t);
        samples.push(performance.now() - t0);
      }
    }
    latency[kind] = { p50: ms(pct(samples, 50)), p95: ms(pct(samples, 95)), n: samples.length };
  }
  const cached = createSpecialtyLookup(db.pool);
  for (const t of TITLES.exact_en) await cached.lookup(t);
  const hits: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const t0 = performance.now();
    await cached.lookup(TITLES.exact_en[i % TITLES.exact_en.length] ?? '');
    hits.push(performance.now() - t0);
  }
  latency.lru_hit = { p50: ms(pct(hits, 50)), p95: ms(pct(hits, 95)), n: hits.length };
  out.lookup_ms = latency;
  console.log('lookup latency (ms)', latency);

  // ---- ingest: 5,000 demo titles in batches of 500, fresh resolver (no cache hits across runs)
  const cands = generateDemoCandidates({ count: 5_000, seed: 1 });
  const resolve = createOccupationResolver();
  const t0 = performance.now();
  let tagged = 0;
  for (let i = 0; i < cands.length; i += 500) {
    const batch = cands.slice(i, i + 500);
    const ids = await resolve(db.pool, batch.map((c) => c.title), batch.map((c) => c.language));
    tagged += ids.filter((x) => x.length > 0).length;
  }
  const ingestMs = performance.now() - t0;
  out.ingest = {
    titles: cands.length,
    distinct_titles: new Set(cands.map((c) => `${c.language}:${c.title}`)).size,
    ms: Math.round(ingestMs),
    titles_per_s: Math.round(cands.length / (ingestMs / 1000)),
    tagged_share: Math.round((tagged / cands.length) * 1000) / 1000,
  };
  console.log('ingest', out.ingest);

  // ---- demo generator
  const g0 = performance.now();
  generateDemoCandidates({ count: 50_000, seed: 123 });
  out.demo_50k_ms = Math.round(performance.now() - g0);
  console.log('demo 50k ms', out.demo_50k_ms);

  // ---- plan: the trigram query uses the GIN index
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL pg_trgm.similarity_threshold = ${TRIGRAM_THRESHOLD}`);
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT occupation_id, similarity(alias_norm, $1) AS sim FROM occupation_aliases
        WHERE alias_norm % $1 ORDER BY sim DESC LIMIT 40`,
      ['regsitered nurse'],
    );
    await client.query('COMMIT');
    out.trigram_plan = rows.map((r) => r['QUERY PLAN']);
    console.log(rows.map((r) => r['QUERY PLAN']).join('\n'));
  } finally {
    client.release();
  }
} finally {
  await db.drop();
}
if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(out, null, 2)}\n`);
process.exit(0);
