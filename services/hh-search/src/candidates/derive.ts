/**
 * Everything computed from a candidate profile at write time: the texts of the weighted
 * tsvector, the text that gets embedded (and its hash), normalised skills and city, language.
 */
import { createHash } from 'node:crypto';
import { detectLanguage, fold, type Language } from '@hh/text';
import type { CandidateInput } from './schema.js';

export interface DerivedCandidate {
  title: string;
  headline: string;
  summary: string;
  skills: string[];
  skillsNorm: string[];
  experienceText: string;
  language: Language;
  cityNorm: string | null;
  embedText: string;
  embedHash: string;
}

/**
 * Runs of letters and hyphens. A single character class with nothing after it never backtracks, so
 * this is one linear pass; the hyphenated words are then picked out of each run by hand. (The
 * direct pattern, `\p{L}+(?:-\p{L}+)+`, failed at every letter of a long hyphen-free word after
 * scanning to its end: quadratic in the word's length, about 2 s for 20,000 letters.)
 */
const LETTERS_AND_HYPHENS = /[\p{L}-]+/gu;

/**
 * "back-end" also indexed as "backend" (and "e-mail" as "email"): users type both spellings.
 * A compound is two or more runs of letters joined by single hyphens ("state-of-the-art"); a double
 * hyphen or a hyphen at either end is not part of it ("a--b" has none, "-x-y-" has "x-y").
 */
export function withJoinedCompounds(text: string): string {
  const joined: string[] = [];
  for (const [run] of text.matchAll(LETTERS_AND_HYPHENS)) {
    if (!run.includes('-')) continue;
    let parts: string[] = [];
    for (const part of run.split('-')) {
      if (part) {
        parts.push(part);
        continue;
      }
      // An empty part is a hyphen at an end of the run or one of two in a row: the compound stops here.
      if (parts.length > 1) joined.push(parts.join(''));
      parts = [];
    }
    if (parts.length > 1) joined.push(parts.join(''));
  }
  return joined.length > 0 ? `${text} ${joined.join(' ')}` : text;
}

export const normSkill = (s: string) => fold(s).replace(/\s+/g, ' ').trim();
export const normCity = (s: string) => fold(s).replace(/[^\p{L}\p{N} ]/gu, ' ').replace(/\s+/g, ' ').trim();

export function deriveCandidate(input: CandidateInput): DerivedCandidate {
  const title = input.title.trim();
  const headline = (input.headline ?? '').trim();
  const summary = (input.summary ?? '').trim();
  const skills = [...new Set((input.skills ?? []).map((s) => s.trim()).filter(Boolean))];
  const experienceText = (input.experience ?? [])
    .map((e) => [e.title, e.company, e.description].filter(Boolean).join(' '))
    .join('\n');
  const language = input.language ?? detectLanguage(`${title} ${headline} ${summary}`, 'en');
  // The embedded text: what the candidate is, then what they know; bounded so one huge summary
  // cannot dominate the vector or the embed call.
  const embedText = [title, headline, skills.join(', '), summary, experienceText].filter(Boolean).join('\n').slice(0, 8_000);
  return {
    title,
    headline,
    summary,
    skills,
    skillsNorm: [...new Set(skills.map(normSkill))],
    experienceText,
    language,
    cityNorm: input.location?.city ? normCity(input.location.city) : null,
    embedText,
    embedHash: createHash('sha256').update(embedText).digest('hex'),
  };
}
