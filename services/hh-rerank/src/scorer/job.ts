/**
 * Resolve what a job asks for: fields given in the request's `job` win; anything left out is
 * derived from the query text (skills named, "5+ years" / "5 anos", seniority words, a title guess,
 * places and "remote"), so a plain Cohere-style call still gets an explainable score.
 */
import { fold, tokenize } from '@hh/text';
import { SKILL_INDEX, phraseKey } from './synonyms.js';
import {
  SENIORITY_TOKENS,
  TITLE_BREAKERS,
  countryCode,
  findPlaces,
  findRemote,
  findSeniority,
  findYearsRange,
  isRoleToken,
  startsPlace,
} from './lexicon.js';
import type { RerankJob, ResolvedJob } from './types.js';

// Lines that list optional skills: "Nice to have: Docker", "Diferenciais: AWS".
const NICE_MARKER = /\b(nice to have|nice-to-have|bonus|a plus|is a plus|plus|preferred|desejave(l|is)|diferencia(l|is)|sera um diferencial)\b/;

/** Canonical skills named in `tokens` (free-text aliases only), in order of first appearance. */
export function skillsInTokens(tokens: readonly string[]): number[] {
  const found: number[] = [];
  const seen = new Set<number>();
  const { text, maxTokens } = SKILL_INDEX;
  for (let i = 0; i < tokens.length; i++) {
    // Longest alias first: "machine learning engineer" yields Machine Learning, not nothing.
    let key = '';
    let hit: number | undefined;
    let hitLen = 0;
    for (let len = 1; len <= maxTokens && i + len <= tokens.length; len++) {
      key = len === 1 ? tokens[i]! : `${key} ${tokens[i + len - 1]!}`;
      const id = text.get(key);
      if (id !== undefined) {
        hit = id;
        hitLen = len;
      }
    }
    if (hit !== undefined) {
      if (!seen.has(hit)) {
        seen.add(hit);
        found.push(hit);
      }
      i += hitLen - 1;
    }
  }
  return found;
}

/**
 * A title guess: in the first line, the first clause that contains a role noun ("engineer",
 * "enfermeira"), widened by up to three words each side until a clause word ("with", "para").
 */
export function guessTitle(query: string): string | null {
  const firstLine = query.split(/\r?\n/).find((l) => l.trim().length > 0) ?? '';
  const clauses = firstLine.split(/[.;:!?|()[\]{}—–,/]|\s-\s/);
  for (const clause of clauses) {
    const words = clause.split(/\s+/).filter((w) => tokenize(w).length > 0);
    const folded = words.map((w) => tokenize(w));
    const r = folded.findIndex((toks) => toks.some(isRoleToken));
    if (r < 0) continue;
    // A place ends the title too: "enfermeira uti são paulo" is an Enfermeira UTI in São Paulo.
    const stops = (i: number) => folded[i]!.some((t) => TITLE_BREAKERS.has(t)) || (i !== r && startsPlace(folded[i]![0]!));
    const connector = (i: number) => folded[i]!.length === 1 && ['de', 'do', 'da', 'of'].includes(folded[i]![0]!);
    let lo = r;
    while (lo > 0 && r - lo < 3 && !stops(lo - 1) && !isFiller(folded[lo - 1]!)) lo--;
    let hi = r;
    while (hi + 1 < words.length && hi - r < 3) {
      if (connector(hi + 1) && hi + 2 < words.length && !stops(hi + 2)) {
        hi += 2;
        continue;
      }
      if (stops(hi + 1) || isFiller(folded[hi + 1]!)) break;
      hi++;
    }
    // Seniority is scored separately; keep it out of the title itself.
    while (lo < hi && folded[lo]!.every((t) => SENIORITY_TOKENS.has(t))) lo++;
    while (hi > lo && folded[hi]!.every((t) => SENIORITY_TOKENS.has(t))) hi--;
    const title = words.slice(lo, hi + 1).join(' ').trim();
    return title.length > 0 ? title.slice(0, 200) : null;
  }
  return null;
}

const FILLER = new Set(['a', 'an', 'the', 'um', 'uma', 'our', 'we', 'are', 'is', 'hiring', 'seeking', 'looking', 'vaga', 'procuramos', 'buscamos', 'contratamos', 'job', 'position', 'role']);
const isFiller = (toks: string[]) => toks.every((t) => FILLER.has(t));

/** The job used for scoring: given fields win, the rest is derived from the query. */
export function resolveJob(query: string, job: RerankJob | undefined): ResolvedJob {
  const j = job ?? {};
  const derived: string[] = [];
  const lines = query.split(/\r?\n/);
  const queryTokens = tokenize(query);

  let skills = j.skills;
  let nice = j.niceToHave;
  if (skills === undefined || nice === undefined) {
    const required: number[] = [];
    const optional: number[] = [];
    for (const line of lines) {
      const folded = fold(line);
      const m = NICE_MARKER.exec(folded);
      if (m) {
        required.push(...skillsInTokens(tokenize(folded.slice(0, m.index))));
        optional.push(...skillsInTokens(tokenize(folded.slice(m.index))));
      } else {
        required.push(...skillsInTokens(tokenize(folded)));
      }
    }
    const req = [...new Set(required)];
    const opt = [...new Set(optional)].filter((id) => !req.includes(id));
    if (skills === undefined && req.length > 0) {
      skills = req.map((id) => SKILL_INDEX.entries[id]!.name);
      derived.push('skills');
    }
    if (nice === undefined && opt.length > 0) {
      nice = opt.map((id) => SKILL_INDEX.entries[id]!.name);
      derived.push('niceToHave');
    }
  }

  let title: string | null = j.title ?? null;
  if (title === null) {
    title = guessTitle(query);
    if (title !== null) derived.push('title');
  }

  let minYears = j.minYears ?? null;
  let maxYears = j.maxYears ?? null;
  if (j.minYears === undefined && j.maxYears === undefined) {
    const r = findYearsRange(fold(query));
    minYears = r.min;
    maxYears = r.max;
    if (r.min !== null || r.max !== null) derived.push('years');
  }

  let seniority = j.seniority ?? null;
  if (seniority === null) {
    // Any seniority word counts inside the title; elsewhere only unambiguous ones ("senior", "pleno").
    seniority = (title !== null ? findSeniority(tokenize(firstClauseAround(query, title)), false) : null) ?? findSeniority(queryTokens, true);
    if (seniority !== null) derived.push('seniority');
  }

  let countries = j.countries?.map(countryCode) ?? [];
  let cities = j.cities ?? [];
  if (j.countries === undefined && j.cities === undefined) {
    const places = findPlaces(queryTokens);
    cities = places.cities.map((c) => c.name);
    countries = places.countries;
    if (cities.length > 0 || countries.length > 0) derived.push('location');
  }

  let remote = j.remote ?? null;
  if (j.remote === undefined) {
    remote = findRemote(queryTokens);
    if (remote !== null) derived.push('remote');
  }

  return {
    title,
    skills: dedupeSkills(skills ?? []),
    niceToHave: dedupeSkills(nice ?? []).filter((s) => !dedupeSkills(skills ?? []).some((r) => phraseKey(r) === phraseKey(s))),
    minYears,
    maxYears,
    seniority,
    countries: [...new Set(countries)],
    cities,
    remote,
    derived,
  };
}

/** The words of the query's first line around a guessed title (seniority often sits beside it). */
function firstClauseAround(query: string, title: string): string {
  const firstLine = query.split(/\r?\n/).find((l) => l.trim().length > 0) ?? '';
  const at = firstLine.indexOf(title);
  if (at < 0) return title;
  // Two words before ("Senior Staff …") and one after ("… Sênior"); further away, "lead" is a verb.
  const before = firstLine.slice(0, at).trim().split(/\s+/).slice(-2).join(' ');
  const after = firstLine.slice(at + title.length).trim().split(/\s+/).slice(0, 1).join(' ');
  return `${before} ${title} ${after}`;
}

/** Same skill named twice ("Postgres", "PostgreSQL") → first spelling kept. */
function dedupeSkills(list: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const s of list) {
    const key = phraseKey(s);
    const id = SKILL_INDEX.listed.get(key);
    const k = id !== undefined ? `#${id}` : key;
    if (key === '' || seen.has(k)) continue;
    seen.add(k);
    out.push(s.trim());
  }
  return out;
}
