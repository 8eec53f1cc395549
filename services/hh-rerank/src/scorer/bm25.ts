/**
 * Okapi BM25 over the documents of one request (k1 = 1.2, b = 0.75), with Lucene's
 * non-negative IDF ln(1 + (N − df + 0.5) / (df + 0.5)) so a term present in every document still
 * counts a little instead of subtracting. Statistics come from this request's documents only:
 * the reranker has no corpus, and the caller already chose these documents as the candidates.
 * Stop words are skipped and do not count towards document length.
 */
import { Vocab } from './vocab.js';

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
 * BM25 on interned tokens. A query term repeated in the query counts once per occurrence,
 * saturated like a document tf (a job text that says "Kubernetes" five times cares more about it,
 * but not five times more).
 */
export function bm25Ids(query: Int32Array, docs: readonly Int32Array[], vocab: Vocab): Bm25Result {
  const stop = vocab.stop;
  // Query term slots: slotOf[id] = index into the term arrays, or -1.
  const slotOf = new Int32Array(vocab.size).fill(-1);
  const qtf: number[] = [];
  for (const id of query) {
    if (stop[id] === 1) continue;
    if (slotOf[id] === -1) {
      slotOf[id] = qtf.length;
      qtf.push(0);
    }
    qtf[slotOf[id]!]!++;
  }
  const T = qtf.length;
  const n = docs.length;
  const tf = new Uint32Array(n * T);
  const df = new Uint32Array(T);
  const len = new Uint32Array(n);
  let totalLen = 0;
  for (let d = 0; d < n; d++) {
    const tokens = docs[d]!;
    const base = d * T;
    let l = 0;
    for (let i = 0; i < tokens.length; i++) {
      const id = tokens[i]!;
      if (stop[id] === 1) continue;
      l++;
      const s = slotOf[id]!;
      if (s >= 0) {
        if (tf[base + s] === 0) df[s]!++;
        tf[base + s]!++;
      }
    }
    len[d] = l;
    totalLen += l;
  }
  const avgdl = n > 0 && totalLen > 0 ? totalLen / n : 1;
  const weight = new Float64Array(T);
  for (let s = 0; s < T; s++) {
    const idf = Math.log(1 + (n - df[s]! + 0.5) / (df[s]! + 0.5));
    const q = qtf[s]!;
    weight[s] = idf * (((BM25_K1 + 1) * q) / (BM25_K1 + q));
  }
  const scores = new Float64Array(n);
  const matchedTerms = new Uint16Array(n);
  for (let d = 0; d < n; d++) {
    const norm = BM25_K1 * (1 - BM25_B + (BM25_B * len[d]!) / avgdl);
    let score = 0;
    let matched = 0;
    const base = d * T;
    for (let s = 0; s < T; s++) {
      const f = tf[base + s]!;
      if (f === 0) continue;
      matched++;
      score += weight[s]! * ((f * (BM25_K1 + 1)) / (f + norm));
    }
    scores[d] = score;
    matchedTerms[d] = Math.min(matched, 65535);
  }
  return { scores, matchedTerms, queryTerms: T };
}

/** Convenience form on string tokens (stop words skipped). */
export function bm25(query: readonly string[], docs: readonly (readonly string[])[]): Bm25Result {
  const vocab = new Vocab();
  const q = vocab.intern(query);
  return bm25Ids(q, docs.map((d) => vocab.intern(d)), vocab);
}
