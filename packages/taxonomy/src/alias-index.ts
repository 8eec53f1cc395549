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
  const aliases = (
    await q.query<AliasRow>('SELECT alias_norm AS n, occupation_id AS o, alias AS a, lang AS l, kind AS k FROM occupation_aliases ORDER BY alias_norm, occupation_id')
  ).rows;
  return { fingerprint, occs, aliases };
}

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
  for (const r of data.aliases) {
    const occ = occs.get(r.o);
    if (!occ) continue;
    const entry: IndexedAlias = { occ, alias: r.a, lang: r.l, kind: r.k };
    const list = byNorm.get(r.n);
    if (list) list.push(entry);
    else byNorm.set(r.n, [entry]);
    aliases++;
  }
  return { fingerprint: data.fingerprint, byNorm, occupations: occs.size, aliases, loadMs: performance.now() - t0 };
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
    const chars = [' ', ' ', ...word, ' '];
    for (let i = 0; i + 3 <= chars.length; i++) out.add(`${chars[i]}${chars[i + 1]}${chars[i + 2]}`);
  }
  return out;
}

export function trigramSimilarity(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const t of small) if (large.has(t)) shared++;
  return shared / (a.size + b.size - shared);
}

export function titleTrigrams(occ: IndexedOccupation): Set<string> {
  occ.trigrams ??= trigramSet(occ.title);
  return occ.trigrams;
}
