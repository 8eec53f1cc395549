/**
 * Specialty lookup: a title or a job text (English or Portuguese) → ranked occupations.
 *
 * One round trip per lookup: exact alias matches (btree on the alias_norm primary key) of every
 * title candidate and its spelling variants, plus pg_trgm similarity (`alias_norm % phrase`, GIN
 * trigram index) for the few phrases most likely to be the title. Scoring happens here so the
 * SQL stays simple: exact whole-title matches score 1, variants and partial phrases less, and
 * trigram matches their similarity scaled by how title-like the phrase is.
 */
import type { Queryable } from '@hh/db';
import type { PoolClient } from 'pg';
import { detectLanguage, type Language } from '@hh/text';
import { Lru } from './lru.js';
import { extractTitleCandidates, titleVariants, type TitleCandidate } from './normalize.js';

export type LookupMethod = 'exact' | 'trigram';

export interface SpecialtyMatch {
  occupationId: number;
  title: string;
  source: string;
  code: string;
  lang: Language;
  confidence: number;
  /** The alias that matched, as written in the taxonomy. */
  matched: string;
  method: LookupMethod;
}

export interface LookupOptions {
  limit?: number;
  lang?: Language;
  /** Also run trigram matching when the title matched exactly (slower; adds similar occupations). */
  exhaustive?: boolean;
}

export interface SpecialtyLookup {
  lookup(text: string, opts?: LookupOptions): Promise<SpecialtyMatch[]>;
  /** Drop cached results (after a taxonomy reload). */
  clear(): void;
  readonly cacheSize: number;
}

/** Exact matches on a spelling variant ("enfermeira" → "enfermeiro") score just below the literal. */
const VARIANT_FACTOR = 0.97;
/** A trigram match is never as certain as an exact one. */
const TRIGRAM_CAP = 0.95;
/** Rows per trigram phrase fetched from the index before scoring. */
const TRIGRAM_ROWS = 40;
/** Trigram lookups per text: the whole title, its head, cue phrases of a job text. */
const MAX_TRIGRAM_PHRASES = 6;
const KIND_RANK: Record<string, number> = { title: 0, alternate: 1, reported: 2, synonym: 3 };

interface Phrase {
  text: string;
  group: number;
  /** Confidence an exact match of this phrase earns. */
  exact: number;
  /** Multiplier for trigram similarity; 0 = no trigram lookup for this phrase. */
  trigram: number;
}

interface MatchRow {
  m: 'e' | 't';
  i: number;
  occupation_id: number;
  alias: string;
  alias_lang: Language;
  kind: string;
  sim: number;
  title: string;
  source: string;
  code: string;
  occ_lang: Language;
  title_sim: number;
}

interface Scored extends SpecialtyMatch {
  rank: number[];
}

function phrasesFor(group: number, text: string): Phrase[] {
  const out: Phrase[] = [];
  const cands: TitleCandidate[] = extractTitleCandidates(text);
  let trig = 0;
  for (const c of cands) {
    const variants = titleVariants(c.text);
    variants.forEach((v, k) => out.push({ text: v, group, exact: k === 0 ? c.weight : c.weight * VARIANT_FACTOR, trigram: 0 }));
    // Trigram only where the phrase is probably the title itself: trigram over every n-gram of a
    // job text would be slow and would mostly match noise.
    if (c.weight >= 0.9 && trig < MAX_TRIGRAM_PHRASES && c.text.length >= 3) {
      out.push({ text: c.text, group, exact: 0, trigram: c.weight });
      trig++;
    }
  }
  return out;
}

const MATCH_COLUMNS = `m.m, m.i::int AS i, m.occupation_id, m.alias, m.alias_lang, m.kind, m.sim::float8 AS sim,
       o.title, o.source, o.code, o.lang AS occ_lang, similarity(o.title, m.p)::float8 AS title_sim`;

/** Exact alias matches: the alias_norm primary-key btree, one probe per phrase. */
const EXACT_SQL = `
  SELECT ${MATCH_COLUMNS}
    FROM (SELECT 'e' AS m, q.i, a.occupation_id, a.alias, a.lang AS alias_lang, a.kind, 1::real AS sim, q.p
            FROM unnest($1::text[]) WITH ORDINALITY AS q(p, i)
            JOIN occupation_aliases a ON a.alias_norm = q.p) m
    JOIN occupations o ON o.id = m.occupation_id`;

/** Trigram matches: GIN (gin_trgm_ops) bitmap scan per phrase, best TRIGRAM_ROWS by similarity. */
const TRIGRAM_SQL = `
  SELECT ${MATCH_COLUMNS}
    FROM (SELECT 't' AS m, q.i, t.occupation_id, t.alias, t.lang AS alias_lang, t.kind, t.sim, q.p
            FROM unnest($1::text[]) WITH ORDINALITY AS q(p, i)
            CROSS JOIN LATERAL (
              SELECT a.occupation_id, a.alias, a.lang, a.kind, similarity(a.alias_norm, q.p) AS sim
                FROM occupation_aliases a
               WHERE a.alias_norm % q.p
               ORDER BY sim DESC
               LIMIT ${TRIGRAM_ROWS}) t) m
    JOIN occupations o ON o.id = m.occupation_id`;

export const TRIGRAM_THRESHOLD = 0.4;

interface PoolLike {
  connect(): Promise<PoolClient>;
}

function isPoolClient(db: Queryable): db is PoolClient {
  return typeof (db as Partial<PoolClient>).release === 'function';
}

/**
 * Run `fn` with the trigram threshold set, without leaking the setting: on a Pool in a short
 * transaction with SET LOCAL; on a caller's client (maybe inside its transaction) by setting it
 * for the session and restoring the previous value (a rolled-back transaction restores it too).
 */
async function withTrigramThreshold<T>(db: Queryable, fn: (q: Queryable) => Promise<T>): Promise<T> {
  if (isPoolClient(db)) {
    const { rows } = await db.query<{ old: string | null }>(
      "SELECT current_setting('pg_trgm.similarity_threshold', true) AS old, set_config('pg_trgm.similarity_threshold', $1, false)",
      [String(TRIGRAM_THRESHOLD)],
    );
    try {
      return await fn(db);
    } finally {
      await db
        .query("SELECT set_config('pg_trgm.similarity_threshold', $1, false)", [rows[0]?.old || '0.3'])
        .catch(() => undefined);
    }
  }
  const pool = db as unknown as Partial<PoolLike>;
  if (typeof pool.connect === 'function') {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL pg_trgm.similarity_threshold = ${TRIGRAM_THRESHOLD}`);
      const out = await fn(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
  return fn(db);
}

type Matched = { phrase: Phrase; row: MatchRow };

/**
 * An exact match this good means the title is known: trigram matching would add only neighbours.
 * Reached by a whole title or its variant (1, 0.97) and by a job text's first line or hiring-cue
 * phrase (0.95, 0.9, variants ≥ 0.87) — not by sub-phrases of a title or n-grams of a job text.
 */
const STRONG_EXACT = 0.87;

/**
 * Exact matching for every phrase, then trigram matching for the texts (groups) that have no
 * strong exact match. Titles with a known spelling cost one indexed equality query; typos and
 * job texts add one trigram query.
 */
async function matchPhrases(db: Queryable, phrases: Phrase[], opts: { exhaustive?: boolean } = {}): Promise<Matched[]> {
  const out: Matched[] = [];
  const exact = phrases.filter((p) => p.exact > 0);
  const strong = new Set<number>();
  if (exact.length > 0) {
    const { rows } = await db.query<MatchRow>(EXACT_SQL, [exact.map((p) => p.text)]);
    for (const row of rows) {
      const phrase = exact[row.i - 1];
      if (!phrase) continue;
      out.push({ phrase, row });
      if (phrase.exact >= STRONG_EXACT) strong.add(phrase.group);
    }
  }
  const trigram = phrases.filter((p) => p.trigram > 0 && (opts.exhaustive || !strong.has(p.group)));
  if (trigram.length > 0) {
    const { rows } = await withTrigramThreshold(db, (q) => q.query<MatchRow>(TRIGRAM_SQL, [trigram.map((p) => p.text)]));
    for (const row of rows) {
      const phrase = trigram[row.i - 1];
      if (phrase) out.push({ phrase, row });
    }
  }
  return out;
}

/** Language of a short text when the evidence is clear; undefined on a tie. */
function clearLanguage(text: string): Language | undefined {
  const a = detectLanguage(text, 'en');
  return a === detectLanguage(text, 'pt') ? a : undefined;
}

function sourceRank(source: string, lang: Language | undefined): number {
  if (lang === 'pt') return source === 'cbo' ? 0 : 1;
  if (lang === 'en') return source === 'onet' ? 0 : source === 'esco' ? 1 : 2;
  return 0;
}

/** Best match per occupation, ranked: confidence, then language fit, then how title-like the alias is. */
function rank(matches: Matched[], lang: Language | undefined, limit: number): SpecialtyMatch[] {
  const best = new Map<number, Scored>();
  for (const { phrase, row } of matches) {
    const confidence = row.m === 'e' ? phrase.exact : Math.min(TRIGRAM_CAP, row.sim * phrase.trigram);
    if (confidence <= 0) continue;
    const r = [
      -Math.round(confidence * 1000),
      lang && row.alias_lang !== lang && row.occ_lang !== lang ? 1 : 0,
      sourceRank(row.source, lang),
      KIND_RANK[row.kind] ?? 4,
      -row.title_sim,
      row.occupation_id,
    ];
    const prev = best.get(row.occupation_id);
    if (prev && compare(prev.rank, r) <= 0) continue;
    best.set(row.occupation_id, {
      occupationId: row.occupation_id,
      title: row.title,
      source: row.source,
      code: row.code,
      lang: row.occ_lang,
      confidence: Math.round(confidence * 1000) / 1000,
      matched: row.alias,
      method: row.m === 'e' ? 'exact' : 'trigram',
      rank: r,
    });
  }
  return [...best.values()]
    .sort((a, b) => compare(a.rank, b.rank))
    .slice(0, limit)
    .map(({ rank: _r, ...m }) => m);
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export const MAX_LOOKUP_CHARS = 4_000;

/** Ranked occupations for a text, no caching. */
export async function lookupOccupations(db: Queryable, text: string, opts: LookupOptions = {}): Promise<SpecialtyMatch[]> {
  const limit = Math.max(1, Math.min(opts.limit ?? 10, 100));
  // Titles come first in a job text; the tail only costs time.
  const t = text.slice(0, MAX_LOOKUP_CHARS);
  if (!t.trim()) return [];
  const matches = await matchPhrases(db, phrasesFor(0, t), { exhaustive: opts.exhaustive });
  return rank(matches, opts.lang ?? clearLanguage(t), limit);
}

/** Lookup with an in-process LRU of results (hh-search adds a shared Redis cache on top). */
export function createSpecialtyLookup(db: Queryable, opts: { cacheSize?: number } = {}): SpecialtyLookup {
  const cache = new Lru<string, SpecialtyMatch[]>(opts.cacheSize ?? 5_000);
  return {
    async lookup(text, o = {}) {
      const key = `${o.lang ?? ''}\u0000${o.limit ?? 10}\u0000${o.exhaustive ? 1 : 0}\u0000${text.slice(0, MAX_LOOKUP_CHARS)}`;
      const hit = cache.get(key);
      if (hit) return hit.map((m) => ({ ...m }));
      const res = await lookupOccupations(db, text, o);
      cache.set(key, res);
      return res.map((m) => ({ ...m }));
    },
    clear: () => cache.clear(),
    get cacheSize() {
      return cache.size;
    },
  };
}

/** Ingest-time selection: matches at least this confident, and not far below the best one. */
export const INGEST_MIN_CONFIDENCE = 0.5;
const INGEST_MAX_GAP = 0.25;
export const INGEST_MAX_IDS = 5;

function pickIds(matches: SpecialtyMatch[]): number[] {
  const top = matches[0]?.confidence ?? 0;
  return matches
    .filter((m) => m.confidence >= INGEST_MIN_CONFIDENCE && m.confidence >= top - INGEST_MAX_GAP)
    .slice(0, INGEST_MAX_IDS)
    .map((m) => m.occupationId)
    .sort((a, b) => a - b);
}

export type OccupationResolver = (db: Queryable, titles: string[], langs: Array<Language | undefined>) => Promise<number[][]>;

/**
 * A resolver with its own LRU of (language, title) → ids. The module-level
 * `occupationsForTitles` shares one; make your own when a process talks to several databases
 * whose taxonomies may differ.
 */
export function createOccupationResolver(opts: { cacheSize?: number } = {}): OccupationResolver & { clear(): void } {
  const cache = new Lru<string, number[]>(opts.cacheSize ?? 20_000);
  const fn = (db: Queryable, titles: string[], langs: Array<Language | undefined>) => resolveTitles(db, titles, langs, cache);
  return Object.assign(fn, { clear: () => cache.clear() });
}

async function resolveTitles(db: Queryable, titles: string[], langs: Array<Language | undefined>, ingestCache: Lru<string, number[]>): Promise<number[][]> {
  const out: number[][] = new Array<number[]>(titles.length);
  const pending = new Map<string, { title: string; lang: Language | undefined; slots: number[] }>();
  titles.forEach((raw, i) => {
    const title = raw.slice(0, 300);
    const lang = langs[i];
    const key = `${lang ?? ''}\u0000${title}`;
    const hit = ingestCache.get(key);
    if (hit) out[i] = [...hit];
    else if (!title.trim()) out[i] = [];
    else {
      const p = pending.get(key);
      if (p) p.slots.push(i);
      else pending.set(key, { title, lang, slots: [i] });
    }
  });
  if (pending.size > 0) {
    const groups = [...pending.entries()];
    const phrases = groups.flatMap(([, g], gi) => phrasesFor(gi, g.title));
    const matches = await matchPhrases(db, phrases);
    const byGroup = new Map<number, Matched[]>();
    for (const m of matches) {
      const list = byGroup.get(m.phrase.group);
      if (list) list.push(m);
      else byGroup.set(m.phrase.group, [m]);
    }
    groups.forEach(([key, g], gi) => {
      const ids = pickIds(rank(byGroup.get(gi) ?? [], g.lang, INGEST_MAX_IDS * 4));
      ingestCache.set(key, ids);
      for (const slot of g.slots) out[slot] = [...ids];
    });
  }
  return out;
}

const shared = createOccupationResolver();

/**
 * Occupation ids for many candidate titles: one query per batch (exact + trigram matching for
 * every title not already cached). Accepts a Pool or a PoolClient so callers can run it inside
 * their upsert transaction. Results are cached per (language, title) in-process; the taxonomy
 * changes only with a release, and `clearOccupationCache()` drops the cache after a reload.
 */
export function occupationsForTitles(db: Queryable, titles: string[], langs: Array<Language | undefined>): Promise<number[][]> {
  return shared(db, titles, langs);
}

/** Occupation ids for one candidate title (see occupationsForTitles). */
export async function occupationsForTitle(db: Queryable, title: string, lang?: Language): Promise<number[]> {
  const [ids = []] = await occupationsForTitles(db, [title], [lang]);
  return ids;
}

export function clearOccupationCache(): void {
  shared.clear();
}
