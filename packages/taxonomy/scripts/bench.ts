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
import { loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createOccupationResolver, createSpecialtyLookup, lookupOccupations, TRIGRAM_THRESHOLD, type SpecialtyMatch } from '../src/lookup.js';

// A full GC before each heap reading, without asking the caller for --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

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

/**
 * Distinct job-description heads (600 chars, as hh-search sends them) in English and Portuguese,
 * built from demo profiles in four shapes: title line with a qualifier ("Enfermeira para UTI com
 * …"), company intro then a hiring cue, company intro with the title only inside a sentence, and a
 * profile's headline + summary. Distinct texts, so a result cache never helps.
 */
function distinctJobTexts(n: number): string[] {
  const cands = generateDemoCandidates({ count: n, seed: 7 });
  return cands.map((c, i) => {
    const pt = c.language === 'pt';
    const title = c.title;
    const city = c.location?.city ?? (pt ? 'São Paulo' : 'Boston');
    const skills = (c.skills ?? []).slice(0, 4).join(', ');
    const body = c.summary ?? '';
    let text: string;
    switch (i % 4) {
      case 0:
        text = pt ? `${title} para equipe em ${city} com experiência em ${skills}\n${body}` : `${title} with ${skills} in ${city}\n${body}`;
        break;
      case 1:
        text = pt
          ? `Somos uma empresa em crescimento em ${city}, com mais de ${100 + i} colaboradores. Vaga para ${title}. Requisitos: ${skills}. ${body}`
          : `Acme ${i} is a growing company in ${city} with ${100 + i} employees. We are looking for a ${title} to join our team. Requirements: ${skills}. ${body}`;
        break;
      case 2:
        text = pt
          ? `Empresa líder no setor, sede em ${city}. A pessoa ${title} vai trabalhar com ${skills} no dia a dia. ${body}`
          : `Market leader headquartered in ${city}. As ${title} you will work with ${skills} every day. ${body}`;
        break;
      default:
        text = `${c.headline ?? title}\n${body}`;
    }
    return text.slice(0, 600);
  });
}

const db = await createTestDatabase({ adminUrl });
const out: Record<string, unknown> = { loadavg_at_start: loadavg().map((x) => Math.round(x * 100) / 100) };
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

  // ---- in-memory alias index: load time and heap it occupies (after a full GC on both sides)
  const heap = () => {
    gc();
    return process.memoryUsage().heapUsed;
  };
  const h0 = heap();
  const specialty = createSpecialtyLookup(db.pool, { cacheSize: 0 }); // no result cache: every call is uncached
  const stats = await specialty.warm();
  const h1 = heap();
  out.alias_index = { ...stats, heap_mb: Math.round(((h1 - h0) / 2 ** 20) * 10) / 10 };
  console.log('alias index', out.alias_index);

  // ---- lookup latency, uncached. `sql` = lookupOccupations without the index (exact matches by
  // an indexed equality query, as before the in-memory index); `index` = createSpecialtyLookup,
  // what hh-search calls. Warm the connection pool first.
  await lookupOccupations(db.pool, 'warm up');
  const jobTexts = distinctJobTexts(200);
  // cpu_*: this process's CPU time per call — on the shared 2-core machine the wall-clock tail is
  // mostly waiting for a core, which the CPU time shows.
  const latency: Record<string, { p50: number; p95: number; n: number; cpu_p50?: number; cpu_p95?: number; trigram_share?: number }> = {};
  const measure = async (name: string, list: string[], rounds: number, fn: (t: string) => Promise<SpecialtyMatch[]>) => {
    const samples: number[] = [];
    const cpu: number[] = [];
    let trigram = 0;
    // One untimed pass: JIT and the first-use work (title trigram sets) are not per-search costs.
    for (const t of list.slice(0, 20)) await fn(t);
    for (let round = 0; round < rounds; round++) {
      for (const t of list) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const res = await fn(t);
        samples.push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1000);
        if (res[0]?.method === 'trigram') trigram++;
      }
    }
    latency[name] = { p50: ms(pct(samples, 50)), p95: ms(pct(samples, 95)), n: samples.length, cpu_p50: ms(pct(cpu, 50)), cpu_p95: ms(pct(cpu, 95)), trigram_share: Math.round((trigram / samples.length) * 1000) / 1000 };
  };
  for (const [kind, list] of Object.entries({ ...TITLES, job_text: JDS })) {
    await measure(`sql_${kind}`, list, 10, (t) => lookupOccupations(db.pool, t));
    await measure(`index_${kind}`, list, 10, (t) => specialty.lookup(t));
  }
  await measure('sql_job_text_200_distinct', jobTexts, 1, (t) => lookupOccupations(db.pool, t));
  await measure('index_job_text_200_distinct', jobTexts, 1, (t) => specialty.lookup(t));
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
out.loadavg_at_end = loadavg().map((x) => Math.round(x * 100) / 100);
console.log('load average', out.loadavg_at_start, '→', out.loadavg_at_end);
if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(out, null, 2)}\n`);
process.exit(0);
