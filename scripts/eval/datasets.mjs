/**
 * The evaluation datasets as candidate pools and labelled queries. Each loader reads files under
 * the shared data folder (never copied into the repository), maps every resume onto hh's candidate
 * shape (services/hh-search/src/candidates/schema.ts) and builds query sets whose relevance labels
 * (qrels: candidate id → grade) come from the dataset's own annotations. scripts/eval/README.md
 * explains each construction and its caveats.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsvObjects } from './csv.mjs';

/** Files each dataset needs, relative to the data folder: a missing one is reported by name. */
export const DATASETS = {
  'updated-resume': { files: ['dev/updated-resume-dataset/UpdatedResumeDataSet.csv', 'dev/google-job-skills/job_skills.csv'], load: loadUpdatedResume },
  livecareer: { files: ['corpus/livecareer-resumes/livecareer_resumes.csv', 'dev/google-job-skills/job_skills.csv'], load: loadLivecareer },
  'decision-ptbr': { files: ['dev/decision-datathon-ptbr/applicants_sample500.json', 'dev/decision-datathon-ptbr/prospects_subset.json'], load: loadDecision },
  'jobbert-esco': { files: ['dev/jobbert-titles-esco/titles.csv'], load: loadJobbert },
};

export function missingFiles(dataDir, name) {
  return DATASETS[name].files.filter((f) => !existsSync(join(dataDir, f)));
}

// ---------------------------------------------------------------- text helpers

/** Control characters the API refuses (it keeps tab and line breaks) become spaces; lone surrogates are repaired. */
const clean = (s) => (s ?? '').replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, ' ').toWellFormed();

/** At most `max` characters, cut at a word boundary when one is near the end. */
export function clip(text, max) {
  const s = clean(text).trim();
  if (s.length <= max) return s;
  const cut = s.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return (space > max * 0.6 ? cut.slice(0, space) : cut).trim();
}

const firstLine = (text) =>
  clean(text)
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0) ?? '';

const stableId = (prefix, text) => `${prefix}-${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;

/** Without bullets and separators at either end (a loop: an anchored `[…]+$` regex is quadratic on long runs). */
function trimPunctuation(s) {
  const edge = (c) => /[\s*•·▪\-–—:;.]/u.test(c);
  let a = 0;
  let b = s.length;
  while (a < b && edge(s[a])) a++;
  while (b > a && edge(s[b - 1])) b--;
  return s.slice(a, b);
}

/** Distinct, bounded skill strings (the API takes ≤ 200 of ≤ 100 characters each). */
function skillList(items, max = 40) {
  const out = new Map();
  for (const raw of items) {
    const s = trimPunctuation(clean(raw));
    if (s.length < 2 || s.length > 60) continue;
    const key = s.toLowerCase();
    if (!out.has(key)) out.set(key, s);
    if (out.size >= max) break;
  }
  return [...out.values()];
}

/** Deterministic pseudo-random numbers (mulberry32) so samples are the same on every run. */
export function seededRandom(seedText) {
  let a = createHash('sha1').update(seedText).digest().readUInt32LE(0);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function seededSample(items, n, seedText) {
  const rnd = seededRandom(seedText);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, n);
}

/** Query budget per set (--max-queries): the same seeded subset on every run. */
const capQueries = (queries, max, seed) => (max && queries.length > max ? seededSample(queries, max, seed) : queries);

// ---------------------------------------------------------------- Google job postings as queries

function loadPostings(dataDir) {
  const rows = parseCsvObjects(readFileSync(join(dataDir, 'dev/google-job-skills/job_skills.csv'), 'utf8'));
  const seen = new Set();
  const out = [];
  for (const r of rows) {
    if (!r.Title?.trim()) continue;
    const text = [
      r.Title.trim(),
      r.Responsibilities?.trim(),
      r['Minimum Qualifications']?.trim() && `Minimum qualifications:\n${r['Minimum Qualifications'].trim()}`,
      r['Preferred Qualifications']?.trim() && `Preferred qualifications:\n${r['Preferred Qualifications'].trim()}`,
    ]
      .filter(Boolean)
      .join('\n');
    if (seen.has(text)) continue; // 123 rows are exact duplicates
    seen.add(text);
    out.push({ id: stableId('gjs', text), category: r.Category, title: r.Title.trim(), text: clip(text, 20_000) });
  }
  return out;
}

/**
 * Job postings of each mapped category against one resume corpus: grade 2 for resumes of a primary
 * category, 1 for a related one (scripts/eval/category-mapping.json).
 */
function postingQueries(dataDir, corpusKey, candidatesByCategory, { perCategory, mapping }) {
  const postings = loadPostings(dataDir);
  const queries = [];
  for (const [category, targets] of Object.entries(mapping.jobPostings)) {
    const target = targets[corpusKey];
    if (!target) continue;
    const qrels = new Map();
    for (const [grade, cats] of [
      [1, target.related],
      [2, target.primary],
    ]) {
      for (const cat of cats) {
        const ids = candidatesByCategory.get(cat);
        if (!ids) throw new Error(`category-mapping.json: "${cat}" is not a category of ${corpusKey}`);
        for (const id of ids) qrels.set(id, grade);
      }
    }
    const pool = postings.filter((p) => p.category === category);
    if (pool.length === 0) throw new Error(`category-mapping.json: no google-job-skills posting has category "${category}"`);
    for (const p of seededSample(pool, perCategory, `postings:${corpusKey}:${category}`)) {
      queries.push({ id: p.id, label: `${category}: ${p.title}`, body: { jobDescription: p.text }, qrels });
    }
  }
  return queries;
}

/** The category label as a typed query: lowercased, hyphens as spaces. Relevant: that category's resumes. */
function categoryQueries(candidatesByCategory, mapping) {
  const skip = new Set(mapping.categoryQueries.skip);
  return [...candidatesByCategory]
    .filter(([cat]) => !skip.has(cat))
    .map(([cat, ids]) => ({
      id: `category:${cat}`,
      label: cat,
      body: { query: cat.toLowerCase().replace(/-/g, ' ') },
      qrels: new Map(ids.map((id) => [id, 1])),
    }));
}

function byCategory(rows) {
  const m = new Map();
  for (const { id, category } of rows) {
    if (!m.has(category)) m.set(category, []);
    m.get(category).push(id);
  }
  return new Map([...m].sort(([a], [b]) => a.localeCompare(b)));
}

// ---------------------------------------------------------------- updated-resume-dataset

/** "Python- Experience - 12 months" lines of the "Skill Details" block. */
function urdSkills(text) {
  const start = text.indexOf('Skill Details');
  if (start < 0) return [];
  const end = text.indexOf('Company Details', start);
  const block = text.slice(start + 'Skill Details'.length, end < 0 ? undefined : end);
  return skillList([...block.matchAll(/^(.{2,60}?)-\s*Experience\s*-/gm)].map((m) => m[1]));
}

function loadUpdatedResume(dataDir, opts) {
  const rows = parseCsvObjects(readFileSync(join(dataDir, 'dev/updated-resume-dataset/UpdatedResumeDataSet.csv'), 'utf8'));
  // 962 rows, 166 distinct texts: duplicates would count the same resume several times.
  const unique = new Map();
  for (const r of rows) if (!unique.has(r.Resume)) unique.set(r.Resume, r.Category);
  const labelled = [];
  const candidates = [];
  for (const [text, category] of unique) {
    const id = stableId('urd', text);
    labelled.push({ id, category });
    // No headline in this dataset: the first line stands in for a title, as a parser would take it.
    candidates.push({ id, title: clip(firstLine(text), 120) || 'resume', summary: clip(text, 10_000), skills: urdSkills(text), language: 'en' });
  }
  const cats = byCategory(labelled);
  return {
    candidates,
    querySets: [
      { key: 'postings', description: 'google-job-skills postings → resumes of the mapped categories (graded 2/1)', queries: capQueries(postingQueries(dataDir, 'updated-resume', cats, opts), opts.maxQueries, 'urd-postings') },
      { key: 'category', description: 'category label typed as a query → resumes of that category', queries: capQueries(categoryQueries(cats, opts.mapping), opts.maxQueries, 'urd-category') },
    ],
    notes: `${rows.length} rows, ${unique.size} distinct resume texts, ${cats.size} categories`,
  };
}

// ---------------------------------------------------------------- livecareer-resumes

const LC_SUMMARY = new Set(['summary', 'professional summary', 'career focus', 'career overview', 'executive profile', 'professional profile', 'profile', 'objective']);
const LC_SKILLS = new Set(['skills', 'skill highlights', 'technical skills', 'core qualifications', 'highlights', 'summary of skills']);
const LC_HEADERS = new Set([
  ...LC_SUMMARY,
  ...LC_SKILLS,
  'experience',
  'professional experience',
  'work history',
  'work experience',
  'education',
  'education and training',
  'accomplishments',
  'core accomplishments',
  'additional information',
  'certifications',
  'languages',
  'interests',
  'affiliations',
  'professional affiliations',
  'personal information',
  'qualifications',
]);

/** Sections of a livecareer resume, keyed by their (lowercased) header line. */
function lcSections(text) {
  const out = new Map();
  let current = null;
  for (const line of clean(text).split('\n')) {
    const key = line.trim().toLowerCase();
    if (LC_HEADERS.has(key)) {
      current = key;
      if (!out.has(key)) out.set(key, []);
    } else if (current) out.get(current).push(line.trim());
  }
  return out;
}

function loadLivecareer(dataDir, opts) {
  const rows = parseCsvObjects(readFileSync(join(dataDir, 'corpus/livecareer-resumes/livecareer_resumes.csv'), 'utf8'));
  const labelled = [];
  const candidates = [];
  let empty = 0;
  for (const r of rows) {
    if (!r.Resume_str?.trim() || !r.Title?.trim()) {
      empty++; // one image-only PDF has no text
      continue;
    }
    const id = `lc-${r.ID}`;
    labelled.push({ id, category: r.Category });
    const sections = lcSections(r.Resume_str);
    const pick = (names) => [...sections].filter(([k]) => names.has(k)).flatMap(([, lines]) => lines);
    const headline = clip(pick(LC_SUMMARY).join(' '), 500);
    const skills = skillList(pick(LC_SKILLS).flatMap((l) => l.split(/[,;]| {2,}/)));
    candidates.push({ id, title: clip(r.Title, 200), ...(headline ? { headline } : {}), summary: clip(r.Resume_str, 10_000), skills, language: 'en' });
  }
  const cats = byCategory(labelled);
  return {
    candidates,
    querySets: [
      { key: 'postings', description: 'google-job-skills postings → resumes of the mapped categories (graded 2/1)', queries: capQueries(postingQueries(dataDir, 'livecareer', cats, opts), opts.maxQueries, 'lc-postings') },
      { key: 'category', description: 'category label typed as a query → resumes of that category', queries: capQueries(categoryQueries(cats, opts.mapping), opts.maxQueries, 'lc-category') },
    ],
    notes: `${rows.length} rows (${empty} without text skipped), ${cats.size} categories`,
  };
}

// ---------------------------------------------------------------- decision-datathon-ptbr

/**
 * How far a prospect got in the opening's process → grade. Every prospect was picked for this opening
 * by a recruiter (1); one sent on to the client or interviewed was judged a fit after screening (2);
 * one hired or approved, the outcome (3). Rejections after forwarding keep 2: the profile matched the
 * opening on paper, which is what retrieval can judge.
 */
const DECISION_GRADES = {
  Prospect: 1,
  Inscrito: 1,
  'Em avaliação pelo RH': 1,
  'Não Aprovado pelo RH': 1,
  Desistiu: 1,
  Recusado: 1,
  'Encaminhado ao Requisitante': 2,
  'Entrevista Técnica': 2,
  'Entrevista com Cliente': 2,
  'Não Aprovado pelo Cliente': 2,
  'Não Aprovado pelo Requisitante': 2,
  'Desistiu da Contratação': 2,
  'Documentação PJ': 3,
  'Documentação CLT': 3,
  'Documentação Cooperado': 3,
  Aprovado: 3,
  'Contratado pela Decision': 3,
  'Contratado como Hunting': 3,
};

function loadDecision(dataDir, opts) {
  const dir = join(dataDir, 'dev/decision-datathon-ptbr');
  const applicants = JSON.parse(readFileSync(join(dir, 'applicants_sample500.json'), 'utf8'));
  const prospects = JSON.parse(readFileSync(join(dir, 'prospects_subset.json'), 'utf8'));
  const candidates = [];
  for (const [code, a] of Object.entries(applicants)) {
    const cv = a.cv_pt ?? '';
    if (!cv.trim()) continue;
    const prof = a.informacoes_profissionais ?? {};
    const title = clip(prof.titulo_profissional || firstLine(cv), 120) || 'currículo';
    const headline = clip(a.infos_basicas?.objetivo_profissional ?? '', 500);
    const skills = skillList((prof.conhecimentos_tecnicos ?? '').split(/[,;\n]/));
    candidates.push({ id: `dec-${code}`, title, ...(headline ? { headline } : {}), summary: clip(cv, 10_000), skills, language: 'pt' });
  }
  const inPool = new Set(candidates.map((c) => c.id));
  const unknown = new Set();
  const queries = [];
  for (const [jobId, job] of Object.entries(prospects)) {
    const title = clip(job.titulo ?? '', 500);
    if (!title) continue;
    const qrels = new Map();
    for (const p of job.prospects ?? []) {
      const id = `dec-${p.codigo}`;
      if (!inPool.has(id)) continue;
      const grade = DECISION_GRADES[p.situacao_candidado];
      if (grade === undefined) unknown.add(p.situacao_candidado);
      else qrels.set(id, Math.max(grade, qrels.get(id) ?? 0));
    }
    if (qrels.size > 0) queries.push({ id: `vaga:${jobId}`, label: title, body: { query: title }, qrels });
  }
  if (unknown.size > 0) throw new Error(`decision-ptbr: prospect statuses without a grade: ${[...unknown].join(', ')}`);
  return {
    candidates,
    querySets: [{ key: 'prospects', description: 'opening title → its prospects in the pool, graded by how far they got (1 prospect, 2 forwarded, 3 hired)', queries: capQueries(queries, opts.maxQueries, 'dec-prospects') }],
    notes: `${candidates.length} CVs with text; ${queries.length} openings with ≥ 1 prospect in the pool`,
  };
}

// ---------------------------------------------------------------- jobbert-titles-esco

/**
 * Vacancy titles labelled with ESCO occupations. Per sampled occupation (≥ 4 distinct titles), one
 * title is the query and up to 12 others are candidates (title only): relevant = same occupation.
 * Titles that appear under two occupations are dropped (their label is ambiguous).
 */
function loadJobbert(dataDir, opts) {
  const rows = parseCsvObjects(readFileSync(join(dataDir, 'dev/jobbert-titles-esco/titles.csv'), 'utf8'));
  const conceptsOf = new Map();
  for (const r of rows) {
    const t = clip(r.vacancyTitle ?? '', 200);
    if (!t) continue;
    const key = t.toLowerCase().replace(/\s+/g, ' ');
    if (!conceptsOf.has(key)) conceptsOf.set(key, { title: t, concepts: new Set() });
    conceptsOf.get(key).concepts.add(r.conceptUri);
  }
  const byConcept = new Map();
  for (const [key, { title, concepts }] of [...conceptsOf].sort(([a], [b]) => a.localeCompare(b))) {
    if (concepts.size !== 1) continue;
    const [c] = concepts;
    if (!byConcept.has(c)) byConcept.set(c, []);
    byConcept.get(c).push({ key, title });
  }
  const eligible = [...byConcept].filter(([, titles]) => titles.length >= 4);
  const chosen = seededSample(eligible, opts.jobbertOccupations, 'jobbert-occupations');
  const candidates = [];
  const queries = [];
  for (const [concept, titles] of chosen) {
    const [query, ...docs] = seededSample(titles, 13, `jobbert:${concept}`);
    const ids = docs.map((d) => stableId('jb', d.key));
    docs.forEach((d, i) => candidates.push({ id: ids[i], title: d.title, language: 'en' }));
    queries.push({ id: `esco:${concept.split('/').pop()}`, label: query.title, body: { query: query.title }, qrels: new Map(ids.map((id) => [id, 1])) });
  }
  return {
    candidates,
    querySets: [{ key: 'titles', description: 'vacancy title → other titles of the same ESCO occupation', queries: capQueries(queries, opts.maxQueries, 'jobbert-titles') }],
    notes: `${eligible.length} occupations with ≥ 4 unambiguous titles; ${chosen.length} sampled, ${candidates.length} candidate titles`,
  };
}

export function loadDataset(dataDir, name, opts) {
  const ds = DATASETS[name].load(dataDir, opts);
  const ids = new Set();
  for (const c of ds.candidates) {
    if (ids.has(c.id)) throw new Error(`${name}: duplicate candidate id ${c.id}`);
    ids.add(c.id);
  }
  for (const set of ds.querySets) {
    set.queries = set.queries.filter((q) => [...q.qrels.values()].some((g) => g > 0));
    for (const q of set.queries) for (const id of q.qrels.keys()) if (!ids.has(id)) throw new Error(`${name}/${set.key}: query ${q.id} judges ${id}, which is not in the pool`);
  }
  return ds;
}
