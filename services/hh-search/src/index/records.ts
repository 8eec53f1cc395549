/**
 * What the change-log consumer reads from Postgres for a candidate: everything any in-memory
 * structure needs (attributes, texts, the page fields, the vector of the configured model), in one
 * statement per batch of ids or per page of a full load.
 */
import type pg from 'pg';

export interface CandidateRecord {
  id: number;
  tenantId: number;
  externalId: string;
  version: number;
  title: string;
  headline: string;
  summary: string;
  skills: string[];
  skillsNorm: string[];
  country: string | null;
  region: string | null;
  city: string | null;
  cityNorm: string | null;
  remote: boolean;
  yearsExperience: number | null;
  seniority: string | null;
  language: 'en' | 'pt';
  occupationIds: number[];
  experience: { title: string; description: string }[];
  /** The stored embedding of the configured model, when there is one of the index's dimensions. */
  vector?: Float32Array;
}

interface Row {
  id: number;
  tenant_id: number;
  external_id: string;
  version: number;
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
  language: 'en' | 'pt';
  occupation_ids: number[];
  experience: { title?: string; description?: string }[] | null;
  dims: number | null;
  embedding: Buffer | null;
}

const COLUMNS = `c.id, c.tenant_id, c.external_id, c.version, c.title, c.headline, c.summary, c.skills, c.skills_norm,
  c.country, c.region, c.city, c.city_norm, c.remote, c.years_experience, c.seniority, c.language, c.occupation_ids,
  c.profile -> 'experience' AS experience, e.dims, e.embedding`;

function toVector(buf: Buffer, dims: number): Float32Array {
  // Copy: Buffer memory may be pooled and unaligned for a Float32Array view.
  const out = new Float32Array(dims);
  for (let i = 0; i < dims; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}

function toRecord(r: Row, dims: number): CandidateRecord {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    externalId: r.external_id,
    version: r.version,
    title: r.title,
    headline: r.headline,
    summary: r.summary,
    skills: r.skills,
    skillsNorm: r.skills_norm,
    country: r.country,
    region: r.region,
    city: r.city,
    cityNorm: r.city_norm,
    remote: r.remote,
    yearsExperience: r.years_experience,
    seniority: r.seniority,
    language: r.language,
    occupationIds: r.occupation_ids,
    experience: (Array.isArray(r.experience) ? r.experience : []).map((e) => ({ title: String(e?.title ?? ''), description: String(e?.description ?? '') })),
    ...(r.embedding && r.dims === dims ? { vector: toVector(r.embedding, dims) } : {}),
  };
}

export function createCandidateReader(pool: pg.Pool, opts: { model: string; dims: number }) {
  return {
    /** The current state of these candidates; ids that are gone (deleted) are simply absent. */
    async byIds(ids: number[]): Promise<CandidateRecord[]> {
      if (ids.length === 0) return [];
      const { rows } = await pool.query<Row>(
        `SELECT ${COLUMNS} FROM candidates c
           LEFT JOIN candidate_embeddings e ON e.candidate_id = c.id AND e.model = $2
          WHERE c.id = ANY($1::bigint[])`,
        [ids, opts.model],
      );
      return rows.map((r) => toRecord(r, opts.dims));
    },
    /** One page of every candidate, in id order, after `afterId` (a full load). */
    async page(afterId: number, limit: number): Promise<CandidateRecord[]> {
      const { rows } = await pool.query<Row>(
        `SELECT ${COLUMNS} FROM candidates c
           LEFT JOIN candidate_embeddings e ON e.candidate_id = c.id AND e.model = $2
          WHERE c.id > $1 ORDER BY c.id LIMIT $3`,
        [afterId, opts.model, limit],
      );
      return rows.map((r) => toRecord(r, opts.dims));
    },
  };
}
export type CandidateReader = ReturnType<typeof createCandidateReader>;
