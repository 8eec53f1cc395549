/**
 * Reciprocal Rank Fusion: score(d) = Σ_b w_b / (k + rank_b(d)), ranks 1-based, each branch
 * truncated to `window`. Ties break on the best single-branch rank, then on id, so the order
 * is deterministic and pages are stable.
 */
import type { BranchHit } from './branch.js';
import type { BranchName } from './schema.js';

export type { BranchHit };

export interface FusedHit {
  id: number;
  rrf: number;
  branches: Partial<Record<BranchName, { rank: number; score: number; occupation?: string; matched?: BranchHit['matched'] }>>;
  bestRank: number;
}

export function rrfFuse(
  lists: Partial<Record<BranchName, BranchHit[]>>,
  opts: { k: number; window: number; weights: Record<BranchName, number> },
): FusedHit[] {
  const fused = new Map<number, FusedHit>();
  for (const [name, hits] of Object.entries(lists) as [BranchName, BranchHit[]][]) {
    const w = opts.weights[name];
    if (!hits || w <= 0) continue;
    const n = Math.min(hits.length, opts.window);
    for (let i = 0; i < n; i++) {
      const h = hits[i]!;
      const rank = i + 1;
      let f = fused.get(h.id);
      if (!f) fused.set(h.id, (f = { id: h.id, rrf: 0, branches: {}, bestRank: rank }));
      if (f.branches[name]) continue; // a branch lists an id once; keep its best rank
      f.rrf += w / (opts.k + rank);
      f.branches[name] = { rank, score: h.score, ...(h.occupation ? { occupation: h.occupation } : {}), ...(h.matched ? { matched: h.matched } : {}) };
      f.bestRank = Math.min(f.bestRank, rank);
    }
  }
  return [...fused.values()].sort((a, b) => b.rrf - a.rrf || a.bestRank - b.bestRank || a.id - b.id);
}

/**
 * Nice-to-have skills as a bounded multiplicative boost after fusion: at most +20 % for a candidate
 * that has every one of them, so they reorder close calls but never outweigh relevance. Returns how
 * many each candidate has (for explanations); re-sorts `fused` in place.
 */
export function boostNiceToHave(fused: FusedHit[], niceNorm: string[], skillsOf: (id: number) => readonly string[]): Map<number, number> {
  const matched = new Map<number, number>();
  if (niceNorm.length === 0) return matched;
  for (const f of fused) {
    const have = new Set(skillsOf(f.id));
    const n = niceNorm.filter((s) => have.has(s)).length;
    matched.set(f.id, n);
    f.rrf *= 1 + 0.2 * (n / niceNorm.length);
  }
  fused.sort((a, b) => b.rrf - a.rrf || a.bestRank - b.bestRank || a.id - b.id);
  return matched;
}
