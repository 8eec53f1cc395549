/**
 * Property tests from the route schemas (docs/RELIABILITY.md §7 targets 18 and 21) for the candidate
 * routes: PUT / GET / DELETE /v1/candidates/{id} and POST /v1/candidates/bulk (JSON and NDJSON),
 * run as random command sequences by two tenants against a model of what each tenant stored.
 *
 * Inputs come from each route's own zod schemas (z.toJSONSchema → fast-check arbitraries, see
 * @hh/testkit), valid and mutated; the same schemas are the oracle for what is valid. For every
 * response: never a 5xx; 2xx bodies parse with the route's declared response schema; errors are
 * problem+json; schema-invalid input is a 400 naming the offending part of the request; and a tenant
 * only ever sees its own candidates. The seed is fixed; on failure fast-check prints it with the
 * shrunk command sequence.
 */
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { arbitraryFromSchema, collectRoutes, mutated, type CollectedRoute, type JsonSchema } from '@hh/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, startHarness, type Api, type ApiResponse, type Harness } from './harness.js';
import { expectNoServerError, expectProblem } from './expectations.js';

let h: Harness;
let routes: CollectedRoute[] = [];

beforeAll(async () => {
  // Load shedding would answer 503 on this busy shared machine; it is tested on its own elsewhere.
  h = await startHarness({ SHED_MAX_EVENT_LOOP_DELAY_MS: '0' }, { beforeStart: (rt) => void (routes = collectRoutes(rt.app as unknown as FastifyInstance)) });
});
afterAll(async () => {
  await h?.close();
});

type ZodSchema = z.ZodType;
interface RouteSchema {
  params?: ZodSchema;
  body?: ZodSchema;
  response?: Record<number, ZodSchema>;
}
function route(method: string, url: string): RouteSchema {
  const found = routes.find((r) => r.method === method && r.url === url);
  if (!found) throw new Error(`the app declares no route ${method} ${url}`);
  return found.schema as RouteSchema;
}
const jsonSchema = (schema: ZodSchema) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;

/** The routes these properties drive; the search route has its own file (properties-search). */
const COVERED = ['PUT /v1/candidates/:id', 'GET /v1/candidates/:id', 'DELETE /v1/candidates/:id', 'POST /v1/candidates/bulk', 'POST /v1/search'];

/** Schema-invalid input: a 400 whose errors[] name a field under `prefix` (body…, params…, headers…). */
function expectFieldErrors(res: ApiResponse, prefix: string, what: string): void {
  expectProblem(res, what);
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(400);
  const fields = (res.body.errors ?? []).map((e: { field: string }) => e.field);
  expect(fields.length, what).toBeGreaterThan(0);
  expect(fields.some((f: string) => f.startsWith(prefix)), `${what}: fields ${fields.join(', ')}`).toBe(true);
}

type TenantName = 'A' | 'B';
/** What each tenant has stored: id → title. */
interface Model {
  stored: Record<TenantName, Map<string, string>>;
}
interface Real {
  api: Record<TenantName, Api>;
}

/** Ids shared by both tenants' commands, so writes collide across tenants and over time. */
const POOL = ['c-1', 'c-2', 'shared', 'x:y@z.q', 'a'.repeat(128), ':'.repeat(128), '@.-_'];
/** Ids the schema rejects (or that cannot name a resource in a URL). */
const BAD_IDS = ['', 'a b', 'é', 'a/b', '%', '?x', '#x', 'a'.repeat(129), '\u0000', '.', '..'];
const path = (id: string) => `/v1/candidates/${encodeURIComponent(id)}`;
/** "." and ".." are valid ids but URL path segments that clients resolve away: no route can see them. */
const unreachable = (id: string) => id === '' || id === '.' || id === '..';
/** What was actually sent, as the server parses it (undefined → no body, undefined in arrays → null). */
const sent = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
const idOf = (item: unknown): string | undefined =>
  item && typeof item === 'object' && typeof (item as { id?: unknown }).id === 'string' ? (item as { id: string }).id : undefined;

describe('candidate routes, from their schemas', () => {
  it('cover every /v1 route the app declares', () => {
    const declared = routes.filter((r) => r.url.startsWith('/v1/') && r.method !== 'HEAD').map((r) => `${r.method} ${r.url}`);
    expect(declared.sort()).toEqual([...COVERED].sort());
  });

  it('random command sequences of two tenants: never 5xx, declared shapes, 400 on invalid input, no cross-tenant reads', { timeout: 300_000 }, async () => {
    const put = route('PUT', '/v1/candidates/:id');
    const get = route('GET', '/v1/candidates/:id');
    const bulk = route('POST', '/v1/candidates/bulk');
    const params = put.params!;
    const candidateBody = put.body!;
    // The bulk route validates items itself (its body is any JSON); each item is a candidate plus its id.
    const bulkItem = (candidateBody as unknown as z.ZodObject).extend({ id: (params as unknown as z.ZodObject).shape.id as z.ZodString });

    const validBody = arbitraryFromSchema(jsonSchema(candidateBody));
    const body = fc.oneof({ weight: 3, arbitrary: validBody }, { weight: 1, arbitrary: mutated(validBody) });
    const id = fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...POOL) },
      { weight: 2, arbitrary: arbitraryFromSchema(jsonSchema(params)).map((p) => (p as { id: string }).id) },
      { weight: 1, arbitrary: fc.constantFrom(...BAD_IDS) },
    );
    const validItem = fc.tuple(validBody, id).map(([b, i]) => ({ ...(b as object), id: i }));
    const item = fc.oneof({ weight: 3, arbitrary: validItem }, { weight: 1, arbitrary: mutated(validItem) });
    const tenant = fc.constantFrom<TenantName>('A', 'B');
    const other = (t: TenantName): TenantName => (t === 'A' ? 'B' : 'A');
    let keySeq = 0;
    const idempotencyKey = fc.oneof(
      { weight: 4, arbitrary: fc.constant(undefined) },
      { weight: 2, arbitrary: fc.constant('fresh') },
      { weight: 1, arbitrary: fc.constantFrom('', 'a b', 'é', 'k'.repeat(256), 'x/y') },
    );

    /** A stored candidate reads back as the route declares, with the title its tenant wrote. */
    async function expectStored(real: Real, model: Model, t: TenantName, cid: string, what: string): Promise<void> {
      if (unreachable(cid)) return;
      const res = await real.api[t].get(cid);
      expectNoServerError(res, what);
      const title = model.stored[t].get(cid);
      if (title === undefined) {
        expectProblem(res, `${what}: tenant ${t} must not see ${cid}`);
        expect(res.status, `${what}: tenant ${t} must not see ${cid}`).toBe(404);
        return;
      }
      expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(200);
      const view = get.response![200]!.parse(res.body) as { id: string; title: string };
      expect(view.id).toBe(cid);
      expect(view.title, `${what}: tenant ${t}'s title`).toBe(title);
    }

    const commands = [
      fc.tuple(tenant, id, body).map(
        ([t, cid, b]): fc.AsyncCommand<Model, Real> => ({
          check: () => true,
          toString: () => `PUT ${t} ${JSON.stringify(cid)} ${JSON.stringify(b)?.slice(0, 300)}`,
          async run(model, real) {
            const what = `PUT ${t} ${JSON.stringify(cid)}`;
            const res = await real.api[t].raw('PUT', path(cid), b === undefined ? undefined : JSON.stringify(b));
            expectNoServerError(res, what);
            const input = sent(b);
            if (unreachable(cid)) {
              expect(res.status, what).toBe(404);
              return;
            }
            if (!params.safeParse({ id: cid }).success) return expectFieldErrors(res, 'params', what);
            if (!candidateBody.safeParse(input).success) {
              if (res.status === 413) return expectProblem(res, what);
              return expectFieldErrors(res, 'body', what);
            }
            const versioned = (input as { version?: number }).version !== undefined;
            if (versioned && res.status === 409) return expectProblem(res, what);
            expect([200, 201], `${what}: ${JSON.stringify(res.body)}`).toContain(res.status);
            const out = put.response![res.status]!.parse(res.body) as { id: string; status: string };
            expect(out.id).toBe(cid);
            model.stored[t].set(cid, (input as { title: string }).title.trim());
            await expectStored(real, model, t, cid, what);
            await expectStored(real, model, other(t), cid, `${what}, read by the other tenant`);
          },
        }),
      ),
      fc.tuple(tenant, id).map(
        ([t, cid]): fc.AsyncCommand<Model, Real> => ({
          check: () => true,
          toString: () => `GET ${t} ${JSON.stringify(cid)}`,
          async run(model, real) {
            const what = `GET ${t} ${JSON.stringify(cid)}`;
            if (unreachable(cid)) return expectNoServerError(await real.api[t].get(cid), what);
            if (!params.safeParse({ id: cid }).success) return expectFieldErrors(await real.api[t].get(cid), 'params', what);
            await expectStored(real, model, t, cid, what);
          },
        }),
      ),
      fc.tuple(tenant, id).map(
        ([t, cid]): fc.AsyncCommand<Model, Real> => ({
          check: () => true,
          toString: () => `DELETE ${t} ${JSON.stringify(cid)}`,
          async run(model, real) {
            const what = `DELETE ${t} ${JSON.stringify(cid)}`;
            const res = await real.api[t].del(cid);
            expectNoServerError(res, what);
            if (unreachable(cid)) {
              expect(res.status, what).toBe(404);
              return;
            }
            if (!params.safeParse({ id: cid }).success) return expectFieldErrors(res, 'params', what);
            if (model.stored[t].has(cid)) {
              expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(204);
              model.stored[t].delete(cid);
            } else {
              expectProblem(res, what);
              expect(res.status, what).toBe(404);
            }
            await expectStored(real, model, t, cid, what);
            await expectStored(real, model, other(t), cid, `${what}, the other tenant's copy`);
          },
        }),
      ),
      fc.tuple(tenant, fc.array(item, { maxLength: 4 }), fc.constantFrom('json', 'ndjson', 'ndjson-broken'), idempotencyKey).map(
        ([t, items, format, key]): fc.AsyncCommand<Model, Real> => ({
          check: () => true,
          toString: () => `BULK ${t} ${format} key=${String(key)} ${JSON.stringify(items)?.slice(0, 300)}`,
          async run(model, real) {
            const what = `BULK ${t} ${format}`;
            const lines = items.map((i) => JSON.stringify(i) ?? 'undefined');
            if (format === 'ndjson-broken') lines.splice(lines.length >> 1, 0, '{"id": "broken", ');
            const text = format === 'json' ? JSON.stringify(items) : lines.join('\n');
            const headers: Record<string, string> = {};
            if (key !== undefined) headers['idempotency-key'] = key === 'fresh' ? `prop-${Date.now()}-${++keySeq}` : key;
            const res = await real.api[t].bulk(text, format === 'json' ? 'application/json' : 'application/x-ndjson', headers);
            expectNoServerError(res, what);
            if (key !== undefined && key !== 'fresh') return expectFieldErrors(res, 'headers', what);
            let parsed: unknown[];
            try {
              parsed = format === 'json' ? (sent(items) as unknown[]) : lines.filter((l) => l.trim()).map((l) => JSON.parse(l) as unknown);
            } catch {
              return expectFieldErrors(res, 'body', `${what} (a line that is not JSON)`);
            }
            if (parsed.length === 0) return expectFieldErrors(res, 'body', `${what} (no candidates)`);
            expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(200);
            const out = bulk.response![200]!.parse(res.body) as { items: { index: number; status: string; errors?: { field: string }[] }[] };
            expect(out.items).toHaveLength(parsed.length);
            const seen = new Set<string>();
            for (let i = 0; i < parsed.length; i++) {
              const result = out.items[i]!;
              expect(result.index).toBe(i);
              const ok = bulkItem.safeParse(parsed[i]);
              const cid = idOf(parsed[i]);
              const duplicate = ok.success && seen.has(cid!);
              if (ok.success) seen.add(cid!);
              if (!ok.success || duplicate) {
                expect(result.status, `${what} item ${i}: ${JSON.stringify(result)}`).toBe('invalid');
                expect(result.errors?.some((e) => e.field.startsWith(`body[${i}]`)), `${what} item ${i}`).toBe(true);
                continue;
              }
              const versioned = (parsed[i] as { version?: number }).version !== undefined;
              if (versioned && result.status === 'conflict') continue;
              expect(['created', 'updated', 'unchanged'], `${what} item ${i}: ${JSON.stringify(result)}`).toContain(result.status);
              model.stored[t].set(cid!, (parsed[i] as { title: string }).title.trim());
            }
            for (const cid of seen) {
              await expectStored(real, model, t, cid, `${what}: ${cid}`);
              await expectStored(real, model, other(t), cid, `${what}: ${cid}, read by the other tenant`);
            }
          },
        }),
      ),
      fc.tuple(tenant, fc.constantFrom('registered nurse', 'Back-End', 'C++', 'enfermeira', 'São Paulo', 'w')).map(
        ([t, query]): fc.AsyncCommand<Model, Real> => ({
          check: () => true,
          toString: () => `SEARCH ${t} ${query}`,
          async run(model, real) {
            const what = `SEARCH ${t} ${query}`;
            const res = await real.api[t].search({ query, limit: 100, rerank: false });
            expectNoServerError(res, what);
            expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(200);
            for (const hit of (res.body as { results: { candidateId: string; title: string }[] }).results) {
              expect(model.stored[t].has(hit.candidateId), `${what}: ${hit.candidateId} is not tenant ${t}'s`).toBe(true);
              expect(hit.title, `${what}: ${hit.candidateId} is tenant ${t}'s copy`).toBe(model.stored[t].get(hit.candidateId));
            }
          },
        }),
      ),
    ];

    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 14 }), async (cmds) => {
        // A fresh pair of tenants per sequence: the model starts empty, and so does what they can see.
        run++;
        const real: Real = {
          api: { A: client(h.url, (await h.newTenant(`prop-a-${run}`)).key), B: client(h.url, (await h.newTenant(`prop-b-${run}`)).key) },
        };
        await fc.asyncModelRun(() => ({ model: { stored: { A: new Map(), B: new Map() } }, real }), cmds);
      }),
      { seed: 0x0c4d1da7, numRuns: 20, endOnFailure: true },
    );
  });
});
