/**
 * Presentation: the final order (the reranked head by rerank score, then the fused tail) turned into
 * result entries with their scores, the branches that found each candidate and why it fits.
 */
import type { RerankResult } from '../clients/rerank-client.js';
import type { SpecialtyMatch } from './branch.js';
import type { FusedHit } from './fusion.js';
import type { CandidateDoc } from './read-repository.js';
import type { SearchResponse } from './schema.js';

const r6 = (n: number) => Math.round(n * 1e6) / 1e6;

/** Why a candidate is in the list, in a recruiter's words. */
export function explain(f: FusedHit, rr: RerankResult | undefined, niceMatched: number | undefined, niceTotal: number, occupations: SpecialtyMatch[]): string[] {
  const out: string[] = [];
  if (rr) out.push(...rr.reasons);
  const b = f.branches;
  if (b.specialty) {
    const occ = b.specialty.occupation ?? occupations[0]?.title;
    out.push(`Occupation matches the role${occ ? `: ${occ}` : ''} (confidence ${b.specialty.score.toFixed(2)})`);
  }
  if (b.fts) out.push(fullTextReason(b.fts));
  if (b.vector) out.push(`Semantically similar to the job (vector rank ${b.vector.rank}, similarity ${b.vector.score.toFixed(2)})`);
  if (niceTotal > 0 && niceMatched !== undefined) out.push(`Has ${niceMatched} of ${niceTotal} nice-to-have skills`);
  return out;
}

const FIELD_NAMES: Record<string, string> = { title: 'title', skills: 'skills', headline: 'headline', summary: 'summary', experienceTitle: 'past titles', experienceDescription: 'experience' };

/** "Matches “kubernetes”, “terraform” in skills, title (full-text rank 3)", or the plain form without term detail. */
function fullTextReason(fts: NonNullable<FusedHit['branches']['fts']>): string {
  const matched = fts.matched ?? [];
  const terms = [...new Set(matched.flatMap((m) => m.terms))].slice(0, 6);
  if (terms.length === 0) return `Profile text matches the search terms (full-text rank ${fts.rank})`;
  const fields = [...new Set(matched.filter((m) => m.terms.length > 0).map((m) => FIELD_NAMES[m.field] ?? m.field))];
  return `Matches ${terms.map((t) => `“${t}”`).join(', ')} in ${fields.join(', ')} (full-text rank ${fts.rank})`;
}

export function present(args: {
  fused: FusedHit[];
  docs: Map<number, CandidateDoc>;
  rerank: { scores: Map<number, RerankResult> | undefined; headSize: number };
  niceMatched: Map<number, number>;
  niceTotal: number;
  occupations: SpecialtyMatch[];
}): SearchResponse['results'] {
  const { fused, docs, niceMatched, niceTotal, occupations } = args;
  const scores = args.rerank.scores;
  let ordered = fused;
  if (scores) {
    const head = fused.slice(0, args.rerank.headSize).sort((a, b) => scores.get(b.id)!.relevance_score - scores.get(a.id)!.relevance_score || a.id - b.id);
    ordered = [...head, ...fused.slice(args.rerank.headSize)];
  }
  // Scores in [0,1]: a reranked head maps to [0.5, 1] so it always outranks the fused tail.
  const maxRrf = fused[0]?.rrf ?? 1;
  return ordered.map((f, i) => {
    const d = docs.get(f.id)!;
    const rr = scores?.get(f.id);
    const score = rr ? 0.5 + 0.5 * rr.relevance_score : (scores ? 0.5 * 0.999 : 1) * (f.rrf / maxRrf);
    return {
      candidateId: d.externalId,
      rank: i + 1,
      score: r6(score),
      title: d.title,
      headline: d.headline,
      location: { country: d.country, region: d.region, city: d.city },
      remote: d.remote,
      yearsExperience: d.yearsExperience,
      seniority: d.seniority,
      branches: f.branches,
      rrfScore: r6(f.rrf),
      rerankScore: rr ? r6(rr.relevance_score) : null,
      reasons: explain(f, rr, niceMatched.get(f.id), niceTotal, occupations),
    };
  });
}
