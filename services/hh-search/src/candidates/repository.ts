/**
 * All SQL of the candidate write/read path. One transaction per candidate writes the profile,
 * its weighted tsvector, occupation ids and — only when the embedded text changed — an outbox
 * row; a delete removes the row (embedding and outbox cascade) and appends to the change log.
 */
import type pg from 'pg';
import { withTransaction } from '@hh/db';
import { deriveCandidate, withJoinedCompounds } from './derive.js';
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

export function createCandidateRepository(deps: { pool: pg.Pool; occupations: OccupationResolver }) {
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
    let version: number;
    if (prior) {
      const same = canonicalJson(prior.profile) === profileJson;
      if (requested === undefined) {
        if (same) return { status: 'unchanged', id: externalId, version: prior.version, embedding: 'unchanged' };
        version = prior.version + 1;
      } else if (requested < prior.version) {
        return { status: 'conflict', id: externalId, version: prior.version, reason: `version ${requested} is older than the stored version ${prior.version}` };
      } else if (requested === prior.version) {
        if (same) return { status: 'unchanged', id: externalId, version: prior.version, embedding: 'unchanged' };
        return { status: 'conflict', id: externalId, version: prior.version, reason: `version ${requested} already stored with different content` };
      } else {
        version = requested;
      }
    } else {
      version = requested ?? 1;
    }

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
   * Bulk upsert: items are written in transactions of up to `chunk`, each item under its own
   * savepoint so one bad item cannot undo its neighbours; occupation ids are resolved for the
   * whole chunk in one lookup. Results keep the input order.
   */
  async function upsertMany(
    tenantId: number,
    items: { id: string; input: CandidateInput }[],
    chunk = 100,
  ): Promise<(UpsertOutcome | { status: 'error'; id: string; error: Error })[]> {
    const out: (UpsertOutcome | { status: 'error'; id: string; error: Error })[] = [];
    for (let start = 0; start < items.length; start += chunk) {
      const part = items.slice(start, start + chunk);
      const derived = part.map((it) => deriveCandidate(it.input));
      const results = await withTransaction(pool, async (client) => {
        const occ = await deps.occupations(client, derived.map((d) => d.title), derived.map((d) => d.language));
        const res: (UpsertOutcome | { status: 'error'; id: string; error: Error })[] = [];
        const changed: number[] = [];
        for (let i = 0; i < part.length; i++) {
          const it = part[i]!;
          for (let attempt = 0; ; attempt++) {
            await client.query('SAVEPOINT item');
            try {
              const mark = changed.length;
              try {
                res.push(await upsertInTx(client, tenantId, it.id, it.input, occ[i] ?? [], changed));
              } catch (err) {
                changed.length = mark; // this item's write is rolled back below
                throw err;
              }
              await client.query('RELEASE SAVEPOINT item');
              break;
            } catch (err) {
              await client.query('ROLLBACK TO SAVEPOINT item');
              if (err instanceof RetryUpsert && attempt < 2) continue;
              res.push({ status: 'error', id: it.id, error: err as Error });
              break;
            }
          }
        }
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
