import { z } from 'zod';

/** RFC 9457 problem+json as every service answers errors (packages/service-kit errors.ts). */
export const problemJson = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  code: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  detail: z.string(),
  errors: z.array(z.object({ field: z.string().min(1), message: z.string().min(1) })).optional(),
  requestId: z.string().min(1),
});
export type ProblemJson = z.infer<typeof problemJson>;
