import { z } from 'zod';
import { countryCode, nonBlank, safeString, seniority, years } from '../schemas/common.js';

export const BRANCHES = ['vector', 'fts', 'specialty'] as const;
export type BranchName = (typeof BRANCHES)[number];

export const searchFilters = z
  .strictObject({
    countries: z.array(countryCode).min(1).max(50).optional(),
    cities: z.array(nonBlank(100)).min(1).max(50).optional(),
    remote: z.boolean().optional(),
    minYears: years.optional(),
    maxYears: years.optional(),
    seniority: z.array(seniority).min(1).max(7).optional(),
    mustHaveSkills: z.array(nonBlank(100)).min(1).max(20).optional(),
    niceToHaveSkills: z.array(nonBlank(100)).min(1).max(50).optional(),
    occupations: z.array(z.number().int().min(1).max(2_147_483_647)).min(1).max(50).optional(),
  })
  .refine((f) => f.minYears === undefined || f.maxYears === undefined || f.minYears <= f.maxYears, {
    message: 'minYears must not exceed maxYears',
    path: ['minYears'],
  });
export type SearchFilters = z.infer<typeof searchFilters>;

export const searchRequest = z
  .strictObject({
    jobDescription: safeString(20_000).optional(),
    query: safeString(500).optional(),
    filters: searchFilters.optional(),
    limit: z.number().int().min(1, { message: 'must be between 1 and 100' }).max(100, { message: 'must be between 1 and 100' }).default(20),
    cursor: z.string().max(2_000).regex(/^[A-Za-z0-9_-]+$/, { message: 'is not a cursor returned by this API' }).optional(),
    weights: z
      .strictObject({ vector: z.number().min(0).max(10).optional(), fts: z.number().min(0).max(10).optional(), specialty: z.number().min(0).max(10).optional() })
      // With every branch off there is nothing to search; omitted weights count as 1.
      .refine((w) => (w.vector ?? 1) > 0 || (w.fts ?? 1) > 0 || (w.specialty ?? 1) > 0, { message: 'at least one branch weight must be above 0' })
      .optional(),
    rerank: z.boolean().default(true),
  })
  .refine((r) => (r.jobDescription?.trim() ?? '') !== '' || (r.query?.trim() ?? '') !== '', {
    message: 'give a non-empty jobDescription or query',
    path: ['query'],
  });
export type SearchRequest = z.infer<typeof searchRequest>;

const branchHit = z.object({ rank: z.number(), score: z.number() });
export const searchResult = z.object({
  candidateId: z.string(),
  rank: z.number(),
  score: z.number(),
  title: z.string(),
  headline: z.string(),
  location: z.object({ country: z.string().nullable(), region: z.string().nullable(), city: z.string().nullable() }),
  remote: z.boolean(),
  yearsExperience: z.number().nullable(),
  seniority: z.string().nullable(),
  branches: z.object({
    vector: branchHit.optional(),
    /** The in-memory index says which query terms matched, by field (for explanations and highlights). */
    fts: branchHit.extend({ matched: z.array(z.object({ field: z.string(), terms: z.array(z.string()) })).optional() }).optional(),
    specialty: branchHit.extend({ occupation: z.string().optional() }).optional(),
  }),
  rrfScore: z.number(),
  rerankScore: z.number().nullable(),
  reasons: z.array(z.string()),
});

const branchStatus = z.object({
  status: z.enum(['ok', 'timeout', 'error', 'skipped']),
  count: z.number(),
  ms: z.number(),
  detail: z.string().optional(),
});

export const searchResponse = z.object({
  results: z.array(searchResult),
  nextCursor: z.string().nullable(),
  total: z.number(),
  windowExhausted: z.boolean(),
  partial: z.boolean(),
  degraded: z.array(z.string()),
  /** Candidates of this tenant stored but not yet searchable by every branch (see degraded `embeddings_pending`, `index_pending`). */
  pending: z.object({ embeddings: z.number(), indexing: z.number() }),
  branches: z.object({ vector: branchStatus, fts: branchStatus, specialty: branchStatus, rerank: branchStatus }),
  fusion: z.object({ method: z.literal('rrf'), k: z.number(), window: z.number(), weights: z.object({ vector: z.number(), fts: z.number(), specialty: z.number() }) }),
  cache: z.enum(['hit', 'miss', 'stale', 'bypass']),
  timings: z.record(z.string(), z.number()),
  tookMs: z.number(),
});
export type SearchResponse = z.infer<typeof searchResponse>;
