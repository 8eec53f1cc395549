import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZodApp } from '@hh/service-kit';
import { request } from 'undici';
import { buildApp, createBuiltinEmbedder } from '../src/index.js';
import { config, metric, type Problem } from './helpers.js';

interface EmbeddingsBody {
  object: string;
  data: { object: string; index: number; embedding: number[] | string }[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

const model = createBuiltinEmbedder(768);

describe('POST /v1/embeddings (builtin provider)', () => {
  let app: ZodApp;
  beforeAll(async () => {
    app = buildApp(config({ EMBED_MAX_ITEMS: '4', EMBED_MAX_CHARS: '60', EMBED_BATCH_WAIT_MS: '1' }));
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
  });

  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/v1/embeddings', payload: payload as object, headers });

  it('embeds a string in the OpenAI response shape', async () => {
    const res = await post({ input: 'senior backend engineer' });
    expect(res.statusCode).toBe(200);
    const body = res.json<EmbeddingsBody>();
    expect(body.object).toBe('list');
    expect(body.model).toBe('hh-hash-768-v1');
    expect(body.data).toHaveLength(1);
    expect(body.data[0]!.object).toBe('embedding');
    expect(body.data[0]!.index).toBe(0);
    // JSON round trip of float32 values is exact: the service returns what the model computes.
    expect(body.data[0]!.embedding).toEqual(Array.from(model.embedOne('senior backend engineer')));
    expect(body.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    expect(res.headers['x-request-id']).toBeTruthy();
  });

  it('embeds an array in order, with the served model named or omitted', async () => {
    const input = ['registered nurse ICU', 'desenvolvedor back-end sênior', 'contador'];
    for (const m of [undefined, 'hh-hash-768-v1']) {
      const res = await post({ input, ...(m ? { model: m } : {}) });
      expect(res.statusCode).toBe(200);
      const body = res.json<EmbeddingsBody>();
      expect(body.data.map((d) => d.index)).toEqual([0, 1, 2]);
      body.data.forEach((d, i) => expect(d.embedding).toEqual(Array.from(model.embedOne(input[i]!))));
      // "back-end" is two word tokens, as in Postgres' parser
      expect(body.usage.prompt_tokens).toBe(3 + 4 + 1);
    }
  });

  it('returns little-endian float32 base64 when asked (what OpenAI SDKs request by default)', async () => {
    const res = await post({ input: ['data engineer'], encoding_format: 'base64' });
    expect(res.statusCode).toBe(200);
    const b64 = res.json<EmbeddingsBody>().data[0]!.embedding as string;
    const buf = Buffer.from(b64, 'base64');
    const decoded = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    expect(Array.from(decoded)).toEqual(Array.from(model.embedOne('data engineer')));
  });

  it('refuses another model with 400 instead of mixing vectors', async () => {
    for (const other of ['hh-hash-384-v1', 'text-embedding-3-small', 'openai:text-embedding-3-small']) {
      const res = await post({ input: 'x', model: other });
      expect(res.statusCode).toBe(400);
      const p = res.json<Problem>();
      expect(p.code).toBe('HH_EMBED_MODEL_MISMATCH');
      expect(p.detail).toContain('hh-hash-768-v1');
      expect(p.errors).toEqual([{ field: 'body.model', message: 'must be "hh-hash-768-v1" or omitted' }]);
    }
    const dims = await post({ input: 'x', dimensions: 256 });
    expect(dims.statusCode).toBe(400);
    expect(dims.json<Problem>().errors?.[0]?.field).toBe('body.dimensions');
    expect((await post({ input: 'x', dimensions: 768 })).statusCode).toBe(200);
  });

  const bad: [string, unknown, string[]][] = [
    ['missing input', {}, ['body.input']],
    ['number input', { input: 42 }, ['body.input']],
    ['object input', { input: { text: 'x' } }, ['body.input']],
    ['null body', null, ['body']],
    ['array body', ['x'], ['body']],
    ['empty string', { input: '' }, ['body.input']],
    ['whitespace only', { input: ' \n\t ' }, ['body.input']],
    ['empty array', { input: [] }, ['body.input']],
    ['too many items', { input: ['a', 'b', 'c', 'd', 'e'] }, ['body.input']],
    ['too long', { input: ['ok', 'x'.repeat(61)] }, ['body.input.1']],
    ['NUL byte', { input: ['ok', 'a\u0000b'] }, ['body.input.1']],
    ['control char', { input: 'bell\u0007' }, ['body.input']],
    ['lone surrogate', { input: ['fine', 'bad \ud800 text'] }, ['body.input.1']],
    ['token ids', { input: [[1, 2, 3]] }, ['body.input.0']],
    ['mixed types', { input: ['a', 3, null, ''] }, ['body.input.1', 'body.input.2', 'body.input.3']],
    ['unknown fields', { input: 'x', top_k: 3, Input: 'y' }, ['body.top_k', 'body.Input']],
    ['bad model type', { input: 'x', model: 7 }, ['body.model']],
    ['bad encoding', { input: 'x', encoding_format: 'int8' }, ['body.encoding_format']],
    ['bad dimensions', { input: 'x', dimensions: -1 }, ['body.dimensions']],
  ];
  it.each(bad)('rejects %s with 400 and field-level errors', async (_name, payload, fields) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/embeddings',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const p = res.json<Problem>();
    expect(p.code).toBe('HH_EMBED_VALIDATION');
    expect(p.errors?.map((e) => e.field)).toEqual(fields);
    for (const e of p.errors ?? []) expect(e.message.length).toBeGreaterThan(5);
  });

  it('explains limits in the message', async () => {
    const res = await post({ input: ['a', 'b', 'c', 'd', 'e'] });
    expect(res.json<Problem>().errors?.[0]?.message).toBe('must contain at most 4 items (got 5)');
    const long = await post({ input: 'y'.repeat(61) });
    expect(long.json<Problem>().errors?.[0]?.message).toBe('must be at most 60 characters (got 61)');
  });

  it('answers malformed JSON, non-JSON and oversized bodies with 4xx', async () => {
    const malformed = await app.inject({ method: 'POST', url: '/v1/embeddings', headers: { 'content-type': 'application/json' }, payload: '{"input": ' });
    expect(malformed.statusCode).toBe(400);
    // Fastify parses text/plain into a string; it is not a JSON object, so: 400 on the body.
    const text = await app.inject({ method: 'POST', url: '/v1/embeddings', headers: { 'content-type': 'text/plain' }, payload: 'hello' });
    expect(text.statusCode).toBe(400);
    expect(text.json<Problem>().errors?.[0]?.field).toBe('body');
    const xml = await app.inject({ method: 'POST', url: '/v1/embeddings', headers: { 'content-type': 'application/xml' }, payload: '<input/>' });
    expect(xml.statusCode).toBe(415);
    const huge = await app.inject({
      method: 'POST',
      url: '/v1/embeddings',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ input: 'z'.repeat(200_000) }),
    });
    expect(huge.statusCode).toBe(413);
  });

  it('lists the served model and its dimensions', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/models' });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ object: string; data: { id: string; object: string; dims: number; provider: string; max_items: number; max_chars: number }[] }>();
    expect(body.object).toBe('list');
    expect(body.data).toEqual([expect.objectContaining({ id: 'hh-hash-768-v1', object: 'model', dims: 768, provider: 'builtin', max_items: 4, max_chars: 60 })]);
  });

  it('counts requests by outcome and inputs embedded', async () => {
    const ok0 = await metric(app, 'hh_embed_requests_total', { outcome: 'ok' });
    const rejected0 = await metric(app, 'hh_embed_requests_total', { outcome: 'rejected' });
    const inputs0 = await metric(app, 'hh_embed_inputs_total');
    expect((await post({ input: ['one', 'two'] })).statusCode).toBe(200);
    expect((await post({ input: '' })).statusCode).toBe(400);
    expect(await metric(app, 'hh_embed_requests_total', { outcome: 'ok' })).toBe(ok0 + 1);
    expect(await metric(app, 'hh_embed_requests_total', { outcome: 'rejected' })).toBe(rejected0 + 1);
    expect(await metric(app, 'hh_embed_inputs_total')).toBe(inputs0 + 2);
    expect(await metric(app, 'hh_embed_provider_duration_seconds_count', { provider: 'builtin' })).toBeGreaterThan(0);
  });
});

describe('micro-batching across concurrent requests', () => {
  it('serves N concurrent requests with fewer provider calls and correct per-request results', async () => {
    // A generous wait window so that all concurrent requests land in the same window even on a busy machine.
    const app = buildApp(config({ EMBED_BATCH_WAIT_MS: '100', EMBED_BATCH_MAX: '64' }));
    await app.ready();
    try {
      const N = 24;
      const texts = Array.from({ length: N }, (_, i) => `candidate ${i}: ${i % 2 ? 'backend engineer node' : 'enfermeira uti'} ${'x'.repeat(i)}`);
      const calls0 = await metric(app, 'hh_embed_batch_size_count');
      const responses = await Promise.all(texts.map((t, i) => app.inject({ method: 'POST', url: '/v1/embeddings', payload: i % 3 ? { input: t } : { input: [t, `${t} (again)`] } })));
      const calls = (await metric(app, 'hh_embed_batch_size_count')) - calls0;
      const items = await metric(app, 'hh_embed_batch_size_sum');
      expect(calls).toBeGreaterThanOrEqual(1);
      expect(calls).toBeLessThan(N);
      expect(items).toBe(N + Math.ceil(N / 3));
      responses.forEach((res, i) => {
        expect(res.statusCode).toBe(200);
        const data = res.json<EmbeddingsBody>().data;
        const want = i % 3 ? [texts[i]!] : [texts[i]!, `${texts[i]!} (again)`];
        expect(data).toHaveLength(want.length);
        data.forEach((d, k) => expect(d.embedding).toEqual(Array.from(model.embedOne(want[k]!))));
      });
    } finally {
      await app.close();
    }
  });
});

describe('deadline (x-hh-timeout-ms)', () => {
  let app: ZodApp;
  beforeAll(async () => {
    app = buildApp(config({ EMBED_MAX_ITEMS: '64', EMBED_MAX_CHARS: '32000', EMBED_BATCH_WAIT_MS: '2' }));
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers 504 at once, without calling the model, when the budget cannot cover the work', async () => {
    const calls0 = await metric(app, 'hh_embed_batch_size_count');
    const zero = await app.inject({ method: 'POST', url: '/v1/embeddings', headers: { 'x-hh-timeout-ms': '0' }, payload: { input: 'nurse' } });
    expect(zero.statusCode).toBe(504);
    expect(zero.json<Problem>().code).toBe('HH_EMBED_DEADLINE_TOO_SHORT');
    // 64 × 32,000 characters cannot be embedded in 1 ms on any machine this runs on.
    const big = Array.from({ length: 64 }, (_, i) => `${'senior backend engineer node postgres '.repeat(860)}${i}`.slice(0, 32_000));
    const tight = await app.inject({ method: 'POST', url: '/v1/embeddings', headers: { 'x-hh-timeout-ms': '1' }, payload: { input: big } });
    expect(tight.statusCode).toBe(504);
    expect(tight.json<Problem>().detail).toMatch(/budget .* is shorter than/);
    expect(await metric(app, 'hh_embed_batch_size_count')).toBe(calls0);
    expect(await metric(app, 'hh_embed_deadline_refusals_total')).toBe(2);
    expect(await metric(app, 'hh_embed_requests_total', { outcome: 'timeout' })).toBe(2);
  });

  it('does the work when the budget is enough', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/embeddings', headers: { 'x-hh-timeout-ms': '10000' }, payload: { input: 'nurse' } });
    expect(res.statusCode).toBe(200);
  });

  it('rejects a malformed header with 400 naming the header', async () => {
    for (const value of ['soon', '-5', '1.5', '']) {
      const res = await app.inject({ method: 'POST', url: '/v1/embeddings', headers: { 'x-hh-timeout-ms': value }, payload: { input: 'nurse' } });
      expect(res.statusCode, value).toBe(400);
      expect(res.json<Problem>().errors).toEqual([{ field: 'headers.x-hh-timeout-ms', message: 'must be a whole number of milliseconds' }]);
    }
  });
});

describe('over a real socket', () => {
  it('serves embeddings, echoes a valid upstream request id and refuses oversized bodies by Content-Length', async () => {
    const app = buildApp(config({ EMBED_MAX_ITEMS: '2', EMBED_MAX_CHARS: '100' }));
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const ok = await request(`${address}/v1/embeddings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'search-req-42', 'x-hh-timeout-ms': '5000' },
        body: JSON.stringify({ input: ['icu nurse'] }),
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['x-request-id']).toBe('search-req-42');
      const body = (await ok.body.json()) as EmbeddingsBody;
      expect(body.data[0]!.embedding).toEqual(Array.from(model.embedOne('icu nurse')));

      const big = await request(`${address}/v1/embeddings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: ['x'.repeat(100_000)] }),
      });
      expect(big.statusCode).toBe(413);
      await big.body.dump();
    } finally {
      await app.close();
    }
  });
});
