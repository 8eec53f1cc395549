/**
 * Benchmark corpora and queries.
 *  - demo: the repository's deterministic demo pool (@hh/taxonomy generateDemoCandidates), with
 *    job descriptions and typed queries from loadtest/lib/gen.js over the pool's own vocabulary
 *    (the same generator and vocabulary scripts/bench-search.mjs uses).
 *  - resumes: the LiveCareer resumes of ../shared/data/corpus (2,484, English), replicated with
 *    perturbations (lines dropped, words replaced, skills shuffled) up to the requested size. The
 *    text is read at run time and never written anywhere.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { generateDemoCandidates, mulberry32, type CandidateInput } from '@hh/taxonomy';
import type { LexicalDocument } from '../index.js';

export interface BenchDoc {
  id: number;
  doc: LexicalDocument;
  /** The same profile as hh-search stores it (for the Postgres peer). */
  input: CandidateInput;
}

export interface Corpus {
  name: string;
  docs: BenchDoc[];
  jobs: string[];
  typed: string[];
}

type Gen = {
  createSearchBodies: (o: object) => () => { jobDescription?: string; query?: string };
};

const repoRoot = new URL('../../../../', import.meta.url);

async function loadGen(): Promise<Gen> {
  return (await import(new URL('loadtest/lib/gen.js', repoRoot).href)) as Gen;
}

const toDoc = (c: CandidateInput): LexicalDocument => ({
  language: c.language ?? 'en',
  title: c.title,
  headline: c.headline ?? '',
  summary: c.summary ?? '',
  skills: c.skills ?? [],
  experience: (c.experience ?? []).map((e) => ({ title: e.title, description: e.description ?? '' })),
});

/** Same as scripts/bench-search.mjs vocabFrom: titles with their skills, and cities, from the pool. */
function vocabFrom(items: CandidateInput[]) {
  const byTitle = new Map<string, Set<string>>();
  const cities = new Map<string, { city: string; country: string }>();
  for (const c of items) {
    const skills = byTitle.get(c.title) ?? new Set<string>();
    for (const s of c.skills ?? []) if (skills.size < 30) skills.add(s);
    byTitle.set(c.title, skills);
    const loc = c.location;
    if (loc?.city && loc.country) cities.set(`${loc.city}|${loc.country}`, { city: loc.city, country: loc.country });
  }
  return {
    families: [...byTitle].filter(([, s]) => s.size >= 3).map(([t, s]) => ({ titles: [t], skills: [...s] })),
    cities: [...cities.values()],
  };
}

/** Typed queries with the operators a recruiter uses, built around the generator's plain ones. */
function typedVariants(plain: string[], rng: () => number): string[] {
  return plain.map((q, i) => {
    const w = q.split(/\s+/).filter(Boolean);
    switch (i % 4) {
      case 0:
        return q; // all words required
      case 1:
        return w.length >= 2 ? `"${w[0]} ${w[1]}" ${w.slice(2).join(' ')}`.trim() : q; // phrase
      case 2:
        return w.length >= 2 ? `${w[0]} OR ${w[w.length - 1]} ${w.slice(1, -1).join(' ')}`.trim() : q; // OR
      default:
        return `${q} -${rng() < 0.5 ? 'intern' : 'estagiario'}`; // exclusion
    }
  });
}

export async function demoCorpus(size: number, queries: number): Promise<Corpus> {
  const items = generateDemoCandidates({ count: size, seed: 42 });
  const gen = await loadGen();
  const vocab = vocabFrom(items.slice(0, 50_000));
  const nextJd = gen.createSearchBodies({ vocab, seed: 20_251_123 + size, kind: 'jd' });
  const nextQ = gen.createSearchBodies({ vocab, seed: 777 + size, kind: 'query' });
  const jobs = Array.from({ length: queries }, () => nextJd().jobDescription!);
  const typed = typedVariants(
    Array.from({ length: queries }, () => nextQ().query!),
    mulberry32(5),
  );
  return { name: 'demo', docs: items.map((c, i) => ({ id: i + 1, doc: toDoc(c), input: c })), jobs, typed };
}

/** Minimal RFC 4180 CSV parser (quoted fields with newlines and doubled quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (q) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else q = false;
      } else field += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (ch !== '\r') field += ch;
  }
  if (field || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

interface Resume {
  title: string;
  summary: string[];
  skills: string[];
  experience: { title: string; lines: string[] }[];
  other: string[];
}

const HEADINGS = new Set(['summary', 'professional summary', 'profile', 'highlights', 'skills', 'experience', 'professional experience', 'work experience', 'education', 'education and training', 'accomplishments', 'qualifications', 'certifications', 'interests', 'additional information', 'languages', 'affiliations']);

function splitResume(title: string, text: string): Resume {
  const r: Resume = { title, summary: [], skills: [], experience: [], other: [] };
  let section = 'summary';
  for (const raw of text.split('\n').slice(1)) {
    const line = raw.trim();
    if (!line) continue;
    const h = line.toLowerCase();
    if (HEADINGS.has(h)) {
      section = h.includes('experience') ? 'experience' : h === 'skills' || h === 'highlights' || h === 'qualifications' ? 'skills' : h.includes('summary') || h === 'profile' ? 'summary' : 'other';
      continue;
    }
    if (section === 'experience') {
      const m = /Company Name.*?(?:\d{4}|Current)\s(\S.*)$/i.exec(line);
      if (m || r.experience.length === 0) r.experience.push({ title: m?.[1] ?? title, lines: [] });
      else r.experience[r.experience.length - 1]!.lines.push(line);
    } else if (section === 'skills') r.skills.push(...line.split(/,|;/).map((s) => s.trim()).filter((s) => s && s.length < 60));
    else if (section === 'summary') r.summary.push(line);
    else r.other.push(line);
  }
  return r;
}

export function loadResumes(path: string): Resume[] {
  const rows = parseCsv(readFileSync(path, 'utf8')).slice(1);
  return rows.filter((r) => (r[3] ?? '').length > 200).map((r) => splitResume(r[2] ?? '', r[3] ?? ''));
}

export async function resumeCorpus(path: string, size: number, queries: number): Promise<Corpus> {
  const base = loadResumes(path);
  const rng = mulberry32(99);
  const vocab: string[] = [];
  for (const r of base.slice(0, 300)) for (const l of r.summary) for (const w of l.split(/\s+/)) if (/^[A-Za-z]{4,}$/.test(w)) vocab.push(w);
  const perturb = (lines: string[]): string[] =>
    lines
      .filter(() => rng() > 0.15)
      .map((l) => (rng() < 0.3 ? l.split(' ').map((w) => (rng() < 0.08 ? vocab[Math.floor(rng() * vocab.length)]! : w)).join(' ') : l));
  const docs: BenchDoc[] = [];
  for (let i = 0; i < size; i++) {
    const r = base[i % base.length]!;
    const pick = i < base.length ? r : base[Math.floor(rng() * base.length)]!;
    const skills = perturb(pick.skills).slice(0, 40);
    for (let j = skills.length - 1; j > 0; j--) {
      const k = Math.floor(rng() * (j + 1));
      [skills[j], skills[k]] = [skills[k]!, skills[j]!];
    }
    const input: CandidateInput = {
      title: pick.title,
      headline: pick.summary[0] ?? '',
      summary: perturb(pick.summary.slice(1)).join('\n'),
      skills,
      experience: pick.experience.map((e) => ({ title: e.title, description: perturb(e.lines).join('\n') })),
      language: 'en',
    };
    docs.push({ id: i + 1, doc: toDoc(input), input });
  }
  // Job descriptions: a resume's title and experience lines (what a posting asks for), 60-200 words.
  const jobs: string[] = [];
  const typed: string[] = [];
  for (let q = 0; q < queries; q++) {
    const r = base[Math.floor(rng() * base.length)]!;
    const lines = r.experience.flatMap((e) => e.lines);
    const start = Math.floor(rng() * Math.max(1, lines.length - 6));
    jobs.push(`${r.title}. ${lines.slice(start, start + 6).join(' ')} ${r.skills.slice(0, 5).join(', ')}`.slice(0, 1500));
    const skill = r.skills[Math.floor(rng() * Math.max(1, r.skills.length))] ?? '';
    typed.push(`${r.title.toLowerCase().split(/\s+/).slice(0, 2).join(' ')} ${skill.split(/\s+/)[0] ?? ''}`.trim());
  }
  return { name: 'resumes', docs, jobs, typed: typedVariants(typed, rng) };
}

export const repoUrl = (p: string): string => pathToFileURL(new URL(p, repoRoot).pathname).href;
