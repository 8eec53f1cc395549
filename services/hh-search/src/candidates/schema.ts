import { z } from 'zod';
import { countryCode, externalId, language, nonBlank, safeString, seniority, years } from '../schemas/common.js';

export const experienceItem = z.strictObject({
  title: nonBlank(200),
  company: safeString(200).optional(),
  startYear: z.number().int().min(1900).max(2100).optional(),
  endYear: z.number().int().min(1900).max(2100).nullable().optional(),
  description: safeString(5_000).optional(),
});

/** Body of PUT /v1/candidates/{id}. Unknown fields are rejected (typos must not be silently dropped). */
export const candidateInput = z.strictObject({
  version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  title: nonBlank(200),
  headline: safeString(500).optional(),
  summary: safeString(10_000).optional(),
  skills: z.array(nonBlank(100)).max(200).optional(),
  experience: z.array(experienceItem).max(50).optional(),
  location: z
    .strictObject({ country: countryCode.optional(), region: safeString(100).optional(), city: safeString(100).optional() })
    .optional(),
  remote: z.boolean().optional(),
  yearsExperience: years.optional(),
  seniority: seniority.optional(),
  language: language.optional(),
});
export type CandidateInput = z.infer<typeof candidateInput>;

export const bulkItem = candidateInput.extend({ id: externalId });
export type BulkItem = z.infer<typeof bulkItem>;

export const candidateView = z.object({
  id: z.string(),
  version: z.number(),
  title: z.string(),
  headline: z.string(),
  summary: z.string(),
  skills: z.array(z.string()),
  location: z.object({ country: z.string().nullable(), region: z.string().nullable(), city: z.string().nullable() }),
  remote: z.boolean(),
  yearsExperience: z.number().nullable(),
  seniority: z.string().nullable(),
  language: z.enum(['en', 'pt']),
  occupationIds: z.array(z.number()),
  embedding: z.object({ status: z.enum(['pending', 'ready']), model: z.string().nullable() }),
  profile: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type CandidateView = z.infer<typeof candidateView>;
