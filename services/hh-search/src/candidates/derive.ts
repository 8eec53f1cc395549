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

/** "back-end" also indexed as "backend" (and "e-mail" as "email"): users type both spellings. */
export function withJoinedCompounds(text: string): string {
  const joined = text.match(/\p{L}+(?:-\p{L}+)+/gu);
  return joined ? `${text} ${joined.map((w) => w.replace(/-/g, '')).join(' ')}` : text;
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
