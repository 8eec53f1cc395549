/** Bad input gets a 4xx with field-level messages — never a 500, a hang or a stored row. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nurse } from './fixtures.js';
import { client, startHarness, type Harness } from './harness.js';

let h: Harness;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  h = await startHarness();
  const t = await h.newTenant('validation');
  api = client(h.url, t.key);
  await api.put('n-1', nurse(1));
  await h.settle();
});
afterAll(async () => {
  await h?.close();
});

const fields = (res: { body: { errors?: { field: string }[] } }) => (res.body.errors ?? []).map((e) => e.field);

describe('authentication', () => {
  it('401 without a key, with a malformed key and with an unknown key', async () => {
    for (const auth of [undefined, 'Basic abc', 'Bearer x', 'Bearer hh_unknown_key_000000']) {
      const res = await fetch(`${h.url}/v1/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
        body: JSON.stringify({ query: 'nurse' }),
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(((await res.json()) as { code: string }).code).toBe('HH_SEARCH_UNAUTHORIZED');
    }
  });
  it('stores only SHA-256 digests of keys', async () => {
    const { rows } = await h.db.pool.query('SELECT octet_length(key_hash) AS n FROM api_keys');
    expect(rows.every((r) => (r as { n: number }).n === 32)).toBe(true);
  });
});

describe('search input', () => {
  it.each([
    [{ query: 'nurse', limit: 0 }, 'body.limit'],
    [{ query: 'nurse', limit: 1000 }, 'body.limit'],
    [{ query: '' }, 'body.query'],
    [{ query: '   ' }, 'body.query'],
    [{}, 'body.query'],
    [{ query: 'nurse\u0000' }, 'body.query'],
    [{ jobDescription: 'a\u0000b' }, 'body.jobDescription'],
    [{ query: 'nurse', colour: 'blue' }, 'body.colour'],
    [{ query: 'nurse', filters: { countries: ['BR'], colour: 'blue' } }, 'body.filters.colour'],
    [{ query: 'nurse', filters: { minYears: 1e-300 } }, 'body.filters.minYears'],
    [{ query: 'nurse', filters: { countries: ['Brazil'] } }, 'body.filters.countries.0'],
    [{ query: 'nurse', filters: { minYears: 9, maxYears: 2 } }, 'body.filters.minYears'],
    [{ query: 'nurse', filters: { seniority: ['guru'] } }, 'body.filters.seniority.0'],
    [{ query: 'nurse', weights: { vector: -1 } }, 'body.weights.vector'],
    [{ query: 'x'.repeat(501) }, 'body.query'],
    [{ query: 'nurse', cursor: '!!!' }, 'body.cursor'],
  ])('rejects %j with a field-level 400', async (body, field) => {
    const res = await api.search(body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('HH_SEARCH_VALIDATION');
    expect(fields(res).some((f) => f.startsWith(field))).toBe(true);
  });

  it('stray tsquery operators never cause a 500', async () => {
    for (const q of ['& | ! ( ) : *', 'nurse & (', '"unterminated', "o'brien !!", '*:*', 'or or or', '<-> <2>', '\\', 'ナース 🚑', 'a:* & b:A']) {
      const res = await api.search({ query: q, limit: 5 });
      expect(res.status, `${q}: ${JSON.stringify(res.body)}`).toBe(200);
      expect(Array.isArray(res.body.results)).toBe(true);
    }
  });

  it('malformed JSON and wrong content types are 4xx', async () => {
    const bad = await api.raw('POST', '/v1/search', '{"query": ', { 'content-type': 'application/json' });
    expect(bad.status).toBe(400);
    const wrongType = await api.raw('POST', '/v1/search', '<query>nurse</query>', { 'content-type': 'application/xml' });
    expect(wrongType.status).toBe(415);
    const text = await api.raw('POST', '/v1/search', 'query=nurse', { 'content-type': 'text/plain' });
    expect(text.status).toBe(400);
    expect(fields(text)[0]).toBe('body');
  });

  it('a 10 MB body is refused with 413 and nothing is stored', async () => {
    const huge = JSON.stringify({ query: 'nurse', jobDescription: 'x'.repeat(10 * 1024 * 1024) });
    const res = await api.raw('POST', '/v1/search', huge, { 'content-type': 'application/json' });
    expect(res.status).toBe(413);
    const put = await api.raw('PUT', '/v1/candidates/huge', JSON.stringify({ title: 'x', summary: 'y'.repeat(10 * 1024 * 1024) }), { 'content-type': 'application/json' });
    expect(put.status).toBe(413);
    expect((await api.get('huge')).status).toBe(404);
  });
});

describe('candidate input', () => {
  it.each([
    [{ title: '' }, 'body.title'],
    [{ title: 'Nurse', skills: ['ok', ''] }, 'body.skills.1'],
    [{ title: 'Nurse\u0000' }, 'body.title'],
    [{ title: 'Nurse', yearsExperience: -1 }, 'body.yearsExperience'],
    [{ title: 'Nurse', language: 'fr' }, 'body.language'],
    [{ title: 'Nurse', location: { country: 'USA' } }, 'body.location.country'],
    [{ title: 'Nurse', favouriteColour: 'blue' }, 'body.favouriteColour'],
    [{ title: 'Nurse', location: { country: 'US', planet: 'Earth' } }, 'body.location.planet'],
    [{ title: 'Nurse', yearsExperience: 1e-300 }, 'body.yearsExperience'],
    [{ title: 'Nurse', yearsExperience: 81 }, 'body.yearsExperience'],
    [{ title: 'Nurse', version: 0 }, 'body.version'],
  ])('rejects %j with a field-level 400 and stores nothing', async (body, field) => {
    const res = await api.put('bad-1', body);
    expect(res.status).toBe(400);
    expect(fields(res).some((f) => f.startsWith(field))).toBe(true);
    expect((await api.get('bad-1')).status).toBe(404);
  });

  it('rejects bad ids in the path', async () => {
    const res = await api.put('has space', { title: 'Nurse' });
    expect(res.status).toBe(400);
    expect(fields(res)[0]).toMatch(/^params\.id/);
  });

  it('bulk: empty, non-array and oversized bodies are 4xx; duplicate ids are per-item errors', async () => {
    expect((await api.bulk([])).status).toBe(400);
    expect((await api.bulk({ not: 'an array' })).status).toBe(400);
    const dup = await api.bulk([{ id: 'd-1', title: 'Nurse' }, { id: 'd-1', title: 'Nurse' }, { id: 'd-2', title: 'Nurse', colour: 'blue' }]);
    expect(dup.status).toBe(200);
    expect(dup.body.items[1]).toMatchObject({ status: 'invalid' });
    expect(dup.body.items[2]).toMatchObject({ status: 'invalid', errors: [{ field: 'body[2].colour', message: 'is not a known field' }] });
    const nd = await api.bulk('{"id":"x-1","title":"Nurse"}\n{not json', 'application/x-ndjson');
    expect(nd.status).toBe(400);
    expect(fields(nd)[0]).toBe('body[line 2]');
  });
});
