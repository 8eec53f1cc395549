/**
 * Property test for POST /v1/rerank (docs/RELIABILITY.md §7 target 18). The route validates by hand (one
 * pass that reports every problem with its path), so the oracle here is an independent zod schema
 * written from the API tables in this service's README: inputs are generated from it
 * (z.toJSONSchema → fast-check, see @hh/testkit), valid and mutated, and sent over real HTTP. For
 * every response: never a 5xx; a 200 parses with the route's declared response schema and scores
 * each document once; input the README calls invalid is a 400 naming a body field. Fixed seed.
 */
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { hasForbiddenChars } from '@hh/text';
import { arbitraryFromSchema, collectRoutes, mutated, problemJson, type CollectedRoute, type JsonSchema } from '@hh/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRerankConfig } from '@hh/config';
import { buildApp, MODEL_ID } from '../src/index.js';

const MAX_DOCUMENTS = 8;
const MAX_CHARS = 400;
const SENIORITIES = ['intern', 'junior', 'mid', 'senior', 'lead', 'principal', 'executive'] as const;

/** A string field: at most `max` characters, no NUL/control characters/unpaired surrogates, maybe non-blank. */
const text = (max: number, nonBlank = false) =>
  z
    .string()
    .max(max)
    .refine((s) => !nonBlank || s.trim().length > 0)
    .refine((s) => !hasForbiddenChars(s));
const years = z.number().min(0).max(80);
const document = z.union([
  text(MAX_CHARS),
  z.strictObject({
    id: text(256, true).optional(),
    text: text(MAX_CHARS).optional(),
    title: text(500).optional(),
    headline: text(1000).optional(),
    skills: z.array(text(200, true)).max(500).optional(),
    yearsExperience: years.optional(),
    seniority: z.enum(SENIORITIES).optional(),
    location: z.strictObject({ country: text(200).optional(), region: text(200).optional(), city: text(200).optional() }).optional(),
    remote: z.boolean().optional(),
    language: z.enum(['en', 'pt']).optional(),
  }),
]);
const job = z
  .strictObject({
    title: text(200, true).optional(),
    skills: z.array(text(100, true)).max(100).optional(),
    niceToHave: z.array(text(100, true)).max(100).optional(),
    minYears: years.optional(),
    maxYears: years.optional(),
    seniority: z.enum(SENIORITIES).optional(),
    countries: z.array(text(100, true)).max(50).optional(),
    cities: z.array(text(100, true)).max(50).optional(),
    remote: z.boolean().optional(),
  })
  .refine((j) => j.minYears === undefined || j.maxYears === undefined || j.minYears <= j.maxYears);
/** The request as the README's API tables describe it. */
const spec = z.strictObject({
  query: text(MAX_CHARS, true),
  documents: z.array(document).min(1).max(MAX_DOCUMENTS),
  top_n: z.number().int().min(1).max(1_000_000).optional(),
  return_documents: z.boolean().optional(),
  job: job.optional(),
  model: z.literal(MODEL_ID).optional(),
});

let app: FastifyInstance;
let url: string;
let routes: CollectedRoute[] = [];
beforeAll(async () => {
  const cfg = loadRerankConfig({ LOG_LEVEL: 'silent', RERANK_MAX_DOCUMENTS: String(MAX_DOCUMENTS), RERANK_MAX_CHARS: String(MAX_CHARS), SHED_MAX_EVENT_LOOP_DELAY_MS: '0' });
  app = buildApp(cfg) as unknown as FastifyInstance;
  routes = collectRoutes(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app?.close();
});

describe('POST /v1/rerank, from its documented contract', () => {
  it('valid and mutated bodies: never 5xx, the declared shape, each document scored once, 400 on invalid input', { timeout: 120_000 }, async () => {
    const route = routes.find((r) => r.method === 'POST' && r.url === '/v1/rerank');
    expect(route, 'the app declares POST /v1/rerank').toBeDefined();
    const ok = (route!.schema as { response: Record<number, z.ZodType> }).response[200]!;
    const valid = arbitraryFromSchema(z.toJSONSchema(spec, { io: 'input', unrepresentable: 'any' }) as JsonSchema, { maxTextLength: 60 });
    const body = fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: mutated(valid) });

    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const res = await fetch(`${url}/v1/rerank`, {
          method: 'POST',
          headers: b === undefined ? {} : { 'content-type': 'application/json' },
          ...(b === undefined ? {} : { body: JSON.stringify(b) }),
        });
        const json = (await res.json()) as Record<string, unknown>;
        const what = `${JSON.stringify(b)?.slice(0, 300)} → ${res.status} ${JSON.stringify(json).slice(0, 300)}`;
        expect(res.status, what).toBeLessThan(500);
        if (res.status >= 400) {
          expect(res.headers.get('content-type'), what).toMatch(/^application\/problem\+json/);
          expect(problemJson.parse(json).status, what).toBe(res.status);
        }
        const parsed = spec.safeParse(b === undefined ? undefined : JSON.parse(JSON.stringify(b)));
        if (!parsed.success) {
          expect(res.status, what).toBe(400);
          expect((json.errors as { field: string }[]).some((e) => e.field.startsWith('body')), what).toBe(true);
          return;
        }
        expect(res.status, what).toBe(200);
        const out = ok.parse(json) as { results: { index: number }[] };
        const n = parsed.data.documents.length;
        expect(out.results.length, what).toBe(Math.min(n, parsed.data.top_n ?? n));
        const indexes = out.results.map((r) => r.index);
        expect(new Set(indexes).size, what).toBe(indexes.length);
        for (const i of indexes) expect(i >= 0 && i < n, what).toBe(true);
      }),
      { seed: 0x4e4a4c, numRuns: 300, endOnFailure: true },
    );
  });
});
