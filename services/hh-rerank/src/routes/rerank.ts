/**
 * POST /v1/rerank in the Cohere/TEI shape (`query`, `documents`, `top_n` →
 * `results[{index, relevance_score}]`) plus our `id`, `reasons`, `components` and the resolved job.
 */
import type { FastifyRequest } from 'fastify';
import { Deadline, DEADLINE_HEADER, HttpProblem, type ZodApp } from '@hh/service-kit';
import { z } from 'zod';
import { MODEL_ID, scoreDocuments } from '../scorer/score.js';
import { SENIORITIES, type DocumentInput } from '../scorer/types.js';
import { parseRerankRequest, type RerankRequest } from './validate.js';

export interface RerankRouteOptions {
  maxDocuments: number;
  maxChars: number;
  /** Budget without an x-hh-timeout-ms header, and the cap on that header. */
  defaultTimeoutMs: number;
}

const problemSchema = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  code: z.string(),
  detail: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  requestId: z.string().optional(),
});

const nullableScore = z.number().min(0).max(1).nullable();
const rerankResponse = z.object({
  id: z.string(),
  model: z.literal(MODEL_ID),
  results: z.array(
    z.object({
      index: z.number().int(),
      id: z.string().optional(),
      relevance_score: z.number().min(0).max(1),
      reasons: z.array(z.string()),
      components: z.object({ skills: nullableScore, title: nullableScore, bm25: nullableScore, experience: nullableScore, location: nullableScore }),
      // Cohere returns `{ text }` for string documents; structured documents come back as sent.
      document: z.looseObject({ text: z.string().optional() }).optional(),
    }),
  ),
  meta: z.object({
    api_version: z.object({ version: z.string() }),
    billed_units: z.object({ search_units: z.number().int() }),
    documents: z.number().int(),
    weights: z.object({ skills: z.number(), title: z.number(), bm25: z.number(), experience: z.number(), location: z.number() }),
    job: z.object({
      title: z.string().nullable(),
      skills: z.array(z.string()),
      niceToHave: z.array(z.string()),
      minYears: z.number().nullable(),
      maxYears: z.number().nullable(),
      seniority: z.enum(SENIORITIES).nullable(),
      countries: z.array(z.string()),
      cities: z.array(z.string()),
      remote: z.boolean().nullable(),
      derived: z.array(z.string()),
    }),
  }),
});
type RerankResponse = z.input<typeof rerankResponse>;


/**
 * Time the scorer needs for `chars` characters of query and documents: scripts/bench.mjs measured
 * ~15–20 ms of CPU for 440 K characters (200 × 300 words) on the shared 2-core dev host, i.e.
 * ~0.05 µs per character; this allows twice that plus 1 ms. A request whose remaining deadline is
 * shorter is refused at once rather than answered after the caller has given up.
 */
export function estimateMs(chars: number): number {
  return 1 + chars * 0.000_1;
}

export async function rerankRoutes(app: ZodApp, opts: RerankRouteOptions): Promise<void> {
  const m = app.metrics;
  const requests = m.counter('hh_rerank_requests_total', 'Rerank requests by outcome', ['outcome']);
  const documentsScored = m.counter('hh_rerank_documents_scored_total', 'Documents scored (successful requests)');
  const scoringSeconds = m.histogram('hh_rerank_scoring_duration_seconds', 'Time spent in the scorer per request', [], [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1]);
  const refused = m.counter('hh_rerank_deadline_refusals_total', 'Requests refused up front because their deadline could not be met');

  // The deadline starts when the request arrives, so time spent receiving the body counts.
  const deadlines = new WeakMap<FastifyRequest, Deadline>();

  app.post(
    '/v1/rerank',
    {
      schema: {
        body: z.unknown().transform((body, ctx): RerankRequest => {
          const parsed = parseRerankRequest(body, opts);
          if (parsed.ok) return parsed.value;
          for (const issue of parsed.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
          return z.NEVER;
        }),
        response: { 200: rerankResponse, 400: problemSchema, 401: problemSchema, 413: problemSchema, 415: problemSchema, 503: problemSchema, 504: problemSchema },
      },
      onRequest: async (req) => {
        deadlines.set(req, Deadline.fromRequestHeader(req.headers[DEADLINE_HEADER], opts.defaultTimeoutMs, 'HH_RERANK'));
      },
      onResponse: async (_req, reply) => {
        requests.inc({ outcome: outcomeOf(reply.statusCode) });
      },
    },
    async (req): Promise<RerankResponse> => {
      const body = req.body;
      const deadline = deadlines.get(req) ?? new Deadline(opts.defaultTimeoutMs);
      const chars = body.query.length + body.documents.reduce((a, d) => a + documentChars(d), 0);
      const needMs = estimateMs(chars);
      const remaining = deadline.remaining();
      if (remaining < needMs) {
        refused.inc();
        // Answer now rather than late: the caller has moved on by the time the work would finish.
        throw new HttpProblem(
          504,
          'HH_RERANK_DEADLINE_TOO_SHORT',
          `the request's budget (${Math.floor(remaining)} ms left of ${deadline.budgetMs} ms) is shorter than the ~${Math.ceil(needMs)} ms this request needs`,
        );
      }

      const end = scoringSeconds.startTimer();
      const out = scoreDocuments({ query: body.query, documents: body.documents, ...(body.job ? { job: body.job } : {}), ...(body.topN !== undefined ? { topN: body.topN } : {}) });
      end();
      documentsScored.inc(body.documents.length);

      return {
        id: req.id,
        model: MODEL_ID,
        results: out.results.map((r) => {
          const doc = body.documents[r.index]!;
          return body.returnDocuments ? { ...r, document: typeof doc === 'string' ? { text: doc } : { ...doc } } : r;
        }),
        meta: {
          api_version: { version: '2' },
          // Cohere bills one search unit per query of up to 100 documents.
          billed_units: { search_units: Math.ceil(body.documents.length / 100) },
          documents: body.documents.length,
          weights: out.weights,
          job: out.job,
        },
      };
    },
  );
}

function documentChars(d: DocumentInput): number {
  if (typeof d === 'string') return d.length;
  let n = (d.text?.length ?? 0) + (d.title?.length ?? 0) + (d.headline?.length ?? 0);
  for (const s of d.skills ?? []) n += s.length;
  return n;
}

function outcomeOf(status: number): string {
  if (status < 400) return 'ok';
  if (status === 504 || status === 503) return 'deadline';
  if (status < 500) return 'client_error';
  return 'error';
}
