import { loadRerankConfig } from '@hh/config';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';

const config = loadRerankConfig({ LOG_LEVEL: 'silent', RERANK_MAX_DOCUMENTS: '5', RERANK_MAX_CHARS: '2000', RERANK_REQUEST_TIMEOUT_MS: '5000' });
const app = buildApp(config);
beforeAll(async () => {
  await app.ready();
});
afterAll(async () => {
  await app.close();
});

interface Problem {
  status: number;
  code: string;
  errors?: { field: string; message: string }[];
}
interface RerankBody {
  id: string;
  model: string;
  results: { index: number; id?: string; relevance_score: number; reasons: string[]; components: Record<string, number | null>; document?: Record<string, unknown> }[];
  meta: { billed_units: { search_units: number }; documents: number; job: { title: string | null; derived: string[] }; weights: Record<string, number> };
}

const post = (payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/v1/rerank', payload: payload as Record<string, unknown>, headers });

const docs = [
  'STAFF ACCOUNTANT\nGeneral ledger, reconciliations, accounts payable, GAAP.',
  'REGISTERED NURSE\nICU nurse, 5 years of experience, BLS, ACLS, patient care.',
  { id: 'c-7', title: 'Enfermeira', skills: ['Enfermagem', 'UTI'], yearsExperience: 4, location: { city: 'Recife', country: 'BR' } },
];

describe('POST /v1/rerank', () => {
  it('answers in the Cohere shape plus id, reasons, components and meta, sorted by score', async () => {
    const res = await post({ query: 'Registered nurse for ICU, BLS required, 3+ years', documents: docs }, { 'x-request-id': 'req-123' });
    expect(res.statusCode).toBe(200);
    const body = res.json<RerankBody>();
    expect(body.id).toBe('req-123');
    expect(res.headers['x-request-id']).toBe('req-123');
    expect(body.model).toBe('hh-rerank-explain-v1');
    expect(body.results).toHaveLength(3);
    const scores = body.results.map((r) => r.relevance_score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(body.results.at(-1)!.index).toBe(0); // the accountant
    const structured = body.results.find((r) => r.index === 2)!;
    expect(structured.id).toBe('c-7');
    expect(Object.keys(structured.components).sort()).toEqual(['bm25', 'experience', 'location', 'skills', 'title']);
    expect(structured.reasons.some((r) => r.startsWith('Matches'))).toBe(true);
    expect(body.results[0]!.document).toBeUndefined();
    expect(body.meta.billed_units.search_units).toBe(1);
    expect(body.meta.documents).toBe(3);
    expect(body.meta.job.title).toBe('Registered nurse');
    expect(body.meta.job.derived).toContain('skills');
  });

  it('top_n truncates and return_documents echoes documents', async () => {
    const res = await post({ query: 'nurse', documents: docs, top_n: 2, return_documents: true });
    expect(res.statusCode).toBe(200);
    const body = res.json<RerankBody>();
    expect(body.results).toHaveLength(2);
    for (const r of body.results) {
      const d = docs[r.index]!;
      expect(r.document).toEqual(typeof d === 'string' ? { text: d } : d);
    }
  });

  it('accepts the structured job and scores location from it', async () => {
    const res = await post({ query: 'Enfermeira', documents: docs, job: { title: 'Enfermeira', skills: ['Enfermagem'], cities: ['Recife'], minYears: 3 } });
    const body = res.json<RerankBody>();
    expect(body.results[0]!.id).toBe('c-7');
    expect(body.results[0]!.reasons).toContain('Located in Recife, BR');
    expect(body.results[0]!.components.location).toBe(1);
  });

  it('is deterministic across calls', async () => {
    const payload = { query: 'Registered nurse, ICU, BLS', documents: docs };
    const a = (await post(payload)).json<RerankBody>();
    const b = (await post(payload)).json<RerankBody>();
    expect(b.results).toEqual(a.results);
  });
});

describe('validation: 400 with field-level messages', () => {
  const fieldsOf = (body: Problem) => (body.errors ?? []).map((e) => e.field);

  it.each([
    ['empty query', { query: '   ', documents: ['a'] }, 'body.query'],
    ['missing query', { documents: ['a'] }, 'body.query'],
    ['query of the wrong type', { query: 42, documents: ['a'] }, 'body.query'],
    ['no documents', { query: 'q', documents: [] }, 'body.documents'],
    ['documents not an array', { query: 'q', documents: 'a' }, 'body.documents'],
    ['too many documents', { query: 'q', documents: ['a', 'b', 'c', 'd', 'e', 'f'] }, 'body.documents'],
    ['NUL in a document', { query: 'q', documents: ['ok', 'bad\u0000text'] }, 'body.documents.1'],
    ['control char in the query', { query: 'bad\u0007', documents: ['a'] }, 'body.query'],
    ['document text too long', { query: 'q', documents: [{ text: 'x'.repeat(2001) }] }, 'body.documents.0.text'],
    ['top_n below 1', { query: 'q', documents: ['a'], top_n: 0 }, 'body.top_n'],
    ['top_n not an integer', { query: 'q', documents: ['a'], top_n: 1.5 }, 'body.top_n'],
    ['unknown top-level field', { query: 'q', documents: ['a'], rank_fields: ['x'] }, 'body.rank_fields'],
    ['unknown document field', { query: 'q', documents: [{ text: 'a', salary: 1 }] }, 'body.documents.0.salary'],
    ['unknown job field', { query: 'q', documents: ['a'], job: { title: 'x', salary: 1 } }, 'body.job.salary'],
    ['bad seniority', { query: 'q', documents: [{ seniority: 'guru' }] }, 'body.documents.0.seniority'],
    ['skills of the wrong type', { query: 'q', documents: [{ skills: ['a', 3] }] }, 'body.documents.0.skills.1'],
    ['negative years', { query: 'q', documents: [{ yearsExperience: -1 }] }, 'body.documents.0.yearsExperience'],
    ['minYears above maxYears', { query: 'q', documents: ['a'], job: { minYears: 5, maxYears: 2 } }, 'body.job.maxYears'],
    ['location not an object', { query: 'q', documents: [{ location: 'Recife' }] }, 'body.documents.0.location'],
    ['null document', { query: 'q', documents: [null] }, 'body.documents.0'],
    ['another model', { query: 'q', documents: ['a'], model: 'rerank-english-v3.0' }, 'body.model'],
    ['return_documents not a boolean', { query: 'q', documents: ['a'], return_documents: 'yes' }, 'body.return_documents'],
  ])('%s', async (_name, payload, field) => {
    const res = await post(payload);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const body = res.json<Problem>();
    expect(body.code).toBe('HH_RERANK_VALIDATION');
    expect(fieldsOf(body)).toContain(field);
  });

  it('reports several problems at once', async () => {
    const res = await post({ query: '', documents: [{ title: 1 }, 'ok', { remote: 'yes' }], top_n: -3 });
    const fields = fieldsOf(res.json<Problem>());
    expect(fields).toEqual(expect.arrayContaining(['body.query', 'body.documents.0.title', 'body.documents.2.remote', 'body.top_n']));
  });

  it('malformed JSON and a non-object body are 400, not 500', async () => {
    const bad = await app.inject({ method: 'POST', url: '/v1/rerank', payload: '{"query": "x", ', headers: { 'content-type': 'application/json' } });
    expect(bad.statusCode).toBe(400);
    const arr = await post([1, 2, 3]);
    expect(arr.statusCode).toBe(400);
  });

  it('never answers 5xx to random bodies (seeded fuzz)', async () => {
    let seed = 12345;
    const rnd = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const atoms: unknown[] = [null, true, 0, -1, 1.5, 1e308, '', 'x', '\u0000', '\ud800', 'São Paulo', [], {}, 'a'.repeat(3000)];
    const keys = ['query', 'documents', 'top_n', 'return_documents', 'job', 'model', 'text', 'skills', 'title', 'location', 'city', 'minYears', 'seniority', '__proto__', 'constructor'];
    const value = (depth: number): unknown => {
      const r = rnd();
      if (depth > 3 || r < 0.5) return atoms[Math.floor(rnd() * atoms.length)];
      if (r < 0.75) return Array.from({ length: Math.floor(rnd() * 4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(rnd() * 4) }, () => [keys[Math.floor(rnd() * keys.length)]!, value(depth + 1)]));
    };
    for (let i = 0; i < 300; i++) {
      const payload = rnd() < 0.5 ? { query: value(2), documents: value(1), ...(rnd() < 0.5 ? { job: value(1) } : {}) } : value(0);
      const res = await app.inject({ method: 'POST', url: '/v1/rerank', payload: JSON.stringify(payload) ?? 'null', headers: { 'content-type': 'application/json' } });
      expect(res.statusCode, JSON.stringify(payload)).toBeLessThan(500);
    }
  });
});

describe('deadline (x-hh-timeout-ms)', () => {
  it('answers 504 at once when no time is left', async () => {
    const res = await post({ query: 'nurse', documents: docs }, { 'x-hh-timeout-ms': '0' });
    expect(res.statusCode).toBe(504);
    expect(res.json<Problem>().code).toBe('HH_RERANK_DEADLINE_TOO_SHORT');
  });

  it('rejects a malformed header with a field-level 400', async () => {
    const res = await post({ query: 'nurse', documents: docs }, { 'x-hh-timeout-ms': 'soon' });
    expect(res.statusCode).toBe(400);
    expect(res.json<Problem>().errors?.[0]?.field).toBe('headers.x-hh-timeout-ms');
  });

  it('scores normally with a sufficient budget', async () => {
    const res = await post({ query: 'nurse', documents: docs }, { 'x-hh-timeout-ms': '2000' });
    expect(res.statusCode).toBe(200);
  });
});

describe('metrics and a real socket', () => {
  it('counts requests by outcome, documents scored and scoring time', async () => {
    const fresh = buildApp(config);
    try {
      await fresh.inject({ method: 'POST', url: '/v1/rerank', payload: { query: 'nurse', documents: docs } });
      await fresh.inject({ method: 'POST', url: '/v1/rerank', payload: { query: 'nurse', documents: ['a', 'b'] } });
      await fresh.inject({ method: 'POST', url: '/v1/rerank', payload: { query: '', documents: ['a'] } });
      await fresh.inject({ method: 'POST', url: '/v1/rerank', payload: { query: 'nurse', documents: ['a'] }, headers: { 'x-hh-timeout-ms': '0' } });
      const text = (await fresh.inject({ method: 'GET', url: '/metrics' })).body;
      expect(text).toMatch(/hh_rerank_requests_total\{outcome="ok"\} 2/);
      expect(text).toMatch(/hh_rerank_requests_total\{outcome="client_error"\} 1/);
      expect(text).toMatch(/hh_rerank_requests_total\{outcome="deadline"\} 1/);
      expect(text).toMatch(/hh_rerank_documents_scored_total 5/);
      expect(text).toMatch(/hh_rerank_scoring_duration_seconds_count 2/);
    } finally {
      await fresh.close();
    }
  });

  it('serves over HTTP with the same contract', async () => {
    const server = buildApp(config);
    try {
      const address = await server.listen({ port: 0, host: '127.0.0.1' });
      const res = await request(`${address}/v1/rerank`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hh-timeout-ms': '1000' },
        body: JSON.stringify({ query: 'Registered nurse', documents: docs, top_n: 1 }),
      });
      expect(res.statusCode).toBe(200);
      const body = (await res.body.json()) as RerankBody;
      expect(body.results).toHaveLength(1);
      expect(body.results[0]!.index).not.toBe(0);
    } finally {
      await server.close();
    }
  });
});
