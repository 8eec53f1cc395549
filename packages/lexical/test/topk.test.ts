/**
 * The pruned top-k (Block-Max WAND) must equal the exhaustive scorer's top-k, ids and scores, for
 * every query form, with and without accept filters, through upserts, updates, deletes, seals and
 * merges. A from-scratch BM25F reference (re-analysing the raw documents) checks the scoring and
 * the statistics bookkeeping for typed queries.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExhaustiveScorer, LexicalIndex, analyze, analyzeQuery, type LexicalDocument, type SearchQuery } from '../src/index.js';
import { DEFAULT_B, DEFAULT_WEIGHTS, FIELDS } from '../src/fields.js';
import { docArb, jobArb, opArb, render, typedArb, type Op, type TypedQuery } from './corpus.js';

function apply(idx: LexicalIndex, docs: Map<number, LexicalDocument>, op: Op): void {
  switch (op.kind) {
    case 'upsert':
      idx.upsert(op.id, op.doc);
      docs.set(op.id, op.doc);
      break;
    case 'delete':
      expect(idx.delete(op.id)).toBe(docs.delete(op.id));
      break;
    case 'flush':
      idx.flush();
      break;
    case 'merge':
      idx.merge();
      break;
    case 'optimize':
      idx.optimize();
      break;
  }
}

const acceptArb = fc.option(
  fc.record({ m: fc.integer({ min: 2, max: 4 }), r: fc.integer({ min: 0, max: 3 }) }).map(({ m, r }) => (id: number) => id % m !== r % m),
  { nil: undefined },
);

function same(idx: LexicalIndex, q: SearchQuery, k: number, accept?: (id: number) => boolean): void {
  const got = idx.search(q, { k, accept });
  const want = new ExhaustiveScorer(idx).search(q, { k, accept });
  expect(got.hits).toEqual(want.hits);
  if (accept) for (const h of got.hits) expect(accept(h.id)).toBe(true);
}

describe('top-k equals the exhaustive scorer', () => {
  it('for job descriptions and typed queries, with filters, through updates, deletes and merges', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { minLength: 1, maxLength: 80 }),
        fc.array(fc.oneof(jobArb.map((text) => ({ text, mode: 'job' as const })), typedArb.map((t) => ({ text: render(t), mode: 'query' as const }))), { minLength: 1, maxLength: 6 }),
        fc.constantFrom<'en' | 'pt' | undefined>(undefined, 'en', 'pt'),
        fc.integer({ min: 1, max: 12 }),
        acceptArb,
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 2, max: 3 }),
        (ops, queries, language, k, accept, sealDocs, mergeFactor) => {
          const idx = new LexicalIndex({ sealDocs, mergeFactor, backgroundMerges: false, maxJobTerms: 6 });
          const docs = new Map<number, LexicalDocument>();
          const half = ops.length >> 1;
          ops.forEach((op, i) => {
            apply(idx, docs, op);
            if (i === half) for (const q of queries) same(idx, { ...q, language }, k, accept);
          });
          expect(idx.size).toBe(docs.size);
          expect(new Set(idx.ids())).toEqual(new Set(docs.keys()));
          for (const q of queries) same(idx, { ...q, language }, k, accept);
          idx.merge();
          for (const q of queries) same(idx, { ...q, language }, k, accept);
          idx.optimize();
          for (const q of queries) same(idx, { ...q, language }, k, accept);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('with many postings per term (several blocks) and small k, where pruning skips blocks', () => {
    let skipped = 0;
    fc.assert(
      fc.property(
        fc.array(docArb, { minLength: 500, maxLength: 800 }),
        fc.array(fc.nat(), { maxLength: 100 }),
        fc.array(jobArb, { minLength: 3, maxLength: 3 }),
        typedArb,
        (docs, deletes, jobs, typed) => {
          const idx = new LexicalIndex({ sealDocs: 256, backgroundMerges: false });
          docs.forEach((d, i) => idx.upsert(i + 1, d));
          for (const i of deletes) idx.delete((i % docs.length) + 1);
          for (const k of [1, 3, 10]) {
            for (const text of jobs) same(idx, { text, mode: 'job' }, k);
            same(idx, { text: render(typed), mode: 'query' }, k);
            same(idx, { text: jobs[0]!, mode: 'job' }, k, (id) => id % 3 === 0);
            skipped += idx.search({ text: jobs[0]!, mode: 'job' }, { k }).stats.skippedBlocks ?? 0;
          }
          idx.optimize();
          for (const text of jobs) same(idx, { text, mode: 'job' }, 5);
        },
      ),
      { numRuns: 15 },
    );
    // The pruning paths were exercised, not just the exhaustive-like first phase.
    expect(skipped).toBeGreaterThan(0);
  });
});

/** BM25F computed from the raw documents, for typed queries. */
function reference(docs: Map<number, LexicalDocument>, q: TypedQuery, language: 'en' | 'pt' | undefined, k: number): { id: number; score: number }[] {
  const GAP = '\u0000';
  const fieldsOf = (d: LexicalDocument): string[][] => {
    const join = (vs: string[]) => vs.map((v) => analyze(v, d.language)).filter((t) => t.length).flatMap((t, i) => (i ? [GAP, ...t] : t));
    return [analyze(d.title, d.language), analyze(d.headline ?? '', d.language), analyze(d.summary ?? '', d.language), join(d.skills ?? []), join((d.experience ?? []).map((e) => e.title ?? '')), join((d.experience ?? []).map((e) => e.description ?? ''))];
  };
  const analysed = new Map([...docs].map(([id, d]) => [id, fieldsOf(d)]));
  const N = analysed.size;
  const df = new Map<string, number>();
  const total: number[] = new Array(6).fill(0);
  for (const fs of analysed.values()) {
    for (const t of new Set(fs.flat().filter((t) => t !== GAP))) df.set(t, (df.get(t) ?? 0) + 1);
    fs.forEach((f, i) => (total[i]! += f.filter((t) => t !== GAP).length));
  }
  const variants = (w: string) => analyzeQuery(w, language).map((t) => new Set(t.variants));
  const clauses = q.clauses.map((c) => c.map((ws) => ws.flatMap(variants)).filter((ws) => ws.length)).filter((c) => c.length);
  const excl = q.exclusions.map((ws) => ws.flatMap(variants)).filter((ws) => ws.length);
  const positive = new Set<string>();
  for (const c of clauses) for (const ws of c) for (const v of ws) for (const t of v) positive.add(t);
  if (clauses.length === 0) return [];
  const has = (fs: string[][], seq: Set<string>[]) => fs.some((f) => f.some((_, i) => i + seq.length <= f.length && seq.every((s, j) => s.has(f[i + j]!))));
  const out: { id: number; score: number }[] = [];
  for (const [id, fs] of analysed) {
    if (!clauses.every((c) => c.some((seq) => has(fs, seq)))) continue;
    if (excl.some((seq) => has(fs, seq))) continue;
    let score = 0;
    for (const t of positive) {
      const n = df.get(t) ?? 0;
      if (!n) continue;
      let tt = 0;
      FIELDS.forEach((name, i) => {
        const f = fs[i]!;
        const tf = f.filter((x) => x === t).length;
        const len = f.filter((x) => x !== GAP).length;
        if (tf) tt += (DEFAULT_WEIGHTS[name] * tf) / (1 - DEFAULT_B[name] + (DEFAULT_B[name] * len) / (total[i]! / N));
      });
      if (tt) score += Math.log(1 + (N - n + 0.5) / (n + 0.5)) * ((tt * 2.2) / (tt + 1.2));
    }
    out.push({ id, score });
  }
  return out.sort((a, b) => b.score - a.score || a.id - b.id).slice(0, k);
}

describe('scores equal a from-scratch BM25F over the raw documents', () => {
  it('for typed queries after updates, deletes and merges', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 60 }), fc.array(typedArb, { minLength: 1, maxLength: 5 }), fc.constantFrom<'en' | 'pt' | undefined>(undefined, 'en', 'pt'), (ops, queries, language) => {
        const idx = new LexicalIndex({ sealDocs: 4, mergeFactor: 2, backgroundMerges: false });
        const docs = new Map<number, LexicalDocument>();
        for (const op of ops) apply(idx, docs, op);
        for (const q of queries) {
          const got = idx.search({ text: render(q), mode: 'query', language }, { k: 1000 }).hits;
          const want = reference(docs, q, language, 1000);
          expect(got.map((h) => h.id).sort((a, b) => a - b)).toEqual(want.map((h) => h.id).sort((a, b) => a - b));
          const score = new Map(want.map((h) => [h.id, h.score]));
          for (const h of got) expect(h.score).toBeCloseTo(score.get(h.id)!, 9);
        }
      }),
      { numRuns: 100 },
    );
  });
});
