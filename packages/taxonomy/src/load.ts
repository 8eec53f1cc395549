/**
 * Loads the shipped taxonomies into Postgres (occupations, occupation_aliases, occupation_skills,
 * taxonomy_meta). Idempotent: a load is skipped when taxonomy_meta already records the same
 * version (loader version + hash of the data files); otherwise everything is replaced in one
 * transaction, so readers see either the old or the new taxonomy, never a mix.
 *
 * Occupation ids are kept stable across reloads (upsert on (source, code)): candidates store
 * occupation ids in candidates.occupation_ids, and renumbering would silently orphan them.
 */
import type pg from 'pg';
import { normalizeAlias } from './normalize.js';
import {
  dataFingerprint,
  defaultDataDir,
  readCbo,
  readCrosswalk,
  readEsco,
  readOnet,
  type AliasKind,
  type SourceOccupation,
} from './sources.js';

/** Bump when the loader's output changes for the same files (normalisation, alias rules). */
export const LOADER_VERSION = 'hh-taxonomy-loader-1';
export const TAXONOMY_LABEL = 'onet-27.0+esco-1.0.8+cbo-2002';

const LOCK_ID = 7243010;

export interface LoadResult {
  skipped: boolean;
  version: string;
  occupations: { onet: number; esco: number; cbo: number };
  aliases: number;
  skills: number;
  crosswalkLinks: number;
  ms: number;
}

interface AliasRow {
  occ: number; // index into the occupations array
  alias: string;
  norm: string;
  lang: 'en' | 'pt';
  kind: AliasKind;
}

export function taxonomyVersion(dataDir = defaultDataDir): string {
  return `${TAXONOMY_LABEL};${LOADER_VERSION};${dataFingerprint(dataDir)}`;
}

/**
 * seedKey for `createTestDatabase({ seedKey: taxonomySeedKey(), seed: loadTaxonomy })`. It names
 * the template database, so it includes the data version: a changed data file or loader gets a
 * fresh template instead of silently reusing a stale one left on the server by an earlier run.
 */
export function taxonomySeedKey(dataDir = defaultDataDir): string {
  return `taxonomy-v1:${taxonomyVersion(dataDir)}`;
}

/** Parse every source file into rows ready to insert (pure: no database). */
export function buildTaxonomyRows(dataDir = defaultDataDir) {
  const onet = readOnet(dataDir);
  const esco = readEsco(dataDir);
  const cbo = readCbo(dataDir);
  const occupations: SourceOccupation[] = [...onet.occupations, ...esco, ...cbo];
  const index = new Map<string, number>();
  occupations.forEach((o, i) => index.set(`${o.source}:${o.code}`, i));
  const escoByLabel = new Map(esco.map((o) => [o.title, o.code]));

  const seen = new Set<string>();
  const aliases: AliasRow[] = [];
  const addAlias = (occ: number, alias: string, lang: 'en' | 'pt', kind: AliasKind) => {
    const norm = normalizeAlias(alias);
    if (!norm) return;
    const key = `${norm}\u0000${occ}`;
    if (seen.has(key)) return; // PK (alias_norm, occupation_id): first (most authoritative) kind wins
    seen.add(key);
    aliases.push({ occ, alias: alias.trim(), norm, lang, kind });
  };
  occupations.forEach((o, i) => {
    for (const a of o.aliases) addAlias(i, a.alias, o.lang, a.kind);
  });

  // Crosswalk: everyday titles of both languages become synonyms of every linked occupation.
  let crosswalkLinks = 0;
  const unresolved: string[] = [];
  for (const c of readCrosswalk(dataDir)) {
    const targets: number[] = [];
    const onetIdx = index.get(`onet:${c.onet}`);
    if (onetIdx === undefined) unresolved.push(`${c.key}: onet ${c.onet}`);
    else targets.push(onetIdx);
    if (c.esco) {
      const code = escoByLabel.get(c.esco);
      const i = code ? index.get(`esco:${code}`) : undefined;
      if (i === undefined) unresolved.push(`${c.key}: esco "${c.esco}"`);
      else targets.push(i);
    }
    for (const code of c.cbo) {
      const i = index.get(`cbo:${code}`);
      if (i === undefined) unresolved.push(`${c.key}: cbo ${code}`);
      else targets.push(i);
    }
    for (const t of targets) {
      for (const title of c.en) addAlias(t, title, 'en', 'synonym');
      for (const title of [...c.pt, ...(c.ptF ?? [])]) addAlias(t, title, 'pt', 'synonym');
      crosswalkLinks++;
    }
  }
  if (unresolved.length > 0) throw new Error(`common-occupations.json has links that resolve to nothing: ${unresolved.join('; ')}`);

  const skillSeen = new Set<string>();
  const skills: Array<{ occ: number; skill: string; hot: boolean }> = [];
  for (const s of onet.skills) {
    const occ = index.get(`onet:${s.code}`);
    if (occ === undefined) continue;
    const key = `${occ}\u0000${s.skill}`;
    if (skillSeen.has(key)) continue;
    skillSeen.add(key);
    skills.push({ occ, skill: s.skill, hot: s.hot });
  }
  return { occupations, aliases, skills, crosswalkLinks };
}

function chunks<T>(rows: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/**
 * Load (or reload) the taxonomy. Concurrent callers serialise on an advisory lock and the
 * second one finds the version already loaded.
 */
export async function loadTaxonomy(pool: pg.Pool, opts: { dataDir?: string; force?: boolean } = {}): Promise<LoadResult> {
  const started = performance.now();
  const dataDir = opts.dataDir ?? defaultDataDir;
  const version = taxonomyVersion(dataDir);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // A full load writes ~110k rows and their trigram index entries; the pool's default
    // statement timeout is for request traffic, not this.
    await client.query("SET LOCAL statement_timeout = '120s'");
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_ID]);
    const current = await client.query<{ value: string }>("SELECT value FROM taxonomy_meta WHERE key = 'version'");
    if (!opts.force && current.rows[0]?.value === version) {
      await client.query('COMMIT');
      const counts = await client.query<{ source: 'onet' | 'esco' | 'cbo'; n: number }>(
        'SELECT source, count(*)::int AS n FROM occupations GROUP BY source',
      );
      const n = (s: string) => counts.rows.find((r) => r.source === s)?.n ?? 0;
      return { skipped: true, version, occupations: { onet: n('onet'), esco: n('esco'), cbo: n('cbo') }, aliases: 0, skills: 0, crosswalkLinks: 0, ms: performance.now() - started };
    }

    const { occupations, aliases, skills, crosswalkLinks } = buildTaxonomyRows(dataDir);

    // Upsert occupations keeping ids; drop the ones no longer shipped.
    const ids: number[] = new Array<number>(occupations.length);
    for (const part of chunks(
      occupations.map((o, i) => ({ ...o, i })),
      5_000,
    )) {
      const { rows } = await client.query<{ id: number; source: string; code: string }>(
        `INSERT INTO occupations (source, code, title, lang, description)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
         ON CONFLICT (source, code) DO UPDATE
           SET title = EXCLUDED.title, lang = EXCLUDED.lang, description = EXCLUDED.description
         RETURNING id, source, code`,
        [part.map((o) => o.source), part.map((o) => o.code), part.map((o) => o.title), part.map((o) => o.lang), part.map((o) => o.description)],
      );
      const byKey = new Map(rows.map((r) => [`${r.source}:${r.code}`, r.id]));
      for (const o of part) {
        const id = byKey.get(`${o.source}:${o.code}`);
        if (id === undefined) throw new Error(`occupation ${o.source}:${o.code} was not returned by the upsert`);
        ids[o.i] = id;
      }
    }
    await client.query('DELETE FROM occupations WHERE NOT (id = ANY($1::int[]))', [ids]);
    await client.query('DELETE FROM occupation_aliases');
    await client.query('DELETE FROM occupation_skills');

    const idOf = (i: number): number => {
      const id = ids[i];
      if (id === undefined) throw new Error(`no id for occupation #${i}`);
      return id;
    };
    for (const part of chunks(aliases, 20_000)) {
      await client.query(
        `INSERT INTO occupation_aliases (occupation_id, alias, alias_norm, lang, kind)
         SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[])`,
        [part.map((a) => idOf(a.occ)), part.map((a) => a.alias), part.map((a) => a.norm), part.map((a) => a.lang), part.map((a) => a.kind)],
      );
    }
    for (const part of chunks(skills, 20_000)) {
      await client.query(
        `INSERT INTO occupation_skills (occupation_id, skill, hot)
         SELECT * FROM unnest($1::int[], $2::text[], $3::bool[])`,
        [part.map((s) => idOf(s.occ)), part.map((s) => s.skill), part.map((s) => s.hot)],
      );
    }
    await client.query(
      `INSERT INTO taxonomy_meta (key, value) VALUES ('version', $1), ('loaded_at', now()::text)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      [version],
    );
    // Merge the GIN pending list now (a bulk insert leaves ~100k entries there, and every trigram
    // query would scan them linearly until autovacuum runs), and give the planner fresh statistics.
    // Inside the transaction so the 120 s statement timeout covers them; a savepoint keeps a
    // failure (e.g. not the index owner) from undoing the load.
    await client.query('SAVEPOINT tidy');
    try {
      await client.query("SELECT gin_clean_pending_list('occupation_aliases_trgm_idx'::regclass)");
      await client.query('ANALYZE occupations, occupation_aliases, occupation_skills');
      await client.query('RELEASE SAVEPOINT tidy');
    } catch {
      await client.query('ROLLBACK TO SAVEPOINT tidy');
    }
    await client.query('COMMIT');
    const count = (s: string) => occupations.filter((o) => o.source === s).length;
    return {
      skipped: false,
      version,
      occupations: { onet: count('onet'), esco: count('esco'), cbo: count('cbo') },
      aliases: aliases.length,
      skills: skills.length,
      crosswalkLinks,
      ms: performance.now() - started,
    };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
