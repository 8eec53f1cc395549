/**
 * Property test for POST /v1/embeddings (docs/RELIABILITY.md §7 target 18). The route validates by hand
 * (one pass that reports every problem), so the oracle here is an independent zod schema written
 * from the API table in this service's README: inputs are generated from it (z.toJSONSchema →
 * fast-check, see @hh/testkit), valid and mutated, and sent over real HTTP. For every response:
 * never a 5xx; a 200 parses with the route's declared response schema and embeds every input in
 * order; input the README calls invalid is a 400 naming a body field. Fixed seed, printed on failure.
 */
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { hasForbiddenChars } from '@hh/text';
import { arbitraryFromSchema, collectRoutes, mutated, problemJson, type CollectedRoute, type JsonSchema } from '@hh/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';
import { config } from './helpers.js';

const MAX_ITEMS = 6;
const MAX_CHARS = 120;
const MODEL = 'hh-hash-768-v1';

/** The request as the README's API table describes it. */
const text = z
  .string()
  .max(MAX_CHARS)
  .refine((s) => s.trim().length > 0)
  .refine((s) => !hasForbiddenChars(s));
const spec = z.strictObject({
  input: z.union([text, z.array(text).min(1).max(MAX_ITEMS)]),
  model: z.string().min(1).max(200).optional(),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().positive().optional(),
  user: z.string().max(256).optional(),
});

let app: FastifyInstance;
let url: string;
let routes: CollectedRoute[] = [];
beforeAll(async () => {
  app = buildApp(config({ EMBED_MAX_ITEMS: String(MAX_ITEMS), EMBED_MAX_CHARS: String(MAX_CHARS), SHED_MAX_EVENT_LOOP_DELAY_MS: '0' })) as unknown as FastifyInstance;
  routes = collectRoutes(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app?.close();
});

describe('POST /v1/embeddings, from its documented contract', () => {
  it('valid and mutated bodies: never 5xx, the declared shape, every input embedded in order, 400 on invalid input', { timeout: 120_000 }, async () => {
    const route = routes.find((r) => r.method === 'POST' && r.url === '/v1/embeddings');
    expect(route, 'the app declares POST /v1/embeddings').toBeDefined();
    const ok = (route!.schema as { response: Record<number, z.ZodType> }).response[200]!;
    // The served model and its dimension count most of the time, something else sometimes.
    const valid = fc
      .tuple(arbitraryFromSchema(z.toJSONSchema(spec, { io: 'input' }) as JsonSchema, { maxTextLength: 40 }), fc.nat(9))
      .map(([v, n]) => {
        const body = { ...(v as Record<string, unknown>) };
        if (body.model !== undefined && n < 7) body.model = MODEL;
        if (body.dimensions !== undefined && n < 7) body.dimensions = 768;
        return body;
      });
    const body = fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: mutated(valid) });

    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const res = await fetch(`${url}/v1/embeddings`, {
          method: 'POST',
          headers: b === undefined ? {} : { 'content-type': 'application/json' },
          ...(b === undefined ? {} : { body: JSON.stringify(b) }),
        });
        const json = (await res.json()) as Record<string, unknown>;
        const what = `${JSON.stringify(b)?.slice(0, 300)} → ${res.status} ${JSON.stringify(json).slice(0, 300)}`;
        expect(res.status, what).toBeLessThan(500);
        const input = b === undefined ? undefined : (JSON.parse(JSON.stringify(b)) as unknown);
        const parsed = spec.safeParse(input);
        if (res.status >= 400) {
          expect(res.headers.get('content-type'), what).toMatch(/^application\/problem\+json/);
          expect(problemJson.parse(json).status, what).toBe(res.status);
        }
        if (!parsed.success) {
          expect(res.status, what).toBe(400);
          expect((json.errors as { field: string }[]).some((e) => e.field.startsWith('body')), what).toBe(true);
          return;
        }
        const req = parsed.data;
        if ((req.model !== undefined && req.model !== MODEL) || (req.dimensions !== undefined && req.dimensions !== 768)) {
          // Well-formed, but naming a model or size this instance does not serve.
          expect(res.status, what).toBe(400);
          return;
        }
        expect(res.status, what).toBe(200);
        const out = ok.parse(json) as { data: { index: number; embedding: number[] | string }[] };
        const inputs = typeof req.input === 'string' ? [req.input] : req.input;
        expect(out.data.map((d) => d.index), what).toEqual(inputs.map((_, i) => i));
        for (const d of out.data) {
          if (req.encoding_format === 'base64') expect(Buffer.from(d.embedding as string, 'base64').length, what).toBe(768 * 4);
          else expect((d.embedding as number[]).length, what).toBe(768);
        }
      }),
      { seed: 0xe4bed, numRuns: 300, endOnFailure: true },
    );
  });
});
