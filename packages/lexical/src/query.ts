/**
 * Query plans. A job description becomes an OR of its highest-weight terms (query tf × idf, at
 * most `maxJobTerms`). A typed query keeps its semantics: every word is required (a word matches
 * through any of its variant stems), "quoted phrases" need consecutive tokens in one field,
 * -word / -"phrase" exclude, and OR between two items makes either satisfy the clause. Both
 * score a matching document by the BM25F sum over all positive terms it contains.
 */
import { analyzeQuery, type QueryToken } from './analyzer.js';
import type { Language } from './fields.js';

export interface SearchQuery {
  text: string;
  mode: 'job' | 'query';
  language?: Language;
  /** A job description keeps at most this many terms (default: the index's `maxJobTerms`). */
  maxTerms?: number;
}

export interface PlanTerm {
  termId: number;
  text: string;
  /** idf × query weight: a document's contribution is idfw × saturated BM25F tf. */
  idfw: number;
}

/** A word as an index into plan.terms per known variant; ids holds the same as term ids. */
export interface PlanWord {
  surface: string;
  tis: number[];
  ids: Set<number>;
}

export type Operand = { kind: 'word'; word: PlanWord } | { kind: 'phrase'; words: PlanWord[] };

export interface Clause {
  ops: Operand[];
  /** Scoring-term indexes any match of the clause must contain one of (for skipping). */
  tis: number[];
  /** True when only a phrase check (forward store) can decide the clause. */
  needsPhrase: boolean;
}

export interface Plan {
  terms: PlanTerm[];
  clauses: Clause[];
  exclusions: Operand[];
  /** Surfaces for explanations. */
  words: PlanWord[];
  /** Nothing can match (a required word is unknown, or no positive term). */
  empty: boolean;
  needsForward: boolean;
}

export interface TermStats {
  termId(text: string): number | undefined;
  df(termId: number): number;
  /** Live documents. */
  N: number;
}

export function idf(N: number, df: number): number {
  return Math.log(1 + (N - df + 0.5) / (df + 0.5));
}

class PlanBuilder {
  readonly terms: PlanTerm[] = [];
  private readonly index = new Map<number, number>();
  constructor(private readonly stats: TermStats) {}

  word(t: QueryToken, scoring: boolean): PlanWord {
    const w: PlanWord = { surface: t.surface, tis: [], ids: new Set() };
    for (const v of t.variants) {
      const id = this.stats.termId(v);
      if (id === undefined || this.stats.df(id) === 0) continue;
      w.ids.add(id);
      if (!scoring) continue;
      let ti = this.index.get(id);
      if (ti === undefined) {
        ti = this.terms.length;
        this.index.set(id, ti);
        this.terms.push({ termId: id, text: v, idfw: idf(this.stats.N, this.stats.df(id)) });
      }
      w.tis.push(ti);
    }
    return w;
  }
}

export function jobPlan(text: string, language: Language | undefined, stats: TermStats, maxTerms: number): Plan {
  const counts = new Map<string, { n: number; first: number; surface: string }>();
  analyzeQuery(text, language).forEach((t, i) => {
    // Bare numbers ("5+ years", "2024") say little about a candidate.
    if (/^\d+$/.test(t.variants[0]!)) return;
    for (const v of t.variants) {
      const c = counts.get(v);
      if (c) c.n++;
      else counts.set(v, { n: 1, first: i, surface: t.surface });
    }
  });
  const scored: { text: string; termId: number; w: number; n: number; first: number; surface: string }[] = [];
  for (const [text, c] of counts) {
    const id = stats.termId(text);
    if (id === undefined) continue;
    const df = stats.df(id);
    if (df === 0) continue;
    scored.push({ text, termId: id, w: c.n * idf(stats.N, df), n: c.n, first: c.first, surface: c.surface });
  }
  scored.sort((a, b) => b.w - a.w || a.first - b.first || (a.text < b.text ? -1 : 1));
  const kept = scored.slice(0, maxTerms);
  const terms: PlanTerm[] = kept.map((s) => ({ termId: s.termId, text: s.text, idfw: (1 + Math.log(s.n)) * idf(stats.N, stats.df(s.termId)) }));
  const bySurface = new Map<string, PlanWord>();
  kept.forEach((s, ti) => {
    let w = bySurface.get(s.surface);
    if (!w) bySurface.set(s.surface, (w = { surface: s.surface, tis: [], ids: new Set() }));
    w.tis.push(ti);
    w.ids.add(s.termId);
  });
  return { terms, clauses: [], exclusions: [], words: [...bySurface.values()], empty: terms.length === 0, needsForward: false };
}

interface Item {
  neg: boolean;
  tokens: QueryToken[];
  quoted: boolean;
}

/** Splits typed text into items and OR markers: -"a b", "a b", -word, word, OR. */
function lex(text: string, language: Language | undefined): (Item | 'OR')[] {
  const out: (Item | 'OR')[] = [];
  for (const m of text.matchAll(/(-?)"([^"]*)"?|(\S+)/g)) {
    if (m[3] !== undefined) {
      const raw = m[3];
      if (raw === 'OR' || raw === 'or' || raw === '|') {
        out.push('OR');
        continue;
      }
      const neg = raw.length > 1 && raw[0] === '-';
      const tokens = analyzeQuery(neg ? raw.slice(1) : raw, language);
      if (tokens.length) out.push({ neg, tokens, quoted: false });
    } else {
      const tokens = analyzeQuery(m[2] ?? '', language);
      if (tokens.length) out.push({ neg: m[1] === '-', tokens, quoted: true });
    }
  }
  return out;
}

export function typedPlan(text: string, language: Language | undefined, stats: TermStats): Plan {
  const b = new PlanBuilder(stats);
  const clauses: Clause[] = [];
  const exclusions: Operand[] = [];
  const words: PlanWord[] = [];
  const items = lex(text, language);
  let pendingOr = false;
  let needsForward = false;
  for (const it of items) {
    if (it === 'OR') {
      pendingOr = clauses.length > 0;
      continue;
    }
    const pw = it.tokens.map((t) => b.word(t, !it.neg));
    // One word is a word; several (a quoted phrase, or "front-end" split in two) are a phrase.
    const op: Operand = pw.length === 1 ? { kind: 'word', word: pw[0]! } : { kind: 'phrase', words: pw };
    if (it.neg) {
      exclusions.push(op);
      needsForward = true;
      pendingOr = false;
      continue;
    }
    words.push(...pw);
    if (pendingOr) clauses[clauses.length - 1]!.ops.push(op);
    else clauses.push({ ops: [op], tis: [], needsPhrase: false });
    pendingOr = false;
  }
  let empty = b.terms.length === 0;
  for (const c of clauses) {
    const tis = new Set<number>();
    let alive = false;
    let wordOp = false;
    for (const op of c.ops) {
      const ws = op.kind === 'word' ? [op.word] : op.words;
      if (ws.some((w) => w.tis.length === 0)) continue; // an unknown word: this operand never matches
      alive = true;
      if (op.kind === 'word') wordOp = true;
      for (const w of ws) for (const ti of w.tis) tis.add(ti);
    }
    if (!alive) empty = true;
    c.tis = [...tis];
    c.needsPhrase = !wordOp;
    if (c.ops.some((o) => o.kind === 'phrase')) needsForward = true;
  }
  return { terms: b.terms, clauses, exclusions, words, empty, needsForward };
}

export function buildPlan(q: SearchQuery, stats: TermStats, maxJobTerms: number): Plan {
  if (q.mode === 'job') return jobPlan(q.text, q.language, stats, maxJobTerms);
  if (q.mode === 'query') return typedPlan(q.text, q.language, stats);
  throw new TypeError(`lexical: unknown query mode ${JSON.stringify((q as { mode: unknown }).mode)}`);
}
