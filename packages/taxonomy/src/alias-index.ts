/**
 * In-process copy of the alias table (alias_norm → occupations) so exact matching — the common
 * case for titles and job texts — is a few Map lookups instead of SQL round trips. The table is
 * ~100k rows and changes only when the loader runs, which always rewrites taxonomy_meta in the
 * same transaction; taxonomy_meta's rows are therefore the fingerprint that says when a copy is
 * stale.
 */
import type { Queryable } from '@hh/db';
import type { PoolClient } from 'pg';
import type { Language } from '@hh/text';

export interface IndexedOccupation {
  id: number;
  title: string;
  source: string;
  code: string;
  lang: Language;
  /** pg_trgm-style trigrams of the title, computed on first use (ranking tie-break). */
  trigrams?: Set<string>;
}

export interface IndexedAlias {
  occ: IndexedOccupation;
  alias: string;
  lang: Language;
  kind: string;
}

export interface AliasIndex {
  /** taxonomy_meta rows at load time (version + loaded_at). */
  readonly fingerprint: string;
  readonly byNorm: ReadonlyMap<string, readonly IndexedAlias[]>;
  /** pg_trgm's `alias_norm % phrase` over the same aliases, in memory. */
  readonly trigram: TrigramIndex;
  readonly occupations: number;
  readonly aliases: number;
  readonly loadMs: number;
}

/**
 * Every taxonomy_meta row: a load (forced or not) rewrites `loaded_at`, so two databases cloned from
 * one template share a fingerprint only while their taxonomies are identical.
 */
export const FINGERPRINT_SQL = `SELECT coalesce(string_agg(key || '=' || value, ';' ORDER BY key), '') AS v FROM taxonomy_meta`;

export async function taxonomyFingerprint(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ v: string }>(FINGERPRINT_SQL);
  return rows[0]?.v ?? '';
}

function isPoolClient(db: Queryable): db is PoolClient {
  return typeof (db as Partial<PoolClient>).release === 'function';
}

interface OccRow {
  id: number;
  title: string;
  source: string;
  code: string;
  lang: Language;
}
interface AliasRow {
  n: string;
  o: number;
  a: string;
  l: Language;
  k: string;
}

async function readAll(q: Queryable): Promise<{ fingerprint: string; occs: OccRow[]; aliases: AliasRow[] }> {
  const fingerprint = await taxonomyFingerprint(q);
  const occs = (await q.query<OccRow>('SELECT id, title, source, code, lang FROM occupations')).rows;
  // rank() decides the order of results; sorting here only keeps `matched` deterministic when two
  // aliases of one occupation tie.
  // Pages in primary-key order (keyset on (alias_norm, occupation_id)), arrays rather than row
  // objects: parsing 100k rows in one result blocked the event loop for 100–200 ms at a time.
  const aliases: AliasRow[] = [];
  let after: [string, number] | undefined;
  for (;;) {
    const { rows } = await q.query<[string, number, string, Language, string]>({
      text: `SELECT alias_norm, occupation_id, alias, lang, kind FROM occupation_aliases
              ${after ? 'WHERE (alias_norm, occupation_id) > ($1, $2)' : ''}
              ORDER BY alias_norm, occupation_id LIMIT ${ALIAS_PAGE}`,
      values: after ?? [],
      rowMode: 'array',
    });
    for (const [n, o, a, l, k] of rows) aliases.push({ n, o, a, l, k });
    const last = rows[rows.length - 1];
    if (!last || rows.length < ALIAS_PAGE) break;
    after = [last[0], last[1]];
    await yieldToEventLoop();
  }
  return { fingerprint, occs, aliases };
}

/**
 * Building the copy takes ~1 s of CPU; a service builds it while serving requests, so the work is
 * cut into slices of this many aliases (a few ms each) with the event loop let in between —
 * otherwise a search's other branches (HTTP calls with deadlines) would time out meanwhile.
 */
const YIELD_EVERY = 2_000;
const ALIAS_PAGE = 5_000;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Read the whole taxonomy into memory. On a Pool the three reads share one REPEATABLE READ
 * snapshot, so the fingerprint describes exactly the rows read even if a reload commits meanwhile.
 * On a caller's client the reads run in whatever transaction it has open.
 */
export async function loadAliasIndex(db: Queryable): Promise<AliasIndex> {
  const t0 = performance.now();
  let data: Awaited<ReturnType<typeof readAll>>;
  const pool = db as Partial<{ connect(): Promise<PoolClient> }>;
  if (!isPoolClient(db) && typeof pool.connect === 'function') {
    const client = await pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      data = await readAll(client);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  } else {
    data = await readAll(db);
  }
  const occs = new Map<number, IndexedOccupation>();
  for (const r of data.occs) occs.set(r.id, { id: r.id, title: r.title, source: r.source, code: r.code, lang: r.lang });
  const byNorm = new Map<string, IndexedAlias[]>();
  let aliases = 0;
  let rowNo = 0;
  for (const r of data.aliases) {
    if (++rowNo % YIELD_EVERY === 0) await yieldToEventLoop();
    const occ = occs.get(r.o);
    if (!occ) continue;
    const entry: IndexedAlias = { occ, alias: r.a, lang: r.l, kind: r.k };
    const list = byNorm.get(r.n);
    if (list) list.push(entry);
    else byNorm.set(r.n, [entry]);
    aliases++;
  }
  const trigram = await TrigramIndex.build([...byNorm.keys()]);
  return { fingerprint: data.fingerprint, byNorm, trigram, occupations: occs.size, aliases, loadMs: performance.now() - t0 };
}

/**
 * Trigrams as pg_trgm builds them (default build: alphanumeric words, lower-cased, two spaces of
 * padding before each word and one after), so the in-memory title tie-break ranks like
 * `similarity()` did in SQL.
 */
export function trigramSet(text: string): Set<string> {
  const out = new Set<string>();
  for (const word of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (!word) continue;
    const padded = `  ${word} `;
    if (!/[\uD800-\uDFFF]/.test(padded)) {
      // The common case (folded aliases are ASCII): UTF-16 units are characters.
      for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.substring(i, i + 3));
      continue;
    }
    const chars = [...padded];
    for (let i = 0; i + 3 <= chars.length; i++) out.add(`${chars[i]}${chars[i + 1]}${chars[i + 2]}`);
  }
  return out;
}

export function trigramSimilarity(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const t of small) if (large.has(t)) shared++;
  return similarityOf(shared, a.size, b.size);
}

export function titleTrigrams(occ: IndexedOccupation): Set<string> {
  occ.trigrams ??= trigramSet(occ.title);
  return occ.trigrams;
}

/** pg_trgm computes similarity in float4; rounding the same way keeps `>= threshold` decisions identical at the boundary. */
function similarityOf(shared: number, a: number, b: number): number {
  return Math.fround(shared / (a + b - shared));
}

/**
 * An inverted index trigram → aliases (CSR layout: one offsets array, one postings array), so
 * `similarity(alias_norm, phrase) >= threshold` is a count over the phrase's posting lists —
 * what the GIN index + recheck did in Postgres, without the round trips (~0.1–1 ms per phrase
 * instead of 5–30 ms per query on this machine).
 */
export class TrigramIndex {
  /** Per-alias shared-trigram counters, reset after every search (searches are synchronous). */
  private readonly counts: Uint16Array;

  private constructor(
    private readonly norms: readonly string[],
    private readonly ids: Map<string, number>,
    private readonly offsets: Int32Array,
    private readonly postings: Int32Array,
    private readonly sizes: Uint16Array,
  ) {
    this.counts = new Uint16Array(norms.length);
  }

  /**
   * One pass collecting (alias, trigram id) pairs, then a counting sort into CSR: no per-alias Set
   * survives the loop (the build is ~2M pairs). Yields to the event loop every YIELD_EVERY aliases.
   */
  static async build(norms: readonly string[]): Promise<TrigramIndex> {
    const ids = new Map<string, number>();
    const sizes = new Uint16Array(norms.length);
    const perTrigram: number[] = [];
    // Typed arrays (off the GC heap, grown by doubling): two 2M-element JS arrays made the final
    // garbage collection of a build pause the event loop for 100–300 ms.
    let pairAlias = new Int32Array(1 << 16);
    let pairTrigram = new Int32Array(1 << 16);
    let pairs = 0;
    for (let alias = 0; alias < norms.length; alias++) {
      if (alias > 0 && alias % YIELD_EVERY === 0) await yieldToEventLoop();
      const set = trigramSet(norms[alias] ?? '');
      sizes[alias] = Math.min(set.size, 65_535);
      for (const t of set) {
        let id = ids.get(t);
        if (id === undefined) {
          id = perTrigram.length;
          ids.set(t, id);
          perTrigram.push(0);
        }
        perTrigram[id] = (perTrigram[id] ?? 0) + 1;
        if (pairs === pairAlias.length) {
          const grownA = new Int32Array(pairs * 2);
          grownA.set(pairAlias);
          pairAlias = grownA;
          const grownT = new Int32Array(pairs * 2);
          grownT.set(pairTrigram);
          pairTrigram = grownT;
        }
        pairAlias[pairs] = alias;
        pairTrigram[pairs] = id;
        pairs++;
      }
    }
    const offsets = new Int32Array(perTrigram.length + 1);
    for (let i = 0; i < perTrigram.length; i++) offsets[i + 1] = (offsets[i] ?? 0) + (perTrigram[i] ?? 0);
    const postings = new Int32Array(pairs);
    const fill = offsets.slice(0, perTrigram.length);
    // Pairs are in alias order, so every list comes out sorted by alias (search() relies on it).
    for (let k = 0; k < pairs; k++) {
      if (k > 0 && k % (YIELD_EVERY * 20) === 0) await yieldToEventLoop();
      const id = pairTrigram[k] ?? 0;
      postings[fill[id] ?? 0] = pairAlias[k] ?? 0;
      fill[id] = (fill[id] ?? 0) + 1;
    }
    return new TrigramIndex(norms, ids, offsets, postings, sizes);
  }

  /** Number of (trigram, alias) postings; for the README's memory figure. */
  get size(): number {
    return this.postings.length;
  }

  /**
   * Aliases with similarity(alias, phrase) >= threshold, best first (ties by alias, so the result
   * is deterministic where Postgres' heap order was not).
   *
   * Counting every posting of a phrase's trigrams costs ~10 ms for "softwre developer" (" de",
   * "er " occur in tens of thousands of aliases), so candidates come only from the rarest lists
   * (prefix filtering): with q query trigrams, an alias of similarity ≥ t shares at least
   * ⌊t·q⌋ of them, so it appears in at least one of the q − ⌊t·q⌋ + 1 rarest lists (and has
   * t·q ≤ n ≤ q/t trigrams itself). The common lists then only complete those candidates' counts.
   */
  search(phrase: string, threshold: number): Array<{ norm: string; sim: number }> {
    const q = trigramSet(phrase);
    if (q.size === 0 || threshold <= 0) return [];
    const { counts, offsets, postings, sizes } = this;
    const lists: Array<[number, number]> = [];
    for (const t of q) {
      const id = this.ids.get(t);
      lists.push(id === undefined ? [0, 0] : [offsets[id] ?? 0, offsets[id + 1] ?? 0]);
    }
    lists.sort((a, b) => a[1] - a[0] - (b[1] - b[0]));
    const minShared = Math.max(1, Math.floor(threshold * q.size));
    const prefix = q.size - minShared + 1;
    const minLen = Math.floor(threshold * q.size);
    const maxLen = Math.ceil(q.size / threshold);
    const touched: number[] = [];
    for (let l = 0; l < prefix && l < lists.length; l++) {
      const [from, to] = lists[l] ?? [0, 0];
      for (let k = from; k < to; k++) {
        const alias = postings[k] ?? 0;
        const n = sizes[alias] ?? 0;
        if (n < minLen || n > maxLen) continue;
        if ((counts[alias] = (counts[alias] ?? 0) + 1) === 1) touched.push(alias);
      }
    }
    // The common lists only add to candidates' counts: scan a list when it is short next to the
    // candidate set, otherwise binary-search it per candidate.
    for (let l = prefix; l < lists.length; l++) {
      const [from, to] = lists[l] ?? [0, 0];
      if (to - from <= touched.length * 16) {
        for (let k = from; k < to; k++) {
          const alias = postings[k] ?? 0;
          if ((counts[alias] ?? 0) > 0) counts[alias] = (counts[alias] ?? 0) + 1;
        }
      } else {
        for (const alias of touched) if (contains(postings, from, to, alias)) counts[alias] = (counts[alias] ?? 0) + 1;
      }
    }
    const out: Array<{ norm: string; sim: number }> = [];
    for (const alias of touched) {
      const shared = counts[alias] ?? 0;
      counts[alias] = 0;
      const sim = similarityOf(shared, q.size, sizes[alias] ?? 0);
      if (sim >= threshold) out.push({ norm: this.norms[alias] ?? '', sim });
    }
    return out.sort((a, b) => b.sim - a.sim || (a.norm < b.norm ? -1 : a.norm > b.norm ? 1 : 0));
  }
}

/** Binary search for `value` in the sorted slice postings[from, to). */
function contains(postings: Int32Array, from: number, to: number, value: number): boolean {
  let lo = from;
  let hi = to - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = postings[mid] ?? 0;
    if (v === value) return true;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
