/**
 * Property tests from the route schema (docs/RELIABILITY.md §7 targets 18 and 21) for POST /v1/search:
 * request bodies generated from the route's own zod schema (z.toJSONSchema → fast-check), valid and
 * mutated, sent by one of two tenants with different pools. For every response: never a 5xx; a 200
 * parses with the route's declared response schema and holds only the caller's candidates, pages
 * included; schema-invalid input is a 400 naming a body field; other errors are problem+json. The
 * seed is fixed; on failure fast-check prints it with the shrunk input.
 */
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { arbitraryFromSchema, collectRoutes, mutated, type CollectedRoute, type JsonSchema } from '@hh/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountant, backendPt, nurse } from './fixtures.js';
import { client, startHarness, type Api, type Harness } from './harness.js';
import { expectNoServerError, expectProblem } from './expectations.js';

let h: Harness;
let routes: CollectedRoute[] = [];
const api: Partial<Record<'A' | 'B', Api>> = {};
const pool: Record<'A' | 'B', Set<string>> = { A: new Set(), B: new Set() };

beforeAll(async () => {
  // Load shedding would answer 503 on this busy shared machine; it is tested on its own elsewhere.
  h = await startHarness({ SHED_MAX_EVENT_LOOP_DELAY_MS: '0' }, { beforeStart: (rt) => void (routes = collectRoutes(rt.app as unknown as FastifyInstance)) });
  api.A = client(h.url, (await h.newTenant('search-prop-a')).key);
  api.B = client(h.url, (await h.newTenant('search-prop-b')).key);
  // Overlapping words and ids across the tenants, so any leak would show.
  const a = [...[1, 2, 3].map((i) => ({ id: `p-${i}`, ...nurse(i) })), ...[1, 2].map((i) => ({ id: `acc-${i}`, ...accountant(i) }))];
  const b = [{ id: 'p-1', ...backendPt }, ...[7, 8].map((i) => ({ id: `b-${i}`, ...nurse(i), title: 'Registered Nurse (B)' }))];
  expect((await api.A.bulk(a)).status).toBe(200);
  expect((await api.B.bulk(b)).status).toBe(200);
  for (const c of a) pool.A.add(c.id);
  for (const c of b) pool.B.add(c.id);
  await h.settle();
});
afterAll(async () => {
  await h?.close();
});

function schemas() {
  const found = routes.find((r) => r.method === 'POST' && r.url === '/v1/search');
  if (!found) throw new Error('the app declares no route POST /v1/search');
  const s = found.schema as { body: z.ZodType; response: Record<number, z.ZodType> };
  return { body: s.body, ok: s.response[200]!, json: z.toJSONSchema(s.body, { io: 'input', unrepresentable: 'any' }) as JsonSchema };
}


/** Words from both pools and from nowhere, so searches hit, miss and overlap. */
const WORDS = ['registered nurse', 'Nurse (B)', 'ICU', 'accountant', 'GAAP', 'Desenvolvedor Back-end', 'Node.js', 'PostgreSQL', 'Houston', 'São Paulo', 'astronaut'];

describe('POST /v1/search, from its schema', () => {
  it('valid and mutated bodies by two tenants: never 5xx, the declared shape, 400 on invalid input, only the caller’s candidates', { timeout: 300_000 }, async () => {
    const { body: requestSchema, ok, json } = schemas();
    const text = fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 3 }).map((w) => w.join(' '));
    // Random filters rarely match anyone; half the bodies drop them so that results (and pages) are common.
    const valid = fc.tuple(arbitraryFromSchema(json, { text }), fc.boolean()).map(([v, keep]) => {
      if (keep) return v;
      const { filters: _f, ...rest } = v as Record<string, unknown>;
      return rest;
    });
    const body = fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: mutated(valid) });
    const requestId = fc.oneof(fc.constant(undefined), fc.constantFrom('req-1', 'a'.repeat(128), 'a'.repeat(129), 'bad id', 'é', ''));

    await fc.assert(
      fc.asyncProperty(fc.constantFrom<'A' | 'B'>('A', 'B'), body, requestId, async (t, b, rid) => {
        const what = `SEARCH ${t} ${JSON.stringify(b)?.slice(0, 400)}`;
        const res = await api[t]!.raw('POST', '/v1/search', b === undefined ? undefined : JSON.stringify(b), rid === undefined ? {} : { 'x-request-id': rid });
        expectNoServerError(res, what);
        // A request id is echoed when it is acceptable, replaced otherwise; never reflected unchecked.
        const echoed = res.headers.get('x-request-id');
        expect(echoed, what).toBeTruthy();
        if (rid !== undefined && !/^[A-Za-z0-9._:-]{1,128}$/.test(rid)) expect(echoed, what).not.toBe(rid);

        const input = b === undefined ? undefined : (JSON.parse(JSON.stringify(b)) as unknown);
        const parsed = requestSchema.safeParse(input);
        if (!parsed.success) {
          if (res.status === 413) return expectProblem(res, what);
          expectProblem(res, what);
          expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(400);
          const fields = (res.body.errors ?? []).map((e: { field: string }) => e.field);
          expect(fields.some((f: string) => f.startsWith('body')), `${what}: fields ${fields.join(', ')}`).toBe(true);
          return;
        }
        // A well-formed cursor this API never issued is refused (400, or 410 once it has expired).
        if ((parsed.data as { cursor?: string }).cursor !== undefined && res.status !== 200) {
          expectProblem(res, what);
          expect([400, 410], what).toContain(res.status);
          return;
        }
        expect(res.status, `${what}: ${JSON.stringify(res.body)?.slice(0, 500)}`).toBe(200);
        const page = ok.parse(res.body) as { results: { candidateId: string }[]; nextCursor: string | null };
        const limit = (parsed.data as { limit: number }).limit;
        expect(page.results.length, what).toBeLessThanOrEqual(limit);
        const ids = page.results.map((r) => r.candidateId);
        expect(new Set(ids).size, `${what}: duplicates in a page`).toBe(ids.length);
        for (const id of ids) expect(pool[t].has(id), `${what}: ${id} is not tenant ${t}'s`).toBe(true);
        if (!page.nextCursor) return;
        // The next page: still the caller's, no repeats; the other tenant's cursor use shows only its own.
        const next = await api[t]!.search({ ...(input as object), cursor: page.nextCursor });
        expectNoServerError(next, `${what}, page 2`);
        if (next.status !== 200) return expectProblem(next, `${what}, page 2`);
        const page2 = (ok.parse(next.body) as { results: { candidateId: string }[] }).results.map((r) => r.candidateId);
        for (const id of page2) {
          expect(ids, `${what}: ${id} on both pages`).not.toContain(id);
          expect(pool[t].has(id), `${what}: page 2 has ${id}, not tenant ${t}'s`).toBe(true);
        }
        const o = t === 'A' ? 'B' : 'A';
        const foreign = await api[o]!.search({ ...(input as object), cursor: page.nextCursor });
        expectNoServerError(foreign, `${what}, cursor used by tenant ${o}`);
        if (foreign.status === 200) {
          for (const r of (ok.parse(foreign.body) as { results: { candidateId: string }[] }).results) {
            expect(pool[o].has(r.candidateId), `${what}: tenant ${o} got ${r.candidateId} through a cursor`).toBe(true);
          }
        } else expectProblem(foreign, `${what}, cursor used by tenant ${o}`);
      }),
      { seed: 0x5ea4c4, numRuns: 90, endOnFailure: true },
    );
  });
});
