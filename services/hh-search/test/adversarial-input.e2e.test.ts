/**
 * 100 KB of adversarial text in every field a client can send (docs/RELIABILITY.md §7 target 20), through
 * the real HTTP routes: long words without a hyphen, runs of hyphens, "a-a-a-…", accented letters,
 * digits and mixed text. Every answer is a 2xx or a 4xx, never a 5xx, and it arrives (a hang is
 * bounded by the test timeout; no durations are asserted). What the route's schema accepts (each
 * field filled up to its maximum) is stored and readable, and searches keep working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkItem, candidateInput } from '../src/candidates/schema.js';
import { searchRequest } from '../src/search/schema.js';
import { client, startHarness, type Api, type ApiResponse, type Harness } from './harness.js';

let h: Harness;
let api: Api;
let key: string;

beforeAll(async () => {
  // Load shedding would answer 503 on this busy shared machine; it is tested on its own elsewhere.
  h = await startHarness({ SHED_MAX_EVENT_LOOP_DELAY_MS: '0' });
  key = (await h.newTenant('adversarial')).key;
  api = client(h.url, key);
});
afterAll(async () => {
  await h?.close();
});

const KB100 = 100 * 1024;
/** 100 KB of each kind of text that makes a naive tokenizer or regex work hard. */
const VARIANTS: Record<string, string> = {
  'letters without a hyphen': 'a'.repeat(KB100),
  hyphens: '-'.repeat(KB100),
  'letter-hyphen pairs': 'a-'.repeat(KB100 / 2),
  'accented letters': 'é'.repeat(KB100),
  'other scripts': 'ção日本Ελλάς'.repeat(KB100 / 10),
  digits: '1'.repeat(KB100),
  'digit then spaces': `1${' '.repeat(KB100 - 2)}x`,
  mixed: 'back-end São-Paulo C++ 3-5 anos 5+ years e-mail --x- '.repeat(Math.ceil(KB100 / 54)).slice(0, KB100),
};
const variants = Object.entries(VARIANTS);
/** Header values must be bytes: the same shapes in Latin-1. */
const latin1 = (s: string) => s.replace(/[^\u0000-\u00ff]/gu, 'é');
const fit = (s: string, max: number) => s.slice(0, max);

function expect2xxOr4xx(res: ApiResponse, what: string): void {
  expect(res.status, `${what} → ${res.status} ${JSON.stringify(res.body)?.slice(0, 300)}`).toBeGreaterThanOrEqual(200);
  expect(res.status, `${what} → ${res.status} ${JSON.stringify(res.body)?.slice(0, 300)}`).toBeLessThan(500);
  expect(res.status >= 300 && res.status < 400, what).toBe(false);
}

/** The candidate's text fields, each set to `v` in an otherwise minimal profile. */
const CANDIDATE_FIELDS: Array<[string, (v: string) => Record<string, unknown>]> = [
  ['title', (v) => ({ title: v })],
  ['headline', (v) => ({ title: 'Nurse', headline: v })],
  ['summary', (v) => ({ title: 'Nurse', summary: v })],
  ['skills[]', (v) => ({ title: 'Nurse', skills: ['BLS', v] })],
  ['experience[].title', (v) => ({ title: 'Nurse', experience: [{ title: v }] })],
  ['experience[].company', (v) => ({ title: 'Nurse', experience: [{ title: 'RN', company: v }] })],
  ['experience[].description', (v) => ({ title: 'Nurse', experience: [{ title: 'RN', description: v }] })],
  ['location.country', (v) => ({ title: 'Nurse', location: { country: v } })],
  ['location.region', (v) => ({ title: 'Nurse', location: { region: v } })],
  ['location.city', (v) => ({ title: 'Nurse', location: { city: v } })],
];

/** Every text field of a profile at once, each filled with `v` up to its maximum: the largest profile accepted. */
function maximalProfile(v: string): Record<string, unknown> {
  return {
    title: fit(v, 200),
    headline: fit(v, 500),
    summary: fit(v, 10_000),
    skills: Array.from({ length: 200 }, (_, i) => fit(`${i} ${v}`, 100)),
    experience: Array.from({ length: 50 }, (_, i) => ({ title: fit(`${i}${v}`, 200), company: fit(v, 200), description: fit(v, 5_000) })),
    location: { country: 'BR', region: fit(v, 100), city: fit(v, 100) },
  };
}

describe('candidate fields', () => {
  it.each(CANDIDATE_FIELDS.flatMap(([field, set]) => variants.map(([name, v]) => [field, name, set(v)] as const)))(
    'PUT with 100 KB in %s (%s): a 400 naming the field',
    { timeout: 60_000 },
    async (field, _name, body) => {
      const res = await api.put('adv-1', body);
      expect2xxOr4xx(res, `PUT ${field}`);
      expect(res.status).toBe(400);
      const top = field.split(/[.[]/u)[0]!;
      expect((res.body.errors as { field: string }[]).some((e) => e.field.startsWith(`body.${top}`) || e.field === 'body'), JSON.stringify(res.body.errors)).toBe(true);
    },
  );

  it.each(['a'.repeat(128), ':'.repeat(128), '@.-_'.repeat(32)])('the longest ids (%s) work on every route, even percent-encoded', { timeout: 60_000 }, async (id) => {
    expect((await api.put(id, { title: 'Registered Nurse' })).status).toBe(201);
    const got = await api.get(id);
    expect(got.status, JSON.stringify(got.body)).toBe(200);
    expect(got.body.id).toBe(id);
    expect((await api.del(id)).status).toBe(204);
    const gone = await api.get(id);
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('HH_SEARCH_CANDIDATE_NOT_FOUND');
  });

  it.each(variants)('an id of 100 KB (%s) is refused with a 4xx', { timeout: 60_000 }, async (_name, v) => {
    for (const method of ['PUT', 'GET', 'DELETE']) {
      const res = await api.raw(method, `/v1/candidates/${encodeURIComponent(v)}`, method === 'PUT' ? { title: 'Nurse' } : undefined);
      expect2xxOr4xx(res, `${method} id`);
      expect(res.status).toBeGreaterThanOrEqual(400);
    }
  });

  it.each(variants)('every field at its maximum (%s): stored as sent when the schema accepts it, readable, searchable', { timeout: 120_000 }, async (name, v) => {
    const id = `max-${name.replace(/[^a-z]/gu, '-')}`;
    const body = maximalProfile(v);
    const res = await api.put(id, body);
    expect2xxOr4xx(res, `PUT maximal ${name}`);
    if (!candidateInput.safeParse(body).success) {
      expect(res.status).toBe(400);
      return;
    }
    expect([200, 201], JSON.stringify(res.body)).toContain(res.status);
    const got = await api.get(id);
    expect(got.status).toBe(200);
    expect(got.body.title).toBe((body.title as string).trim());
    expect(got.body.skills).toHaveLength(200);
    const search = await api.search({ query: 'nurse', limit: 5 });
    expect2xxOr4xx(search, 'search after a maximal profile');
    expect(search.status).toBe(200);
  });

  it('a compound in a maximal profile is found by its joined spelling', { timeout: 60_000 }, async () => {
    const res = await api.search({ query: 'backend', limit: 50, rerank: false });
    expect(res.status).toBe(200);
    expect((res.body.results as { candidateId: string }[]).map((r) => r.candidateId)).toContain('max-mixed');
  });

  it.each(variants)('NDJSON bulk with 100 KB lines (%s): per-item answers, the valid items stored', { timeout: 120_000 }, async (name, v) => {
    const slug = name.replace(/[^a-z]/gu, '-');
    const items = [
      { id: `nd-${slug}-big`, title: v },
      { id: `nd-${slug}-max`, ...maximalProfile(v) },
      { id: `nd-${slug}-ok`, title: 'Registered Nurse', summary: fit(v, 10_000) },
    ];
    const res = await api.bulk(items.map((i) => JSON.stringify(i)).join('\n'), 'application/x-ndjson');
    expect2xxOr4xx(res, `bulk ${name}`);
    expect(res.status).toBe(200);
    const statuses = (res.body.items as { status: string }[]).map((i) => i.status);
    items.forEach((item, i) => {
      const valid = bulkItem.safeParse(item).success;
      expect(valid ? ['created', 'updated', 'unchanged'] : ['invalid'], `item ${i}: ${statuses[i]}`).toContain(statuses[i]);
    });
    const broken = await api.bulk(`${JSON.stringify(items[2])}\n{"id":"x","title":"${v}`, 'application/x-ndjson');
    expect2xxOr4xx(broken, `bulk ${name} with a truncated line`);
    expect(broken.status).toBe(400);
  });
});

/** The search request's text fields, each set to `v`. */
const SEARCH_FIELDS: Array<[string, (v: string) => Record<string, unknown>]> = [
  ['query', (v) => ({ query: v })],
  ['jobDescription', (v) => ({ jobDescription: v })],
  ['filters.countries', (v) => ({ query: 'nurse', filters: { countries: [v] } })],
  ['filters.cities', (v) => ({ query: 'nurse', filters: { cities: [v] } })],
  ['filters.mustHaveSkills', (v) => ({ query: 'nurse', filters: { mustHaveSkills: [v] } })],
  ['filters.niceToHaveSkills', (v) => ({ query: 'nurse', filters: { niceToHaveSkills: [v] } })],
  ['cursor', (v) => ({ query: 'nurse', cursor: v })],
];
const SEARCH_MAX: Record<string, number> = {
  query: 500,
  jobDescription: 20_000,
  'filters.countries': 2,
  'filters.cities': 100,
  'filters.mustHaveSkills': 100,
  'filters.niceToHaveSkills': 100,
  cursor: 2_000,
};

describe('search fields', () => {
  it.each(SEARCH_FIELDS.flatMap(([field, set]) => variants.map(([name, v]) => [field, name, set(v)] as const)))(
    'search with 100 KB in %s (%s): a 400 naming the field',
    { timeout: 60_000 },
    async (field, _name, body) => {
      const res = await api.search(body);
      expect2xxOr4xx(res, `search ${field}`);
      expect(res.status).toBe(400);
      const top = field.split('.')[0]!;
      expect((res.body.errors as { field: string }[]).some((e) => e.field.startsWith(`body.${top}`) || e.field === 'body'), JSON.stringify(res.body.errors)).toBe(true);
    },
  );

  it.each(SEARCH_FIELDS.flatMap(([field, set]) => variants.map(([name, v]) => [field, name, set(fit(v, SEARCH_MAX[field]!))] as const)))(
    'search with %s at its maximum (%s): a 200 when the schema accepts it, else a 400',
    { timeout: 60_000 },
    async (field, _name, body) => {
      const res = await api.search(body);
      expect2xxOr4xx(res, `search ${field} at its maximum`);
      const accepted = searchRequest.safeParse(body).success;
      // A cursor this API never issued is refused even when it is well-formed.
      if (!accepted || field === 'cursor') expect([400, 410]).toContain(res.status);
      else expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
    },
  );
});

describe('headers', () => {
  const rawRequest = (headers: Record<string, string>, path = '/v1/search', body: unknown = { query: 'nurse', limit: 1 }) =>
    fetch(`${h.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it.each(variants)('100 KB in idempotency-key, x-request-id or authorization (%s): a 4xx', { timeout: 60_000 }, async (_name, v) => {
    const value = latin1(v);
    const cases: Record<string, string>[] = [
      { authorization: `Bearer ${key}`, 'idempotency-key': value },
      { authorization: `Bearer ${key}`, 'x-request-id': value },
      { authorization: `Bearer ${value}` },
      { authorization: value },
    ];
    for (const headers of cases) {
      const path = 'idempotency-key' in headers ? '/v1/candidates/bulk' : '/v1/search';
      const res = await rawRequest(headers, path, path === '/v1/search' ? undefined : [{ id: 'h-1', title: 'Nurse' }]);
      await res.arrayBuffer();
      expect(res.status, Object.keys(headers).join(',')).toBeGreaterThanOrEqual(400);
      expect(res.status, Object.keys(headers).join(',')).toBeLessThan(500);
    }
  });

  it.each(variants)('header values at their maximum (%s): accepted when well-formed, else a 4xx', { timeout: 60_000 }, async (_name, v) => {
    // fetch trims a header value's surrounding whitespace, so compare with what is actually sent.
    const value = latin1(v);
    const id = fit(value, 128).trim();
    const byId = await rawRequest({ authorization: `Bearer ${key}`, 'x-request-id': id });
    await byId.arrayBuffer();
    expect(byId.status).toBe(200);
    // An acceptable request id is echoed; anything else is replaced, never reflected.
    if (/^[A-Za-z0-9._:-]{1,128}$/u.test(id)) expect(byId.headers.get('x-request-id')).toBe(id);
    else expect(byId.headers.get('x-request-id')).not.toBe(id);

    const idem = fit(value, 255).trim();
    const bulk = await rawRequest({ authorization: `Bearer ${key}`, 'idempotency-key': idem }, '/v1/candidates/bulk', [{ id: 'h-2', title: 'Nurse' }]);
    await bulk.arrayBuffer();
    expect(/^[A-Za-z0-9_\-.:]{1,255}$/u.test(idem) ? [200] : [400]).toContain(bulk.status);

    const auth = await rawRequest({ authorization: `Bearer ${fit(value, 4_000)}` });
    await auth.arrayBuffer();
    expect(auth.status).toBe(401);
  });
});
