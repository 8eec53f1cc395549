/**
 * All SQL of the candidate write/read path. A write stores the profile, its weighted tsvector,
 * occupation ids and — only when the embedded text changed — an outbox row, and appends to the
 * change log; a single upsert does it for one candidate, a bulk chunk set-based for many. A delete
 * removes the row (embedding and outbox cascade) and appends to the change log.
 */
import type pg from 'pg';
import { withTransaction } from '@hh/db';
import { deriveCandidate, withJoinedCompounds, type DerivedCandidate } from './derive.js';
import type { CandidateInput, CandidateView } from './schema.js';

export type OccupationResolver = (client: pg.PoolClient, titles: string[], langs: ('en' | 'pt')[]) => Promise<number[][]>;

export type UpsertOutcome =
  | { status: 'created' | 'updated' | 'unchanged'; id: string; version: number; embedding: 'queued' | 'unchanged' }
  | { status: 'conflict'; id: string; version: number; reason: string };

interface Row {
  id: number;
  external_id: string;
  version: number;
  profile: Record<string, unknown>;
  title: string;
  headline: string;
  summary: string;
  skills: string[];
  country: string | null;
  region: string | null;
  city: string | null;
  remote: boolean;
  years_experience: number | null;
  seniority: string | null;
  language: 'en' | 'pt';
  occupation_ids: number[];
  embed_hash: string;
  embedded_model: string | null;
  embedded_hash: string | null;
  created_at: Date;
  updated_at: Date;
}

/** Canonical JSON (sorted keys) so "same profile" is a byte comparison. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const UPSERT_COLUMNS = `tenant_id, external_id, version, profile, title, headline, summary, skills, skills_norm,
  country, region, city, city_norm, remote, years_experience, seniority, language, occupation_ids, search_doc, embed_hash`;

// $18..$21: tsvector parts; weights A title, B skills, C headline+summary, D experience.
const SEARCH_DOC = `setweight(to_tsvector(hh_ts_config($17), $18), 'A') ||
  setweight(to_tsvector(hh_ts_config($17), $19), 'B') ||
  setweight(to_tsvector(hh_ts_config($17), $20), 'C') ||
  setweight(to_tsvector(hh_ts_config($17), $21), 'D')`;

export function createCandidateRepository(deps: {
  pool: pg.Pool;
  occupations: OccupationResolver;
  /** A bulk chunk could not be written set-based and is written item by item (why: the error). */
  onItemByItem?: (err: Error) => void;
}) {
  const { pool } = deps;

  async function upsertInTx(
    client: pg.PoolClient,
    tenantId: number,
    externalId: string,
    input: CandidateInput,
    knownOccupations?: number[],
    changed?: number[],
  ): Promise<UpsertOutcome> {
    const { version: requested, ...profile } = input;
    const d = deriveCandidate(input);
    const profileJson = canonicalJson(profile);

    const existing = await client.query<{ id: number; version: number; profile: unknown; embed_hash: string }>(
      'SELECT id, version, profile, embed_hash FROM candidates WHERE tenant_id = $1 AND external_id = $2 FOR UPDATE',
      [tenantId, externalId],
    );
    const prior = existing.rows[0];
    const decided = decideVersion(externalId, requested, prior, profileJson);
    if ('status' in decided) return decided;
    const { version } = decided;

    const occupationIds = knownOccupations ?? (await deps.occupations(client, [d.title], [d.language]))[0] ?? [];
    // Placeholders: $1..$17 plain columns (… language), $18..$21 the tsvector texts,
    // $22 occupation ids, $23 embed hash.
    const params = [
      tenantId, externalId, version, profileJson, d.title, d.headline, d.summary, d.skills, d.skillsNorm,
      input.location?.country ?? null, input.location?.region ?? null, input.location?.city ?? null, d.cityNorm,
      input.remote ?? false, input.yearsExperience ?? null, input.seniority ?? null, d.language,
      withJoinedCompounds(d.title), withJoinedCompounds(d.skills.join(', ')),
      withJoinedCompounds(`${d.headline}\n${d.summary}`), withJoinedCompounds(d.experienceText),
      occupationIds, d.embedHash,
    ];
    const values = `$1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $22::int[], ${SEARCH_DOC}, $23`;
    let id: number;
    if (prior) {
      await client.query(
        `UPDATE candidates SET (${UPSERT_COLUMNS}, updated_at) = (${values}, now()) WHERE id = $24`,
        [...params, prior.id],
      );
      id = prior.id;
    } else {
      const ins = await client.query<{ id: number }>(
        `INSERT INTO candidates (${UPSERT_COLUMNS}) VALUES (${values})
         ON CONFLICT (tenant_id, external_id) DO NOTHING RETURNING id`,
        params,
      );
      if (ins.rowCount === 0) throw new RetryUpsert();
      id = ins.rows[0]!.id;
    }
    const embedChanged = !prior || prior.embed_hash !== d.embedHash;
    if (embedChanged) {
      // Re-queueing clears any lease: a worker embedding the previous text will find the content
      // changed and leave the row, and the new text is claimable at once. Workers hold this row's
      // lock only for a short claim or apply statement, never while calling hh-embed, so this
      // write does not wait on a slow model.
      await client.query(
        `INSERT INTO embedding_outbox (candidate_id, tenant_id, content_hash) VALUES ($1, $2, $3)
         ON CONFLICT (candidate_id) DO UPDATE SET content_hash = EXCLUDED.content_hash, attempts = 0,
           available_at = now(), last_error = NULL, lease_token = NULL, lease_owner = NULL, leased_until = NULL`,
        [id, tenantId, d.embedHash],
      );
    }
    // The change-log row versions the tenant's cached search pages. It takes the change-log lock
    // until commit, so it is the last statement; a bulk chunk collects ids and appends once.
    if (changed) changed.push(id);
    else await client.query(`SELECT hh_append_change($1, $2, 'upsert')`, [tenantId, id]);
    return { status: prior ? 'updated' : 'created', id: externalId, version, embedding: embedChanged ? 'queued' : 'unchanged' };
  }

  async function upsert(tenantId: number, externalId: string, input: CandidateInput): Promise<UpsertOutcome> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await withTransaction(pool, (client) => upsertInTx(client, tenantId, externalId, input));
      } catch (err) {
        // A concurrent insert of the same id won the race: retry once as an update.
        if (err instanceof RetryUpsert && attempt < 2) continue;
        throw err;
      }
    }
  }

  /**
   * Bulk upsert in transactions of up to `chunk` items. Each chunk is written set-based: one
   * statement locks the chunk's existing rows, one inserts the new candidates, one updates the
   * changed ones, one queues their embeddings and one appends the change log, so a chunk costs a
   * handful of round trips instead of five per item. The per-item rules (versions, conflicts,
   * "unchanged") are exactly those of a single upsert. If a set-based statement fails (one bad
   * item fails the whole statement) or a concurrent writer inserted one of the ids first, the
   * chunk is rolled back to its start and written item by item, each under its own savepoint, so
   * one bad item still cannot undo its neighbours. Results keep the input order.
   */
  async function upsertMany(
    tenantId: number,
    items: { id: string; input: CandidateInput }[],
    chunk = 500,
  ): Promise<(UpsertOutcome | { status: 'error'; id: string; error: Error })[]> {
    const out: (UpsertOutcome | { status: 'error'; id: string; error: Error })[] = [];
    for (let start = 0; start < items.length; start += chunk) {
      const part = items.slice(start, start + chunk);
      const derived = part.map((it) => deriveCandidate(it.input));
      const results = await withTransaction(pool, async (client) => {
        const occ = await deps.occupations(client, derived.map((d) => d.title), derived.map((d) => d.language));
        const changed: number[] = [];
        let res: (UpsertOutcome | { status: 'error'; id: string; error: Error })[] | undefined;
        if (new Set(part.map((it) => it.id)).size === part.length) {
          await client.query('SAVEPOINT chunk');
          try {
            res = await upsertSetBased(client, tenantId, part, derived, occ, changed);
            await client.query('RELEASE SAVEPOINT chunk');
          } catch (err) {
            // A concurrent insert of one of the ids (RetryUpsert) or a bad item: item by item below.
            await client.query('ROLLBACK TO SAVEPOINT chunk');
            deps.onItemByItem?.(err as Error);
            changed.length = 0;
            res = undefined;
          }
        }
        res ??= await upsertEach(client, tenantId, part, occ, changed);
        if (changed.length > 0) {
          // One set-based append: one change-log insert, one head update and one NOTIFY per chunk.
          await client.query(`SELECT hh_append_changes($1, $2::bigint[], 'upsert')`, [tenantId, [...changed].sort((x, y) => x - y)]);
        }
        return res;
      });
      out.push(...results);
    }
    return out;
  }

  /** The item-by-item path: each item under its own savepoint (a failing item is reported, not fatal). */
  async function upsertEach(
    client: pg.PoolClient,
    tenantId: number,
    part: { id: string; input: CandidateInput }[],
    occ: number[][],
    changed: number[],
  ): Promise<(UpsertOutcome | { status: 'error'; id: string; error: Error })[]> {
    const res: (UpsertOutcome | { status: 'error'; id: string; error: Error })[] = new Array(part.length);
    // In external-id order (stable, so repeats of an id keep theirs), like the set-based path:
    // writers of overlapping ids take their row locks in one order.
    const order = part.map((_, i) => i).sort((x, y) => (part[x]!.id < part[y]!.id ? -1 : part[x]!.id > part[y]!.id ? 1 : x - y));
    for (const i of order) {
      const it = part[i]!;
      for (let attempt = 0; ; attempt++) {
        await client.query('SAVEPOINT item');
        try {
          const mark = changed.length;
          try {
            res[i] = await upsertInTx(client, tenantId, it.id, it.input, occ[i] ?? [], changed);
          } catch (err) {
            changed.length = mark; // this item's write is rolled back below
            throw err;
          }
          await client.query('RELEASE SAVEPOINT item');
          break;
        } catch (err) {
          await client.query('ROLLBACK TO SAVEPOINT item');
          if (err instanceof RetryUpsert && attempt < 2) continue;
          res[i] = { status: 'error', id: it.id, error: err as Error };
          break;
        }
      }
    }
    return res;
  }

  /**
   * The set-based path of one chunk (ids distinct). Throws RetryUpsert when a concurrent writer
   * inserted one of the new ids after the lock statement: the caller redoes the chunk item by item.
   */
  async function upsertSetBased(
    client: pg.PoolClient,
    tenantId: number,
    part: { id: string; input: CandidateInput }[],
    derived: DerivedCandidate[],
    occ: number[][],
    changed: number[],
  ): Promise<UpsertOutcome[]> {
    // Locked in external-id order, the same order for every writer, so two bulk requests
    // sharing ids wait for each other instead of deadlocking.
    const { rows: existing } = await client.query<{ id: number; external_id: string; version: number; profile: unknown; embed_hash: string }>(
      `SELECT id, external_id, version, profile, embed_hash FROM candidates
        WHERE tenant_id = $1 AND external_id = ANY($2::text[]) ORDER BY external_id FOR UPDATE`,
      [tenantId, part.map((it) => it.id)],
    );
    const priorOf = new Map(existing.map((r) => [r.external_id, r]));
    const res: UpsertOutcome[] = new Array(part.length);
    const inserts: SetRow[] = [];
    const updates: SetRow[] = [];
    const queue: { index: number; embedHash: string }[] = [];
    for (let i = 0; i < part.length; i++) {
      const { id: externalId, input } = part[i]!;
      const d = derived[i]!;
      const { version: requested, ...profile } = input;
      const profileJson = canonicalJson(profile);
      const prior = priorOf.get(externalId);
      const decided = decideVersion(externalId, requested, prior, profileJson);
      if ('status' in decided) {
        res[i] = decided;
        continue;
      }
      const row = setRow(i, externalId, decided.version, profileJson, input, d, occ[i] ?? []);
      if (prior) updates.push({ ...row, id: prior.id });
      else inserts.push(row);
      if (!prior || prior.embed_hash !== d.embedHash) queue.push({ index: i, embedHash: d.embedHash });
      res[i] = {
        status: prior ? 'updated' : 'created',
        id: externalId,
        version: decided.version,
        embedding: !prior || prior.embed_hash !== d.embedHash ? 'queued' : 'unchanged',
      };
    }

    const idOf = new Map<number, number>(); // input index → candidate id
    for (const u of updates) idOf.set(u.index, u.id!);
    if (inserts.length > 0) {
      // In external-id order, like the locks: two writers inserting the same new ids wait on each
      // other's unique-index entries in one order.
      inserts.sort((x, y) => (x.external_id < y.external_id ? -1 : x.external_id > y.external_id ? 1 : 0));
      const ins = await client.query<{ id: number; external_id: string }>(
        `INSERT INTO candidates (${UPSERT_COLUMNS})
         SELECT $1, x.external_id, x.version, x.profile, x.title, x.headline, x.summary, x.skills, x.skills_norm,
                x.country, x.region, x.city, x.city_norm, x.remote, x.years_experience, x.seniority, x.language,
                x.occupation_ids, ${SEARCH_DOC_OF_X}, x.embed_hash
           FROM jsonb_to_recordset($2::jsonb) AS x(${SET_ROW_TYPE})
         ON CONFLICT (tenant_id, external_id) DO NOTHING RETURNING id, external_id`,
        [tenantId, JSON.stringify(inserts.map(({ index: _i, id: _id, ...r }) => r))],
      );
      // A concurrent writer inserted one of these ids after our lock statement saw nothing.
      if (ins.rows.length !== inserts.length) throw new RetryUpsert();
      const indexOf = new Map(inserts.map((r) => [r.external_id, r.index]));
      for (const r of ins.rows) idOf.set(indexOf.get(r.external_id)!, r.id);
    }
    if (updates.length > 0) {
      await client.query(
        `UPDATE candidates c SET (${UPSERT_COLUMNS}, updated_at) = (
           $1, x.external_id, x.version, x.profile, x.title, x.headline, x.summary, x.skills, x.skills_norm,
           x.country, x.region, x.city, x.city_norm, x.remote, x.years_experience, x.seniority, x.language,
           x.occupation_ids, ${SEARCH_DOC_OF_X}, x.embed_hash, now())
           FROM jsonb_to_recordset($2::jsonb) AS x(id bigint, ${SET_ROW_TYPE})
          WHERE c.id = x.id`,
        [tenantId, JSON.stringify(updates.map(({ index: _i, ...r }) => r))],
      );
    }
    if (queue.length > 0) {
      // As for a single upsert: re-queueing clears any lease, so the new text is claimable at once.
      await client.query(
        `INSERT INTO embedding_outbox (candidate_id, tenant_id, content_hash)
         SELECT u.id, $1, u.hash FROM unnest($2::bigint[], $3::text[]) AS u(id, hash) ORDER BY u.id
         ON CONFLICT (candidate_id) DO UPDATE SET content_hash = EXCLUDED.content_hash, attempts = 0,
           available_at = now(), last_error = NULL, lease_token = NULL, lease_owner = NULL, leased_until = NULL`,
        [tenantId, queue.map((q) => idOf.get(q.index)!), queue.map((q) => q.embedHash)],
      );
    }
    for (const i of [...idOf.keys()].sort((a, b) => a - b)) changed.push(idOf.get(i)!);
    return res;
  }

  async function get(tenantId: number, externalId: string): Promise<CandidateView | null> {
    const { rows } = await pool.query<Row>(
      `SELECT c.*, e.model AS embedded_model, e.content_hash AS embedded_hash
         FROM candidates c LEFT JOIN candidate_embeddings e ON e.candidate_id = c.id
        WHERE c.tenant_id = $1 AND c.external_id = $2`,
      [tenantId, externalId],
    );
    const r = rows[0];
    return r ? toView(r) : null;
  }

  async function remove(tenantId: number, externalId: string): Promise<boolean> {
    return withTransaction(pool, async (client) => {
      const del = await client.query<{ id: number }>(
        'DELETE FROM candidates WHERE tenant_id = $1 AND external_id = $2 RETURNING id',
        [tenantId, externalId],
      );
      const row = del.rows[0];
      if (!row) return false;
      await client.query(`SELECT hh_append_change($1, $2, 'delete')`, [tenantId, row.id]);
      return true;
    });
  }

  return { upsert, upsertMany, get, remove };
}

class RetryUpsert extends Error {}

/**
 * The version a write gets, or its outcome when nothing is written: unchanged (same content) or a
 * version conflict. Shared by the single and the set-based paths so both follow one rule.
 */
function decideVersion(
  externalId: string,
  requested: number | undefined,
  prior: { version: number; profile: unknown } | undefined,
  profileJson: string,
): { version: number } | UpsertOutcome {
  if (!prior) return { version: requested ?? 1 };
  const same = canonicalJson(prior.profile) === profileJson;
  if (requested === undefined) {
    if (same) return { status: 'unchanged', id: externalId, version: prior.version, embedding: 'unchanged' };
    return { version: prior.version + 1 };
  }
  if (requested < prior.version) {
    return { status: 'conflict', id: externalId, version: prior.version, reason: `version ${requested} is older than the stored version ${prior.version}` };
  }
  if (requested === prior.version) {
    if (same) return { status: 'unchanged', id: externalId, version: prior.version, embedding: 'unchanged' };
    return { status: 'conflict', id: externalId, version: prior.version, reason: `version ${requested} already stored with different content` };
  }
  return { version: requested };
}

/** One candidate as a row of the set-based statements (jsonb_to_recordset, typed by SET_ROW_TYPE). */
interface SetRow {
  index: number;
  id?: number;
  external_id: string;
  version: number;
  profile: unknown;
  title: string;
  headline: string;
  summary: string;
  skills: string[];
  skills_norm: string[];
  country: string | null;
  region: string | null;
  city: string | null;
  city_norm: string | null;
  remote: boolean;
  years_experience: number | null;
  seniority: string | null;
  language: string;
  occupation_ids: number[];
  doc_a: string;
  doc_b: string;
  doc_c: string;
  doc_d: string;
  embed_hash: string;
}

const SET_ROW_TYPE = `external_id text, version int, profile jsonb, title text, headline text, summary text, skills text[],
  skills_norm text[], country text, region text, city text, city_norm text, remote boolean, years_experience real,
  seniority text, language text, occupation_ids int[], doc_a text, doc_b text, doc_c text, doc_d text, embed_hash text`;

// The same weighted tsvector as SEARCH_DOC, over a recordset row x.
const SEARCH_DOC_OF_X = `setweight(to_tsvector(hh_ts_config(x.language), x.doc_a), 'A') ||
  setweight(to_tsvector(hh_ts_config(x.language), x.doc_b), 'B') ||
  setweight(to_tsvector(hh_ts_config(x.language), x.doc_c), 'C') ||
  setweight(to_tsvector(hh_ts_config(x.language), x.doc_d), 'D')`;

function setRow(index: number, externalId: string, version: number, profileJson: string, input: CandidateInput, d: DerivedCandidate, occupationIds: number[]): SetRow {
  return {
    index,
    external_id: externalId,
    version,
    // Parsed back so the statement's JSON carries the profile as an object (jsonb ignores key order).
    profile: JSON.parse(profileJson) as unknown,
    title: d.title,
    headline: d.headline,
    summary: d.summary,
    skills: d.skills,
    skills_norm: d.skillsNorm,
    country: input.location?.country ?? null,
    region: input.location?.region ?? null,
    city: input.location?.city ?? null,
    city_norm: d.cityNorm,
    remote: input.remote ?? false,
    years_experience: input.yearsExperience ?? null,
    seniority: input.seniority ?? null,
    language: d.language,
    occupation_ids: occupationIds,
    doc_a: withJoinedCompounds(d.title),
    doc_b: withJoinedCompounds(d.skills.join(', ')),
    doc_c: withJoinedCompounds(`${d.headline}\n${d.summary}`),
    doc_d: withJoinedCompounds(d.experienceText),
    embed_hash: d.embedHash,
  };
}

function toView(r: Row): CandidateView {
  return {
    id: r.external_id,
    version: r.version,
    title: r.title,
    headline: r.headline,
    summary: r.summary,
    skills: r.skills,
    location: { country: r.country, region: r.region, city: r.city },
    remote: r.remote,
    yearsExperience: r.years_experience,
    seniority: r.seniority,
    language: r.language,
    occupationIds: r.occupation_ids,
    embedding: {
      status: r.embedded_hash === r.embed_hash ? 'ready' : 'pending',
      model: r.embedded_model,
    },
    profile: r.profile,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export type CandidateRepository = ReturnType<typeof createCandidateRepository>;
