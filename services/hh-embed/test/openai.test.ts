/**
 * The OpenAI-compatible provider against a local HTTP server that implements the documented
 * embeddings API (POST /v1/embeddings, Bearer auth, `{data:[{object,index,embedding}], model, usage}`,
 * errors as `{error:{message,type,code}}`), with switchable faults.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ServiceTokenSigner, type ZodApp } from '@hh/service-kit';
import { apportion, buildApp, createBuiltinEmbedder } from '../src/index.js';
import { config, metric, type Problem } from './helpers.js';

const KEY = 'sk-test-0123456789';
// A paid provider only runs behind service authentication.
const SERVICE_AUTH_SECRET = 'openai-test-service-secret-0123456789';
const serviceToken = new ServiceTokenSigner({ secret: SERVICE_AUTH_SECRET, audience: 'hh-embed' });
const UPSTREAM_MODEL = 'test-embed-16';
// The fake upstream's "model": deterministic, so every returned vector can be checked per input.
const upstreamModel = createBuiltinEmbedder(16);

type Mode = 'ok' | 'reverse' | 'error500' | 'slow' | 'wrong-count' | 'not-json' | 'nan' | 'dims-32';

interface Upstream {
  url: string;
  mode: Mode;
  calls: { inputs: string[]; auth: string | undefined; body: Record<string, unknown> }[];
  /** Requests whose connection closed before the fake answered (hh-embed gave up on them). */
  abandoned: number;
  abandonedSignal: Promise<void>;
  close(): Promise<void>;
}

async function startUpstream(): Promise<Upstream> {
  let onAbandon: () => void = () => {};
  const state: Upstream = {
    url: '',
    mode: 'ok',
    calls: [],
    abandoned: 0,
    abandonedSignal: Promise.resolve(),
    close: async () => {},
  };
  const resetAbandon = () => {
    state.abandonedSignal = new Promise<void>((resolve) => (onAbandon = resolve));
  };
  resetAbandon();
  const timers = new Set<NodeJS.Timeout>();

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    if (req.method !== 'POST' || req.url !== '/v1/embeddings') return send(res, 404, { error: { message: 'not found', type: 'invalid_request_error' } });
    if (req.headers.authorization !== `Bearer ${KEY}`) {
      return send(res, 401, { error: { message: `Incorrect API key provided: ${String(req.headers.authorization).slice(0, 12)}***`, type: 'invalid_request_error', code: 'invalid_api_key' } });
    }
    const body = JSON.parse(raw) as { input: string[]; model: string };
    state.calls.push({ inputs: body.input, auth: req.headers.authorization, body });
    if (body.model !== UPSTREAM_MODEL) return send(res, 404, { error: { message: 'model not found', type: 'invalid_request_error', code: 'model_not_found' } });
    const mode = state.mode;
    if (mode === 'error500') return send(res, 500, { error: { message: 'The server had an error while processing your request.', type: 'server_error' } });
    if (mode === 'not-json') return send(res, 200, '<html>gateway</html>');
    const dims = mode === 'dims-32' ? 32 : 16;
    const model = createBuiltinEmbedder(dims);
    let data = body.input.map((text, index) => ({ object: 'embedding', index, embedding: Array.from(model.embedOne(text)) }));
    if (mode === 'nan') data[0]!.embedding[0] = Number.NaN; // serialises as null
    if (mode === 'wrong-count') data = data.slice(1);
    // The API sorts by index, but a client must rely on `index`, not position.
    if (mode === 'reverse') data.reverse();
    const tokens = body.input.reduce((a, t) => a + t.split(/\s+/).filter(Boolean).length, 0);
    const payload = { object: 'list', data, model: UPSTREAM_MODEL, usage: { prompt_tokens: tokens, total_tokens: tokens } };
    if (mode === 'slow') {
      const t = setTimeout(() => {
        timers.delete(t);
        if (!res.destroyed) send(res, 200, payload);
      }, 20_000);
      timers.add(t);
      return;
    }
    send(res, 200, payload);
  };

  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => handle(req, res, raw));
    res.on('close', () => {
      if (!res.writableEnded) {
        state.abandoned++;
        onAbandon();
        resetAbandon();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  state.close = async () => {
    for (const t of timers) clearTimeout(t);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}

interface EmbeddingsBody {
  data: { index: number; embedding: number[] }[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

describe('openai provider', () => {
  let up: Upstream;
  let app: ZodApp;
  const build = (env: Record<string, string> = {}) =>
    buildApp(
      config({
        EMBED_PROVIDER: 'openai',
        EMBED_OPENAI_BASE_URL: up.url,
        EMBED_OPENAI_API_KEY: KEY,
        EMBED_OPENAI_MODEL: UPSTREAM_MODEL,
        EMBED_OPENAI_TIMEOUT_MS: '5000',
        EMBED_BATCH_WAIT_MS: '1',
        SERVICE_AUTH_SECRET,
        ...env,
      }),
    );
  const auth = async () => ({ authorization: `Bearer ${await serviceToken.token()}` });
  const post = async (a: ZodApp, payload: object, headers: Record<string, string> = {}) =>
    a.inject({ method: 'POST', url: '/v1/embeddings', payload, headers: { ...(await auth()), ...headers } });
  const models = async (a: ZodApp) => a.inject({ method: 'GET', url: '/v1/models', headers: await auth() });

  beforeAll(async () => {
    up = await startUpstream();
    app = build();
    await app.ready();
  });
  afterEach(() => {
    up.mode = 'ok';
    up.calls.length = 0;
  });
  afterAll(async () => {
    await app.close();
    await up.close();
  });

  it('reports openai:<model>, dims unknown until the first answer', async () => {
    const res = await models(app);
    expect(res.json<{ data: { id: string; dims: number | null }[] }>().data[0]).toMatchObject({ id: `openai:${UPSTREAM_MODEL}`, dims: null });
  });

  it('embeds through the upstream and maps results by index', async () => {
    up.mode = 'reverse';
    const input = ['senior backend engineer', 'registered nurse ICU night shifts', 'contador'];
    const res = await post(app, { input });
    expect(res.statusCode).toBe(200);
    const body = res.json<EmbeddingsBody>();
    expect(body.model).toBe(`openai:${UPSTREAM_MODEL}`);
    body.data.forEach((d, i) => {
      expect(d.index).toBe(i);
      expect(d.embedding).toEqual(Array.from(upstreamModel.embedOne(input[i]!)));
    });
    expect(body.usage.prompt_tokens).toBe(3 + 5 + 1);
    expect(up.calls).toHaveLength(1);
    expect(up.calls[0]!.body).toEqual({ input, model: UPSTREAM_MODEL, encoding_format: 'float' });
    expect((await models(app)).json<{ data: { dims: number | null }[] }>().data[0]!.dims).toBe(16);
  });

  it('accepts the served id and the bare upstream name, and refuses the built-in model', async () => {
    expect((await post(app, { input: 'x', model: `openai:${UPSTREAM_MODEL}` })).statusCode).toBe(200);
    expect((await post(app, { input: 'x', model: UPSTREAM_MODEL })).statusCode).toBe(200);
    const res = await post(app, { input: 'x', model: 'hh-hash-768-v1' });
    expect(res.statusCode).toBe(400);
    expect(res.json<Problem>().code).toBe('HH_EMBED_MODEL_MISMATCH');
    expect(up.calls).toHaveLength(2);
  });

  it('batches concurrent requests into fewer upstream calls with correct per-request results', async () => {
    const batching = build({ EMBED_BATCH_WAIT_MS: '100', EMBED_BATCH_MAX: '64' });
    await batching.ready();
    try {
      const N = 16;
      const texts = Array.from({ length: N }, (_, i) => `profile ${i} ${i % 2 ? 'data engineer spark' : 'enfermeira uti'}`);
      const responses = await Promise.all(texts.map((t) => post(batching, { input: [t] })));
      expect(up.calls.length).toBeGreaterThanOrEqual(1);
      expect(up.calls.length).toBeLessThan(N);
      expect(up.calls.flatMap((c) => c.inputs).sort()).toEqual([...texts].sort());
      responses.forEach((res, i) => {
        expect(res.statusCode).toBe(200);
        const body = res.json<EmbeddingsBody>();
        expect(body.data[0]!.embedding).toEqual(Array.from(upstreamModel.embedOne(texts[i]!)));
      });
      const total = responses.reduce((a, r) => a + r.json<EmbeddingsBody>().usage.prompt_tokens, 0);
      expect(total).toBe(texts.reduce((a, t) => a + t.split(' ').length, 0));
    } finally {
      await batching.close();
    }
  });

  it('turns an upstream error status into a clear 502', async () => {
    up.mode = 'error500';
    const res = await post(app, { input: 'x' });
    expect(res.statusCode).toBe(502);
    const p = res.json<Problem>();
    expect(p.code).toBe('HH_EMBED_PROVIDER_ERROR');
    expect(p.detail).toBe('embedding provider answered HTTP 500 (server_error)');
    expect(await metric(app, 'hh_embed_provider_errors_total', { provider: 'openai', reason: 'status' })).toBeGreaterThanOrEqual(1);
    expect(await metric(app, 'hh_embed_requests_total', { outcome: 'provider_error' })).toBeGreaterThanOrEqual(1);
  });

  it('reports a rejected API key as 502 without echoing the upstream message', async () => {
    const wrongKey = build({ EMBED_OPENAI_API_KEY: 'sk-wrong-key-value' });
    await wrongKey.ready();
    try {
      const res = await post(wrongKey, { input: 'x' });
      expect(res.statusCode).toBe(502);
      expect(res.json<Problem>().detail).toBe('embedding provider answered HTTP 401 (invalid_request_error, invalid_api_key)');
      expect(res.body).not.toContain('sk-wrong');
    } finally {
      await wrongKey.close();
    }
  });

  it.each([
    ['wrong-count', 'invalid response: 1 embeddings for 2 inputs'],
    ['not-json', 'not JSON'],
    ['nan', 'non-finite value'],
  ] as const)('refuses a malformed upstream answer (%s) with 502', async (mode, message) => {
    up.mode = mode;
    const res = await post(app, { input: ['a b', 'c'] });
    expect(res.statusCode).toBe(502);
    expect(res.json<Problem>().detail).toContain(message);
  });

  it('refuses an upstream that changes dimensions', async () => {
    expect((await post(app, { input: 'first' })).statusCode).toBe(200); // fixes dims at 16
    up.mode = 'dims-32';
    const res = await post(app, { input: 'second' });
    expect(res.statusCode).toBe(502);
    expect(res.json<Problem>().detail).toContain('32 dimensions, expected 16');
  });

  it('answers 504 when the upstream is slower than EMBED_OPENAI_TIMEOUT_MS, and hangs up on it', async () => {
    const quick = build({ EMBED_OPENAI_TIMEOUT_MS: '300' });
    await quick.ready();
    try {
      up.mode = 'slow';
      const abandoned = up.abandonedSignal;
      const res = await post(quick, { input: 'x' });
      expect(res.statusCode).toBe(504);
      const p = res.json<Problem>();
      expect(p.code).toBe('HH_EMBED_PROVIDER_TIMEOUT');
      expect(p.detail).toBe('embedding provider did not answer within 300 ms');
      await abandoned;
      expect(await metric(quick, 'hh_embed_provider_errors_total', { provider: 'openai', reason: 'timeout' })).toBe(1);
    } finally {
      await quick.close();
    }
  });

  it('answers 504 at the caller deadline and aborts the upstream call', async () => {
    up.mode = 'slow';
    const abandoned = up.abandonedSignal;
    const res = await post(app, { input: 'x' }, { 'x-hh-timeout-ms': '250' });
    expect(res.statusCode).toBe(504);
    expect(res.json<Problem>().code).toBe('HH_EMBED_DEADLINE_EXCEEDED');
    await abandoned;
    expect(up.calls).toHaveLength(1);
  });

  it('answers 502 when the upstream is unreachable', async () => {
    const closed = await startUpstream();
    const url = closed.url;
    await closed.close();
    const down = buildApp(config({ EMBED_PROVIDER: 'openai', EMBED_OPENAI_BASE_URL: url, EMBED_OPENAI_MODEL: UPSTREAM_MODEL, SERVICE_AUTH_SECRET }));
    await down.ready();
    try {
      const res = await post(down, { input: 'x' });
      expect(res.statusCode).toBe(502);
      expect(res.json<Problem>().detail).toBe('embedding provider unreachable (ECONNREFUSED)');
      expect(await metric(down, 'hh_embed_provider_errors_total', { provider: 'openai', reason: 'network' })).toBe(1);
    } finally {
      await down.close();
    }
  });
});

describe('apportion', () => {
  it('splits a batch token total by characters, summing exactly', () => {
    expect(apportion(10, ['aaaa', 'a'])).toEqual([8, 2]);
    expect(apportion(7, ['ab', 'ab', 'ab'])).toEqual([3, 2, 2]);
    expect(apportion(0, ['x'])).toEqual([0]);
    const parts = apportion(1001, ['one', 'three', 'fifteen chars!!', 'x']);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(1001);
  });
});
