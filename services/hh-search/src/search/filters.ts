/**
 * Recruiter filters compiled once into one SQL predicate over `c` (candidates), applied to all
 * three branches (full text and specialty in their WHERE clause; vector as a post-filter on the
 * ids the index returned). Its parameters are $1..$n; branch queries number theirs after.
 */
import { normCity, normSkill } from '../candidates/derive.js';
import type { SearchFilters } from './schema.js';

export interface CompiledFilter {
  sql: string; // "" or "AND …"
  params: unknown[];
}

export function compileFilters(f: SearchFilters | undefined): CompiledFilter {
  const first = 1;
  const parts: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${first + params.length - 1}`;
  };
  if (f?.countries) parts.push(`c.country = ANY(${p(f.countries)}::text[])`);
  if (f?.cities) parts.push(`c.city_norm = ANY(${p(f.cities.map(normCity))}::text[])`);
  if (f?.remote !== undefined) parts.push(`c.remote = ${p(f.remote)}`);
  if (f?.minYears !== undefined) parts.push(`c.years_experience >= ${p(f.minYears)}`);
  if (f?.maxYears !== undefined) parts.push(`c.years_experience <= ${p(f.maxYears)}`);
  if (f?.seniority) parts.push(`c.seniority = ANY(${p(f.seniority)}::text[])`);
  if (f?.mustHaveSkills) parts.push(`c.skills_norm @> ${p([...new Set(f.mustHaveSkills.map(normSkill))])}::text[]`);
  if (f?.occupations) parts.push(`c.occupation_ids && ${p(f.occupations)}::int[]`);
  return { sql: parts.map((s) => `AND ${s}`).join(' '), params };
}

