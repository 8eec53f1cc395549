/**
 * The built-in explainable reranker: five components, each in [0,1], combined with fixed weights
 * into a relevance score in [0,1], plus one short sentence per component saying why.
 *
 *   skills      0.40  required-skill coverage (85%) + nice-to-have coverage (15%), synonym-aware
 *   title       0.20  role-noun and modifier overlap between the job title and the document title
 *   bm25        0.20  BM25 of the query over this request's documents, divided by the best one
 *   experience  0.10  years within [minYears, maxYears] and seniority distance
 *   location    0.10  city / country / remote fit
 *
 * A component the job gives nothing to compare with (no skills, no title, ...) is null and its
 * weight is shared out pro rata among the others, so scores still span [0,1]. Pure and
 * deterministic: same input, same output, no clock, no randomness; ties keep input order.
 */
import { tokenize } from '@hh/text';
import { bm25Ids } from './bm25.js';
import { resolveJob } from './job.js';
import {
  CITY_INDEX,
  ROLE_CONCEPTS,
  SENIORITY_RANK,
  cityKey,
  countryCode,
  findPlaces,
  findSeniority,
  findYearsClaimed,
  titleConcepts,
} from './lexicon.js';
import { SKILL_INDEX, phraseKey } from './synonyms.js';
import { Vocab } from './vocab.js';
import type { ComponentName, ComponentScores, DocumentInput, RerankJob, ResolvedJob, ScoreOutput, ScoredDocument, Seniority } from './types.js';

export const MODEL_ID = 'hh-rerank-explain-v1';

export const WEIGHTS: Readonly<Record<ComponentName, number>> = { skills: 0.4, title: 0.2, bm25: 0.2, experience: 0.1, location: 0.1 };

export interface ScoreInput {
  query: string;
  documents: readonly DocumentInput[];
  job?: RerankJob;
  /** Keep only the best N (default: all). */
  topN?: number;
}

// ---------- skills matching ----------

interface SkillReq {
  name: string;
  id: number;
}

/** Text-safe aliases per table id (phrase keys), built once. */
const TEXT_ALIASES: string[][] = (() => {
  const out: string[][] = SKILL_INDEX.entries.map(() => []);
  for (const [key, id] of SKILL_INDEX.text) out[id]!.push(key);
  return out;
})();

interface TrieNode {
  skill: number;
  next: Map<number, TrieNode> | null;
}

class SkillMatcher {
  readonly required: SkillReq[];
  readonly nice: SkillReq[];
  private readonly listed = new Map<string, number>();
  /** Root of the phrase trie, indexed by the first token's vocab id. */
  private readonly roots: (TrieNode | undefined)[] = [];

  constructor(job: ResolvedJob, private readonly vocab: Vocab) {
    let nextCustom = SKILL_INDEX.entries.length;
    const custom = new Map<string, number>();
    const resolve = (name: string): SkillReq => {
      const key = phraseKey(name);
      const known = SKILL_INDEX.listed.get(key);
      if (known !== undefined) {
        for (const p of TEXT_ALIASES[known]!) this.addPhrase(p, known);
        for (const [k, id] of SKILL_INDEX.listed) if (id === known) this.listed.set(k, known);
        return { name, id: known };
      }
      // A skill the table does not know ("Epic Beaker") still matches its own spelling.
      let id = custom.get(key);
      if (id === undefined) {
        id = nextCustom++;
        custom.set(key, id);
      }
      this.addPhrase(key, id);
      this.listed.set(key, id);
      return { name, id };
    };
    this.required = job.skills.map(resolve);
    this.nice = job.niceToHave.map(resolve);
  }

  private addPhrase(key: string, skill: number): void {
    if (key === '') return;
    const ids = key.split(' ').map((w) => this.vocab.id(w));
    let node = this.roots[ids[0]!];
    if (node === undefined) {
      node = { skill: -1, next: null };
      this.roots[ids[0]!] = node;
    }
    for (let k = 1; k < ids.length; k++) {
      node.next ??= new Map();
      let child = node.next.get(ids[k]!);
      if (child === undefined) {
        child = { skill: -1, next: null };
        node.next.set(ids[k]!, child);
      }
      node = child;
    }
    node.skill = skill;
  }

  get empty(): boolean {
    return this.required.length === 0 && this.nice.length === 0;
  }

  /** Skill ids evidenced by a document: its skills list (exact, ambiguous aliases allowed) and its text. */
  evidence(listedSkills: readonly string[], tokens: Int32Array): Set<number> {
    const found = new Set<number>();
    for (const s of listedSkills) {
      const id = this.listed.get(phraseKey(s));
      if (id !== undefined) found.add(id);
    }
    const roots = this.roots;
    for (let i = 0; i < tokens.length; i++) {
      let node = roots[tokens[i]!];
      if (node === undefined) continue;
      if (node.skill >= 0) found.add(node.skill);
      for (let j = i + 1; node.next !== null && j < tokens.length; j++) {
        node = node.next.get(tokens[j]!);
        if (node === undefined) break;
        if (node.skill >= 0) found.add(node.skill);
      }
    }
    return found;
  }
}

// ---------- per-document view ----------

interface DocView {
  id: string | undefined;
  titles: string[];
  listedSkills: string[];
  /** All tokens as vocab ids (stop words kept: aliases like "aprendizado de maquina" span them). */
  tokens: Int32Array;
  /** The first tokens as words, for finding a role named near the top of an untitled document. */
  head: string[];
  years: number | null;
  seniority: Seniority | null;
  city: string | null;
  country: string | null;
  remote: boolean | null;
}

const wordsOf = (ids: Int32Array, vocab: Vocab, max: number): string[] => Array.from(ids.subarray(0, max), (id) => vocab.words[id]!);

/** What the job compares, so documents skip text work nobody will read. */
interface Needs {
  years: boolean;
  place: boolean;
  head: boolean;
}

function viewOf(doc: DocumentInput, vocab: Vocab, needs: Needs): DocView {
  if (typeof doc === 'string') {
    // A plain résumé string: a short first line is usually its headline ("ACCOUNTANT", "Enfermeira UTI").
    // Only a short first line can be a headline; never tokenize a one-line document twice.
    const start = doc.trimStart().slice(0, 160);
    const nl = start.search(/\r?\n/);
    const firstLine = nl >= 0 ? start.slice(0, nl).trim() : doc.trim().length <= 160 ? start.trim() : '';
    const firstTokens = tokenize(firstLine);
    const titles = firstTokens.length > 0 && firstTokens.length <= 10 ? [firstLine] : [];
    const ids = vocab.internText(doc);
    const head = needs.place || (needs.head && titles.length === 0) ? wordsOf(ids, vocab, 80) : [];
    const place = needs.place ? findPlaces(head).cities[0] : undefined;
    return {
      id: undefined,
      titles,
      listedSkills: [],
      tokens: ids,
      head,
      years: needs.years ? findYearsClaimed(ids, vocab.words) : null,
      seniority: titles.length > 0 ? findSeniority(firstTokens, false) : null,
      city: place?.name ?? null,
      country: place?.country ?? null,
      remote: null,
    };
  }
  const titles = [doc.title, doc.headline].filter((t): t is string => typeof t === 'string' && t.trim().length > 0);
  const text = [doc.title ?? '', doc.headline ?? '', doc.text ?? '', ...(doc.skills ?? [])].join('\n');
  const ids = vocab.internText(text);
  const head = needs.place || (needs.head && titles.length === 0) ? wordsOf(ids, vocab, 80) : [];
  let city = doc.location?.city?.trim() || null;
  let country = doc.location?.country ? countryCode(doc.location.country) : null;
  if (city === null && country === null && needs.place) {
    const place = findPlaces(head).cities[0];
    city = place?.name ?? null;
    country = place?.country ?? null;
  } else if (city !== null && country === null) {
    country = CITY_INDEX.get(cityKey(city))?.country ?? null;
  }
  return {
    id: doc.id,
    titles,
    listedSkills: doc.skills ?? [],
    tokens: ids,
    head,
    years: doc.yearsExperience ?? (needs.years ? findYearsClaimed(ids, vocab.words) : null),
    seniority: doc.seniority ?? (titles.length > 0 ? findSeniority(tokenize(titles.join(' ')), false) : null),
    city,
    country,
    remote: doc.remote ?? null,
  };
}

// ---------- components ----------

const MAX_NAMES = 5;
const names = (list: readonly string[]) => (list.length <= MAX_NAMES ? list.join(', ') : `${list.slice(0, MAX_NAMES).join(', ')}, …`);

function skillsComponent(m: SkillMatcher, view: DocView, reasons: string[]): number | null {
  if (m.empty) return null;
  const have = m.evidence(view.listedSkills, view.tokens);
  let required: number | null = null;
  if (m.required.length > 0) {
    const hit = m.required.filter((s) => have.has(s.id)).map((s) => s.name);
    const miss = m.required.filter((s) => !have.has(s.id)).map((s) => s.name);
    required = hit.length / m.required.length;
    const head = hit.length > 0 ? `Matches ${hit.length} of ${m.required.length} required skills: ${names(hit)}` : `Matches none of ${m.required.length} required skills`;
    reasons.push(miss.length > 0 ? `${head}; missing: ${names(miss)}` : head);
  }
  let nice: number | null = null;
  if (m.nice.length > 0) {
    const hit = m.nice.filter((s) => have.has(s.id)).map((s) => s.name);
    nice = hit.length / m.nice.length;
    if (hit.length > 0) reasons.push(`Has ${hit.length} of ${m.nice.length} nice-to-have skills: ${names(hit)}`);
  }
  if (required !== null && nice !== null) return 0.85 * required + 0.15 * nice;
  return required ?? nice;
}

/** Head (role) overlap 50% + modifier overlap 50%; a wrong role keeps only a little for the field. */
function titleSimilarity(job: readonly string[], doc: readonly string[]): number {
  if (job.length === 0) return 0;
  const d = new Set(doc);
  const heads = job.filter((c) => ROLE_CONCEPTS.has(c));
  const mods = job.filter((c) => !ROLE_CONCEPTS.has(c));
  const modScore = mods.length === 0 ? 1 : mods.filter((c) => d.has(c)).length / mods.length;
  if (heads.length === 0) return modScore;
  const headScore = heads.filter((c) => d.has(c)).length / heads.length;
  return headScore > 0 ? 0.5 * headScore + 0.5 * modScore : mods.length === 0 ? 0 : 0.25 * modScore;
}

function titleComponent(jobTitle: string | null, jobConcepts: readonly string[], view: DocView, reasons: string[]): number | null {
  if (jobTitle === null || jobConcepts.length === 0) return null;
  let best = 0;
  let bestTitle: string | null = null;
  for (const t of view.titles) {
    const s = titleSimilarity(jobConcepts, titleConcepts(tokenize(t)));
    if (s > best || bestTitle === null) {
      best = s;
      bestTitle = t;
    }
  }
  if (bestTitle !== null) {
    const shown = bestTitle.length > 80 ? `${bestTitle.slice(0, 79)}…` : bestTitle;
    if (best >= 0.999) reasons.push(`Title '${jobTitle}' matches '${shown}'`);
    else if (best >= 0.5) reasons.push(`Title '${shown}' partly matches '${jobTitle}'`);
    else reasons.push(`Title '${shown}' differs from '${jobTitle}'`);
    return best;
  }
  // No title: the role named near the top of the text is weaker evidence.
  const s = 0.8 * titleSimilarity(jobConcepts, titleConcepts(view.head.slice(0, 60)));
  if (s >= 0.4) reasons.push(`Text mentions the role '${jobTitle}'`);
  return s;
}

function yearsAsked(min: number | null, max: number | null): string {
  if (min !== null && max !== null) return min === max ? `asks ${min}` : `asks ${min}–${max}`;
  if (min !== null) return `asks ${min}+`;
  return `asks up to ${max ?? 0}`;
}

function experienceComponent(job: ResolvedJob, view: DocView, reasons: string[]): number | null {
  const parts: number[] = [];
  const { minYears: min, maxYears: max } = job;
  if (min !== null || max !== null) {
    const y = view.years;
    const asked = yearsAsked(min, max);
    if (y === null) {
      parts.push(0.5);
      reasons.push(`Years of experience not stated (${asked})`);
    } else {
      let s = 1;
      if (min !== null && y < min) s = min > 0 ? y / min : 1;
      else if (max !== null && y > max) s = Math.max(0.5, 1 - 0.1 * (y - max)); // over-qualified: a mild penalty
      parts.push(s);
      reasons.push(`${fmtYears(y)} of experience (${asked})`);
    }
  }
  if (job.seniority !== null) {
    const d = view.seniority;
    if (d === null) {
      parts.push(0.5);
      reasons.push(`Seniority not stated (asks ${job.seniority})`);
    } else {
      const gap = Math.abs(SENIORITY_RANK[d] - SENIORITY_RANK[job.seniority]);
      parts.push([1, 0.6, 0.25][gap] ?? 0);
      reasons.push(gap === 0 ? `Seniority ${d} matches` : `Seniority ${d} (asks ${job.seniority})`);
    }
  }
  if (parts.length === 0) return null;
  return parts.reduce((a, b) => a + b, 0) / parts.length;
}

const fmtYears = (y: number) => `${Number.isInteger(y) ? y : y.toFixed(1)} ${y === 1 ? 'year' : 'years'}`;

function locationComponent(job: ResolvedJob, jobCityKeys: ReadonlySet<string>, view: DocView, reasons: string[]): number | null {
  const wantsPlace = job.cities.length > 0 || job.countries.length > 0;
  if (!wantsPlace && job.remote !== true) return null;
  const where = [view.city, view.country].filter(Boolean).join(', ');
  if (job.remote === true && view.remote === true) {
    reasons.push(where ? `Open to remote work (located in ${where})` : 'Open to remote work');
    return 1;
  }
  if (!wantsPlace) {
    // A remote job takes anyone; a stated preference for remote is just a better fit.
    if (where) reasons.push(`Located in ${where}; remote role`);
    return 0.6;
  }
  if (view.city === null && view.country === null) {
    reasons.push('Location not stated');
    return 0.3;
  }
  const cityHit = view.city !== null && jobCityKeys.has(cityKey(view.city));
  const jobCountries = new Set([...job.countries, ...job.cities.map((c) => CITY_INDEX.get(cityKey(c))?.country).filter((c): c is string => !!c)]);
  if (cityHit) {
    reasons.push(`Located in ${where}`);
    return 1;
  }
  if (view.country !== null && jobCountries.has(view.country)) {
    if (job.cities.length > 0) {
      reasons.push(`Located in ${where} (job in ${job.cities.join(', ')})`);
      return 0.5;
    }
    reasons.push(`Located in ${where}`);
    return 1;
  }
  const asked = [...job.cities, ...job.countries].join(', ');
  reasons.push(`Located in ${where} (job in ${asked})`);
  return job.remote === true ? 0.3 : 0;
}

// ---------- the scorer ----------

/** Score and rank `documents` for `query` (and the optional structured `job`). Pure. */
export function scoreDocuments(input: ScoreInput): ScoreOutput {
  const job = resolveJob(input.query, input.job);
  const vocab = new Vocab();
  const matcher = new SkillMatcher(job, vocab);
  const jobConcepts = job.title !== null ? titleConcepts(tokenize(job.title)) : [];
  const jobCityKeys = new Set(job.cities.map(cityKey));
  const needs: Needs = {
    years: job.minYears !== null || job.maxYears !== null,
    place: job.cities.length > 0 || job.countries.length > 0 || job.remote === true,
    head: jobConcepts.length > 0,
  };
  const views = input.documents.map((d) => viewOf(d, vocab, needs));
  const bm = bm25Ids(
    vocab.internText(input.query),
    views.map((v) => v.tokens),
    vocab,
  );
  let maxBm = 0;
  for (const s of bm.scores) if (s > maxBm) maxBm = s;

  const rows = views.map((view, index) => {
    const reasons: string[] = [];
    const components: ComponentScores = {
      skills: skillsComponent(matcher, view, reasons),
      title: titleComponent(job.title, jobConcepts, view, reasons),
      bm25: null,
      experience: experienceComponent(job, view, reasons),
      location: locationComponent(job, jobCityKeys, view, reasons),
    };
    if (bm.queryTerms > 0) {
      components.bm25 = maxBm > 0 ? bm.scores[index]! / maxBm : 0;
      reasons.push(`Text matches ${bm.matchedTerms[index]!} of ${bm.queryTerms} query terms`);
    }
    return { index, view, reasons, components };
  });

  // Weights depend only on the job, so every document in a request is scored on the same scale.
  const first = rows[0]?.components;
  const applicable = (Object.keys(WEIGHTS) as ComponentName[]).filter((c) => (first ? first[c] !== null : false));
  const total = applicable.reduce((a, c) => a + WEIGHTS[c], 0);
  const weights = { skills: 0, title: 0, bm25: 0, experience: 0, location: 0 } as Record<ComponentName, number>;
  for (const c of applicable) weights[c] = WEIGHTS[c] / total;

  const scored: ScoredDocument[] = rows.map(({ index, view, reasons, components }) => {
    let s = 0;
    for (const c of applicable) s += weights[c] * (components[c] ?? 0);
    const out: ScoredDocument = {
      index,
      relevance_score: round6(Math.min(1, Math.max(0, s))),
      reasons,
      components: {
        skills: roundOrNull(components.skills),
        title: roundOrNull(components.title),
        bm25: roundOrNull(components.bm25),
        experience: roundOrNull(components.experience),
        location: roundOrNull(components.location),
      },
    };
    if (view.id !== undefined) out.id = view.id;
    return out;
  });
  scored.sort((a, b) => b.relevance_score - a.relevance_score || a.index - b.index);
  const results = input.topN !== undefined ? scored.slice(0, input.topN) : scored;
  for (const c of Object.keys(weights) as ComponentName[]) weights[c] = round6(weights[c]);
  return { results, job, weights };
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
const roundOrNull = (x: number | null) => (x === null ? null : round6(x));
