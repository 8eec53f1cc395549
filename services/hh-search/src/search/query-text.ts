/** Turning a job description or query into the inputs each branch needs. */
import { contentTokens, fold } from '@hh/text';

/**
 * Words every job posting and profile uses ("experience", "team", "anos"): as OR terms they
 * match the whole pool and only cost ranking time, so they are left out of the full-text query.
 */
const JOB_BOILERPLATE = new Set(
  [
    'experience', 'experienced', 'years', 'year', 'team', 'teams', 'work', 'working', 'skills', 'skill', 'role', 'company',
    'requirements', 'required', 'responsibilities', 'ability', 'strong', 'knowledge', 'including', 'join', 'looking',
    'hiring', 'candidate', 'position', 'job', 'plus', 'preferred', 'excellent', 'good', 'great', 'new', 'well', 'help',
    'using', 'use', 'based', 'within', 'across', 'environment', 'opportunity', 'benefits', 'must', 'will', 'like',
    'anos', 'ano', 'experiencia', 'equipe', 'equipes', 'trabalho', 'trabalhar', 'conhecimento', 'conhecimentos',
    'requisitos', 'empresa', 'vaga', 'atividades', 'responsabilidades', 'habilidades', 'buscamos', 'procuramos',
    'desejavel', 'diferencial', 'boa', 'bom', 'forte', 'capacidade', 'oportunidade', 'beneficios',
  ].map(fold),
);

/**
 * Full-text query in websearch syntax. A short query keeps AND semantics ("registered nurse");
 * a job description becomes an OR of its most frequent content words, because requiring every
 * word of a 300-word posting would match nobody. Quotes and operators the user typed in a
 * short query are interpreted by websearch_to_tsquery, which never raises a syntax error.
 */
export function ftsQuery(req: { query?: string; jobDescription?: string }, extraTerms: string[] = []): { text: string; mode: 'query' | 'job' } {
  const q = req.query?.trim();
  if (q) return { text: q, mode: 'query' };
  return { text: ftsQueryText(req, extraTerms).split(' or ').join(' '), mode: 'job' };
}

export function ftsQueryText(req: { query?: string; jobDescription?: string }, extraTerms: string[] = []): string {
  const q = req.query?.trim();
  if (q) return q;
  const counts = new Map<string, { n: number; first: number }>();
  const toks = contentTokens(req.jobDescription ?? '').filter((t) => t.length > 1 && !/^\d+\+?$/.test(t) && !JOB_BOILERPLATE.has(t));
  toks.forEach((t, i) => {
    const c = counts.get(t);
    if (c) c.n++;
    else counts.set(t, { n: 1, first: i });
  });
  const top = [...counts.entries()]
    .sort((a, b) => b[1].n - a[1].n || a[1].first - b[1].first)
    .slice(0, 24)
    .map(([t]) => t);
  const terms = [...new Set([...extraTerms.flatMap((s) => contentTokens(s)), ...top])].filter((t) => t !== 'or');
  return terms.join(' or ');
}

/** Text for the specialty lookup: the query, or the head of the job description (titles come first). */
export function specialtyText(req: { query?: string; jobDescription?: string }): string {
  const q = req.query?.trim();
  if (q) return q;
  return (req.jobDescription ?? '').slice(0, 600);
}

/** Text to embed for the vector branch. */
export function vectorText(req: { query?: string; jobDescription?: string }): string {
  return [req.query?.trim(), req.jobDescription?.trim()].filter(Boolean).join('\n').slice(0, 8_000);
}
