/**
 * Ranking metrics over one query: `ranked` is the list of returned ids, best first; `qrels` maps an
 * id to its relevance grade (absent or 0 = not relevant). Every metric treats grade ≥ 1 as relevant;
 * NDCG also uses the grade itself.
 */

/** Gain of a grade: exponential (2^g − 1), the usual choice when grades are ordinal levels. */
const gain = (grade) => 2 ** grade - 1;
const discount = (rank) => 1 / Math.log2(rank + 1); // rank is 1-based

/** @param {string[]} ranked @param {Map<string, number>} qrels @param {number} k */
export function ndcgAt(ranked, qrels, k) {
  let dcg = 0;
  ranked.slice(0, k).forEach((id, i) => {
    const g = qrels.get(id) ?? 0;
    if (g > 0) dcg += gain(g) * discount(i + 1);
  });
  const ideal = [...qrels.values()].filter((g) => g > 0).sort((x, y) => y - x).slice(0, k);
  const idcg = ideal.reduce((sum, g, i) => sum + gain(g) * discount(i + 1), 0);
  return idcg > 0 ? dcg / idcg : 0;
}

/** Reciprocal rank of the first relevant id within the list (0 when none is returned). */
export function reciprocalRank(ranked, qrels) {
  const i = ranked.findIndex((id) => (qrels.get(id) ?? 0) > 0);
  return i < 0 ? 0 : 1 / (i + 1);
}

/** Share of the relevant ids that appear in the first k. */
export function recallAt(ranked, qrels, k) {
  let relevant = 0;
  for (const g of qrels.values()) if (g > 0) relevant++;
  if (relevant === 0) return 0;
  let found = 0;
  for (const id of ranked.slice(0, k)) if ((qrels.get(id) ?? 0) > 0) found++;
  return found / relevant;
}

/** The three figures the harness reports for one query. */
export function scoreQuery(ranked, qrels) {
  return { ndcg10: ndcgAt(ranked, qrels, 10), mrr: reciprocalRank(ranked, qrels), recall100: recallAt(ranked, qrels, 100) };
}

/** Mean of each figure over per-query scores (no queries → null figures, never NaN). */
export function meanScores(scores) {
  if (scores.length === 0) return { ndcg10: null, mrr: null, recall100: null, queries: 0 };
  const mean = (key) => scores.reduce((s, x) => s + x[key], 0) / scores.length;
  return { ndcg10: mean('ndcg10'), mrr: mean('mrr'), recall100: mean('recall100'), queries: scores.length };
}
