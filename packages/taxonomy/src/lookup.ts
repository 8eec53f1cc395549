/**
 * Specialty lookup: a title or a job text (English or Portuguese) → ranked occupations.
 *
 * createSpecialtyLookup() and occupationsForTitles() match against an in-process copy of the alias
 * table (see alias-index.ts): exact matches of every title candidate and its spelling variants are
 * Map lookups, and the typo fallback (only when no strong exact match exists) is a trigram count
 * that reproduces pg_trgm's `alias_norm % phrase` and similarity() — no SQL per lookup.
 * `lookupOccupations()` without an index is the all-SQL path (btree equality on alias_norm, then
 * one GIN trigram statement for all fallback phrases) for one-off callers and for when the copy
 * cannot be loaded. Scoring happens here either way: exact whole-title matches score 1, variants
 * and partial phrases less, and trigram matches their similarity scaled by how title-like the
 * phrase is.
 */
import type { Queryable } from '@hh/db';
import type { PoolClient } from 'pg';
import { detectLanguage, type Language } from '@hh/text';
import { Lru } from './lru.js';
import { loadAliasIndex, taxonomyFingerprint, titleTrigrams, trigramSet, trigramSimilarity, type AliasIndex, type IndexedAlias } from './alias-index.js';
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
  /**
   * Load the in-memory alias index now (lookups otherwise load it on first use), or reload it if
   * taxonomy_meta changed. Resolves to the index's figures.
   */
  warm(): Promise<AliasIndexStats>;
  /** Figures of the loaded index; undefined before the first load. */
  readonly index: AliasIndexStats | undefined;
}

export interface AliasIndexStats {
  fingerprint: string;
  occupations: number;
  aliases: number;
  distinctAliases: number;
  /** (trigram, alias) pairs in the trigram index. */
  trigramPostings: number;
  loadMs: number;
}

export interface SpecialtyLookupOptions {
  /** Entries in the result LRU (0 = no result cache). Default 5,000. */
  cacheSize?: number;
  /**
   * How often (ms) a lookup may check taxonomy_meta for a reload, in the background. 0 = check
   * (and load) before every uncached lookup, waiting for it: one small query per lookup, for tests
   * and tools. Default 30,000.
   */
  refreshMs?: number;
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
async function matchPhrases(db: Queryable, phrases: Phrase[], opts: { exhaustive?: boolean; index?: AliasIndex | undefined } = {}): Promise<Matched[]> {
  const out: Matched[] = [];
  const exact = phrases.filter((p) => p.exact > 0);
  const strong = new Set<number>();
  if (exact.length > 0) {
    const rows = opts.index ? exactFromIndex(opts.index, exact) : (await db.query<MatchRow>(EXACT_SQL, [exact.map((p) => p.text)])).rows;
    for (const row of rows) {
      const phrase = exact[row.i - 1];
      if (!phrase) continue;
      out.push({ phrase, row });
      if (phrase.exact >= STRONG_EXACT) strong.add(phrase.group);
    }
  }
  const trigram = phrases.filter((p) => p.trigram > 0 && (opts.exhaustive || !strong.has(p.group)));
  if (trigram.length > 0) {
    const rows = opts.index ? trigramFromIndex(opts.index, trigram) : await trigramRows(db, trigram.map((p) => p.text));
    for (const row of rows) {
      const phrase = trigram[row.i - 1];
      if (phrase) out.push({ phrase, row });
    }
  }
  return out;
}

/** One MatchRow for an alias-index hit, shaped like the SQL queries' rows. */
function rowFromHit(m: 'e' | 't', i: number, h: IndexedAlias, sim: number, pTri: Set<string>): MatchRow {
  return {
    m, i, occupation_id: h.occ.id, alias: h.alias, alias_lang: h.lang, kind: h.kind, sim,
    title: h.occ.title, source: h.occ.source, code: h.occ.code, occ_lang: h.occ.lang,
    title_sim: trigramSimilarity(titleTrigrams(h.occ), pTri),
  };
}

/** EXACT_SQL's rows, from memory: `i` is the 1-based phrase position, title_sim as pg_trgm computes it. */
function exactFromIndex(index: AliasIndex, phrases: Phrase[]): MatchRow[] {
  const rows: MatchRow[] = [];
  phrases.forEach((p, k) => {
    const hits = index.byNorm.get(p.text);
    if (!hits) return;
    const pTri = trigramSet(p.text);
    for (const h of hits) rows.push(rowFromHit('e', k + 1, h, 1, pTri));
  });
  return rows;
}

/** TRIGRAM_SQL's rows, from memory: the best TRIGRAM_ROWS (alias, occupation) rows per phrase. */
function trigramFromIndex(index: AliasIndex, phrases: Phrase[]): MatchRow[] {
  const rows: MatchRow[] = [];
  phrases.forEach((p, k) => {
    const pTri = trigramSet(p.text);
    let n = 0;
    for (const { norm, sim } of index.trigram.search(p.text, TRIGRAM_THRESHOLD)) {
      for (const h of index.byNorm.get(norm) ?? []) {
        if (n++ >= TRIGRAM_ROWS) return;
        rows.push(rowFromHit('t', k + 1, h, sim, pTri));
      }
    }
  });
  return rows;
}

/** A phrase as an SQL literal. Phrases are normalizeAlias() output; anything else is dropped first. */
function sqlLiteral(p: string): string {
  return `'${p.replace(/[^\p{L}\p{N}+#. ]/gu, '').replace(/'/g, "''")}'`;
}

/**
 * The trigram query with the 0.4 threshold. On a Pool: one round trip — a multi-statement simple
 * query (BEGIN; SET LOCAL; SELECT; COMMIT) with the phrases inlined as literals, since the
 * extended protocol allows one statement per message and the SET must not leak into the pooled
 * session (pg-pool discards a client whose query failed, so an aborted transaction cannot leak
 * either). On a caller's client: set and restore around the query (withTrigramThreshold).
 */
async function trigramRows(db: Queryable, phrases: string[]): Promise<MatchRow[]> {
  if (isPoolClient(db)) {
    return (await withTrigramThreshold(db, (q) => q.query<MatchRow>(TRIGRAM_SQL, [phrases]))).rows;
  }
  const arr = `ARRAY[${phrases.map(sqlLiteral).join(',')}]::text[]`;
  const sql = `BEGIN; SET LOCAL pg_trgm.similarity_threshold = ${TRIGRAM_THRESHOLD}; ${TRIGRAM_SQL.replace('$1::text[]', arr)}; COMMIT`;
  const res = (await db.query(sql)) as unknown as Array<{ rows: MatchRow[] }> | { rows: MatchRow[] };
  return Array.isArray(res) ? (res[2]?.rows ?? []) : res.rows;
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

/**
 * Ranked occupations for a text, no caching. Without an index the exact matches come from SQL
 * (one indexed equality query); createSpecialtyLookup() passes its in-memory index.
 */
export async function lookupOccupations(db: Queryable, text: string, opts: LookupOptions = {}, index?: AliasIndex): Promise<SpecialtyMatch[]> {
  const limit = Math.max(1, Math.min(opts.limit ?? 10, 100));
  // Titles come first in a job text; the tail only costs time.
  const t = text.slice(0, MAX_LOOKUP_CHARS);
  if (!t.trim()) return [];
  const matches = await matchPhrases(db, phrasesFor(0, t), { exhaustive: opts.exhaustive, index });
  return rank(matches, opts.lang ?? clearLanguage(t), limit);
}

/** How soon a failed first load of the alias index is retried. */
const LOAD_RETRY_MS = 5_000;

function statsOf(index: AliasIndex): AliasIndexStats {
  return { fingerprint: index.fingerprint, occupations: index.occupations, aliases: index.aliases, distinctAliases: index.byNorm.size, trigramPostings: index.trigram.size, loadMs: index.loadMs };
}

/**
 * Lookup with an in-memory alias index and an in-process LRU of results (hh-search adds a shared
 * Redis cache on top). The first lookup starts loading the index in the background (~1–4 s; one
 * load at a time) and, like every lookup until it is complete, takes the SQL path; `warm()` loads
 * it up front. Every `refreshMs` a lookup starts a background check of taxonomy_meta and, when it
 * changed, a reload — lookups keep using the old index until the new one is complete, then the
 * result LRU is dropped. A failed load (database down) is retried 5 s later; a failed check keeps
 * the old index. The loaded copy is shared with occupationsForTitles() for the same taxonomy.
 */
export function createSpecialtyLookup(db: Queryable, opts: SpecialtyLookupOptions = {}): SpecialtyLookup {
  const cache = new Lru<string, SpecialtyMatch[]>(opts.cacheSize ?? 5_000);
  const refreshMs = opts.refreshMs ?? 30_000;
  let index: AliasIndex | undefined;
  let loading: Promise<AliasIndex> | undefined;
  let checking: Promise<void> | undefined;
  let checkedAt = -Infinity;

  const load = (): Promise<AliasIndex> => {
    loading ??= loadAliasIndex(db)
      .then((next) => {
        if (index && index.fingerprint !== next.fingerprint) cache.clear();
        index = next;
        shareWithIngest(next);
        return next;
      })
      .finally(() => {
        checkedAt = performance.now();
        loading = undefined;
      });
    return loading;
  };
  /** Reload when taxonomy_meta no longer matches the loaded index (or the one being loaded). */
  const check = (): Promise<void> => {
    checking ??= (async () => {
      const fp = await taxonomyFingerprint(db);
      checkedAt = performance.now();
      if (loading) await loading.catch(() => undefined);
      if (fp !== index?.fingerprint) await load();
    })().finally(() => {
      checking = undefined;
    });
    return checking;
  };
  const current = async (): Promise<AliasIndex | undefined> => {
    if (refreshMs === 0) {
      // Consistent mode: every uncached lookup sees taxonomy_meta as it is now.
      try {
        if (!index) await load();
        else await check();
      } catch {
        // Database unreachable: the last good copy (or the SQL path, which reports the error).
      }
      return index;
    }
    const due = performance.now() - checkedAt >= (index ? refreshMs : Math.min(refreshMs, LOAD_RETRY_MS));
    if (due && !loading && !checking) {
      // Background: a search never waits for a load or a check (until the first load completes,
      // lookups take the SQL path, as fast as before the index existed); failures retry later.
      checkedAt = performance.now();
      void (index ? check() : load()).catch(() => undefined);
    }
    return index;
  };

  return {
    async lookup(text, o = {}) {
      const key = `${o.lang ?? ''}\u0000${o.limit ?? 10}\u0000${o.exhaustive ? 1 : 0}\u0000${text.slice(0, MAX_LOOKUP_CHARS)}`;
      const hit = cache.get(key);
      if (hit) return hit.map((m) => ({ ...m }));
      const idx = await current();
      const res = await lookupOccupations(db, text, o, idx);
      cache.set(key, res);
      return res.map((m) => ({ ...m }));
    },
    clear: () => cache.clear(),
    get cacheSize() {
      return cache.size;
    },
    async warm() {
      if (!index) await load();
      else await check();
      return statsOf(index ?? (await load()));
    },
    get index() {
      return index ? statsOf(index) : undefined;
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

/**
 * Alias indexes for the ingest path, by taxonomy fingerprint. occupationsForTitles() gets a
 * different db handle (a client of the caller's transaction) on every batch, so the index is keyed
 * by what it contains rather than by handle: one small query per batch reads taxonomy_meta, and a
 * database cloned from the same template (same version and loaded_at) shares the copy. Two entries
 * cover a reload in progress; older ones are dropped.
 */
const ingestIndexes = new Map<string, Promise<AliasIndex>>();
const MAX_INGEST_INDEXES = 2;

/** A specialty lookup's copy serves the ingest path of the same database too (one copy in memory). */
function shareWithIngest(index: AliasIndex): void {
  if (ingestIndexes.has(index.fingerprint)) return;
  ingestIndexes.set(index.fingerprint, Promise.resolve(index));
  trimIngestIndexes();
}

function trimIngestIndexes(): void {
  while (ingestIndexes.size > MAX_INGEST_INDEXES) {
    const oldest = ingestIndexes.keys().next();
    if (oldest.done) break;
    ingestIndexes.delete(oldest.value);
  }
}

async function ingestIndex(db: Queryable): Promise<AliasIndex> {
  const fp = await taxonomyFingerprint(db);
  let p = ingestIndexes.get(fp);
  if (!p) {
    p = loadAliasIndex(db);
    ingestIndexes.set(fp, p);
    // A failed load must not stay cached.
    void p.catch(() => ingestIndexes.delete(fp));
    trimIngestIndexes();
  }
  const index = await p;
  // Loaded on a client in a concurrent reload's READ COMMITTED window, the copy may be newer than
  // the fingerprint read just before; it then lives under the new fingerprint too.
  if (index.fingerprint !== fp && !ingestIndexes.has(index.fingerprint)) ingestIndexes.set(index.fingerprint, p);
  return index;
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
    const matches = await matchPhrases(db, phrases, { index: await ingestIndex(db) });
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
