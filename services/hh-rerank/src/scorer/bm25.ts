/**
 * Okapi BM25 over the documents of one request (k1 = 1.2, b = 0.75), with Lucene's
 * non-negative IDF ln(1 + (N − df + 0.5) / (df + 0.5)) so a term present in every document still
 * counts a little instead of subtracting. Statistics come from this request's documents only:
 * the reranker has no corpus, and the caller already chose these documents as the candidates.
 */
export const BM25_K1 = 1.2;
export const BM25_B = 0.75;

export interface Bm25Result {
  /** Raw BM25 per document. */
  scores: Float64Array;
  /** Distinct query terms found per document. */
  matchedTerms: Uint16Array;
  /** Distinct query terms. */
  queryTerms: number;
}

/**
 * `query`: content tokens of the query; `docs`: content tokens per document.
 * A query term repeated in the query counts once per occurrence, saturated like a document tf
 * (a job text that says "Kubernetes" five times cares more about it, but not five times more).
 */
export function bm25(query: readonly string[], docs: readonly (readonly string[])[]): Bm25Result {
  const qtf = new Map<string, number>();
  for (const t of query) qtf.set(t, (qtf.get(t) ?? 0) + 1);
  const terms = [...qtf.keys()];
  const slot = new Map<string, number>(terms.map((t, i) => [t, i]));
  const n = docs.length;
  const T = terms.length;
  const tf = new Uint32Array(n * T);
  const df = new Uint32Array(T);
  let totalLen = 0;
  for (let d = 0; d < n; d++) {
    const tokens = docs[d]!;
    totalLen += tokens.length;
    const base = d * T;
    for (const tok of tokens) {
      const s = slot.get(tok);
      if (s !== undefined) {
        if (tf[base + s] === 0) df[s]!++;
        tf[base + s]!++;
      }
    }
  }
  const avgdl = n > 0 ? totalLen / n || 1 : 1;
  const idf = new Float64Array(T);
  const qWeight = new Float64Array(T);
  for (let s = 0; s < T; s++) {
    idf[s] = Math.log(1 + (n - df[s]! + 0.5) / (df[s]! + 0.5));
    const q = qtf.get(terms[s]!)!;
    qWeight[s] = ((BM25_K1 + 1) * q) / (BM25_K1 + q);
  }
  const scores = new Float64Array(n);
  const matchedTerms = new Uint16Array(n);
  for (let d = 0; d < n; d++) {
    const norm = BM25_K1 * (1 - BM25_B + (BM25_B * docs[d]!.length) / avgdl);
    let score = 0;
    let matched = 0;
    const base = d * T;
    for (let s = 0; s < T; s++) {
      const f = tf[base + s]!;
      if (f === 0) continue;
      matched++;
      score += idf[s]! * qWeight[s]! * ((f * (BM25_K1 + 1)) / (f + norm));
    }
    scores[d] = score;
    matchedTerms[d] = Math.min(matched, 65535);
  }
  return { scores, matchedTerms, queryTerms: T };
}
