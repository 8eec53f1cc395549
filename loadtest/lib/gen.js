/**
 * Deterministic request-body generators shared by the k6 scripts, the Node runner and
 * scripts/bench-search.mjs. Plain ECMAScript only (no Node or k6 APIs) so that both runtimes
 * can import it: k6 runs this file in its own JS engine, Node loads it as an ES module.
 */

/** mulberry32: tiny seeded PRNG; the same seed gives the same request stream on every run. */
export function createRng(seed) {
  let a = seed >>> 0;
  return function rng() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = (rng, arr) => arr[Math.floor(rng() * arr.length)];

/** k distinct items of arr (k ≤ arr.length), in random order. */
export function sample(rng, arr, k) {
  const copy = arr.slice();
  const n = Math.min(k, copy.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rng() * (copy.length - i));
    const t = copy[i];
    copy[i] = copy[j];
    copy[j] = t;
  }
  return copy.slice(0, n);
}

/**
 * Built-in vocabulary: occupation families (titles + skills) and cities. Hand-written generic
 * terms, so the load scenarios work without the taxonomy package (k6 cannot import it).
 */
export const BUILTIN_VOCAB = {
  families: [
    { titles: ['Software Engineer', 'Backend Developer', 'Full Stack Developer'], skills: ['TypeScript', 'Node.js', 'PostgreSQL', 'React', 'Docker', 'Kubernetes', 'AWS', 'Go', 'Python', 'REST APIs', 'GraphQL', 'Redis'] },
    { titles: ['Data Scientist', 'Machine Learning Engineer', 'Data Analyst'], skills: ['Python', 'SQL', 'pandas', 'scikit-learn', 'PyTorch', 'Spark', 'Tableau', 'statistics', 'A/B testing', 'Airflow'] },
    { titles: ['Registered Nurse', 'ICU Nurse', 'Nurse Practitioner'], skills: ['BLS', 'ACLS', 'patient assessment', 'medication administration', 'critical care', 'electronic health records', 'wound care', 'triage'] },
    { titles: ['Accountant', 'Financial Analyst', 'Controller'], skills: ['GAAP', 'IFRS', 'Excel', 'SAP', 'financial reporting', 'budgeting', 'forecasting', 'audit', 'tax compliance', 'reconciliation'] },
    { titles: ['Sales Representative', 'Account Executive', 'Sales Manager'], skills: ['Salesforce', 'B2B sales', 'negotiation', 'lead generation', 'CRM', 'pipeline management', 'cold calling', 'account management'] },
    { titles: ['Mechanical Engineer', 'Maintenance Technician', 'Manufacturing Engineer'], skills: ['AutoCAD', 'SolidWorks', 'preventive maintenance', 'lean manufacturing', 'Six Sigma', 'PLC', 'hydraulics', 'root cause analysis'] },
    { titles: ['Teacher', 'Instructional Designer', 'Tutor'], skills: ['lesson planning', 'classroom management', 'curriculum development', 'e-learning', 'assessment', 'special education', 'Moodle'] },
    { titles: ['HR Generalist', 'Recruiter', 'Talent Acquisition Specialist'], skills: ['sourcing', 'interviewing', 'onboarding', 'employee relations', 'payroll', 'ATS', 'labor law', 'compensation'] },
    { titles: ['Desenvolvedor de Software', 'Engenheiro de Dados', 'Analista de Sistemas'], skills: ['Java', 'Python', 'SQL', 'Spring Boot', 'AWS', 'Docker', 'ETL', 'microsserviços'] },
    { titles: ['Enfermeiro', 'Técnico de Enfermagem', 'Enfermeira UTI'], skills: ['UTI', 'atendimento ao paciente', 'administração de medicamentos', 'curativos', 'triagem', 'prontuário eletrônico'] },
    { titles: ['Contador', 'Analista Financeiro', 'Assistente Contábil'], skills: ['contabilidade', 'SPED', 'Excel', 'conciliação bancária', 'impostos', 'folha de pagamento', 'SAP'] },
  ],
  cities: [
    { city: 'New York', country: 'US' }, { city: 'Austin', country: 'US' }, { city: 'Chicago', country: 'US' }, { city: 'Seattle', country: 'US' },
    { city: 'Toronto', country: 'CA' }, { city: 'London', country: 'GB' }, { city: 'Manchester', country: 'GB' }, { city: 'Berlin', country: 'DE' },
    { city: 'Lisbon', country: 'PT' }, { city: 'São Paulo', country: 'BR' }, { city: 'Rio de Janeiro', country: 'BR' }, { city: 'Belo Horizonte', country: 'BR' },
    { city: 'Curitiba', country: 'BR' }, { city: 'Porto Alegre', country: 'BR' }, { city: 'Dublin', country: 'IE' }, { city: 'Madrid', country: 'ES' },
  ],
};

const SENIORITY = ['junior', 'mid', 'senior', 'lead'];
const JD_OPENERS = ['We are hiring a', 'Looking for an experienced', 'Our team needs a', 'Join us as a', 'Open position:'];
const JD_CLOSERS = ['Hybrid work possible.', 'Fully remote team.', 'On-site role.', 'Relocation support available.', 'Fast-growing company.', ''];

/**
 * Returns `next()` → a search request body. Every body differs from the ones before it in the same
 * generator (a seen-set retries collisions), so page, embedding and rerank caches all miss.
 * opts.kind: 'jd' (job description, default), 'query' (short keyword query with filters), 'mixed'.
 */
export function createSearchBodies(opts = {}) {
  const vocab = opts.vocab ?? BUILTIN_VOCAB;
  const rng = createRng(opts.seed ?? 1);
  const kind = opts.kind ?? 'jd';
  const limit = opts.limit ?? 20;
  const rerank = opts.rerank ?? true;
  const seen = new Set();

  function jd() {
    const fam = pick(rng, vocab.families);
    const title = pick(rng, fam.titles);
    const loc = pick(rng, vocab.cities);
    const must = sample(rng, fam.skills, 2 + Math.floor(rng() * 2));
    const nice = sample(rng, fam.skills, 1 + Math.floor(rng() * 2)).filter((s) => !must.includes(s));
    const years = 1 + Math.floor(rng() * 12);
    const text =
      `${pick(rng, JD_OPENERS)} ${pick(rng, SENIORITY)} ${title} in ${loc.city}. ` +
      `Requirements: ${must.join(', ')}; ${years}+ years of experience.` +
      (nice.length ? ` Nice to have: ${nice.join(', ')}.` : '') +
      ` ${pick(rng, JD_CLOSERS)}`;
    const body = { jobDescription: text.trim(), limit, rerank };
    // A quarter of the requests also filter by country, like a recruiter narrowing a search.
    if (rng() < 0.25) body.filters = { countries: [loc.country] };
    return body;
  }

  function query() {
    const fam = pick(rng, vocab.families);
    const loc = pick(rng, vocab.cities);
    const skills = sample(rng, fam.skills, 1 + Math.floor(rng() * 2));
    const body = { query: `${pick(rng, fam.titles)} ${skills.join(' ')}`, limit, rerank };
    const filters = {};
    const r = rng();
    if (r < 0.3) filters.countries = [loc.country];
    else if (r < 0.5) filters.cities = [loc.city];
    if (rng() < 0.3) filters.minYears = 1 + Math.floor(rng() * 8);
    if (rng() < 0.2) filters.remote = true;
    if (rng() < 0.2) filters.mustHaveSkills = [skills[0]];
    if (Object.keys(filters).length) body.filters = filters;
    return body;
  }

  return function next() {
    for (let attempt = 0; ; attempt++) {
      const body = kind === 'query' ? query() : kind === 'mixed' && rng() < 0.5 ? query() : jd();
      const key = JSON.stringify(body);
      if (!seen.has(key) || attempt >= 20) {
        seen.add(key);
        return body;
      }
    }
  };
}

/**
 * Synthetic candidates for ingest scenarios (ids `<prefix><n>`). Built from the same vocabulary so
 * that later searches can find them.
 */
export function createCandidate(n, opts = {}) {
  const vocab = opts.vocab ?? BUILTIN_VOCAB;
  const rng = createRng((opts.seed ?? 7) * 1000003 + n);
  const fam = pick(rng, vocab.families);
  const title = pick(rng, fam.titles);
  const loc = pick(rng, vocab.cities);
  const skills = sample(rng, fam.skills, 3 + Math.floor(rng() * 4));
  const years = Math.floor(rng() * 25);
  const seniority = years < 2 ? 'junior' : years < 5 ? 'mid' : years < 10 ? 'senior' : 'lead';
  const pt = loc.country === 'BR' || loc.country === 'PT';
  return {
    id: `${opts.prefix ?? 'lt-'}${n}`,
    title,
    headline: `${title} · ${skills.slice(0, 2).join(' · ')}`,
    summary: pt
      ? `${title} com ${years} anos de experiência em ${skills.join(', ')}.`
      : `${title} with ${years} years of experience in ${skills.join(', ')}.`,
    skills,
    experience: [{ title, company: `Company ${1 + Math.floor(rng() * 500)}`, startYear: 2025 - Math.max(1, years), endYear: null }],
    location: { country: loc.country, city: loc.city },
    remote: rng() < 0.3,
    yearsExperience: years,
    seniority,
    language: pt ? 'pt' : 'en',
  };
}

/** Nearest-rank percentile of an ascending-sorted array (ms). */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}
