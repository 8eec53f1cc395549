/**
 * The HTTP edge every service shares: slow-trickle requests are cut off, JSON bodies are checked before anything recurses into them, 5xx answers never carry a
 * library's message, request logs hold no paths, and /metrics can live on a listener of its own.
 */
import { connect } from 'node:net';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createServiceApp, HttpProblem, type ServiceAppOptions, type ZodApp } from '../src/index.js';

let app: ZodApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function build(opts: Partial<ServiceAppOptions> = {}): ZodApp {
  const a = createServiceApp({ name: 'svc', errorPrefix: 'SVC', metricPrefix: 'svc', logLevel: 'silent', ...opts });
  a.post('/v1/echo', async (req) => ({ got: req.body }));
  a.get('/v1/items/:id', async (req) => {
    const { id } = req.params as { id: string };
    if (id === 'boom') throw Object.assign(new Error('ECONNREFUSED 10.1.2.3:5432 secret internals'), { statusCode: 503 });
    if (id === 'crash') throw new Error('Maximum call stack size exceeded');
    if (id === 'gone') throw new Error('the database went away');
    return { id };
  });
  return a;
}

async function listen(a: ZodApp): Promise<number> {
  await a.listen({ port: 0, host: '127.0.0.1' });
  return (a.server.address() as AddressInfo).port;
}

describe('slow-trickle requests', () => {
  it('a body trickled past requestTimeoutMs gets 408 and the connection is closed; other requests are served meanwhile', { timeout: 20_000 }, async () => {
    app = build({ requestTimeoutMs: 500 });
    const port = await listen(app);
    const socket = connect({ host: '127.0.0.1', port });
    const received: Buffer[] = [];
    socket.on('data', (c: Buffer) => received.push(c));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    let open = true;
    void closed.then(() => (open = false));
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write('POST /v1/echo HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n');
    const trickle = setInterval(() => open && socket.write(' '), 50);
    try {
      while (open) {
        const res = await fetch(`http://127.0.0.1:${port}/health/live`);
        expect(res.status).toBe(200);
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      clearInterval(trickle);
    }
    await closed;
    expect(Buffer.concat(received).toString('utf8')).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('the default request timeout is 10 s', async () => {
    app = build();
    await app.ready();
    expect(app.server.requestTimeout).toBe(10_000);
  });

  it('no socket idle timeout cuts a handler that works long (slow clients are cut by the request timeout)', async () => {
    app = build();
    await app.ready();
    expect(app.server.timeout).toBe(0);
    expect(app.server.headersTimeout).toBe(10_000);
  });
});

describe('JSON bodies', () => {
  const post = (a: ZodApp, payload: string) => a.inject({ method: 'POST', url: '/v1/echo', headers: { 'content-type': 'application/json' }, payload });

  it('nesting deeper than the limit is a field-level 400; up to it is parsed', async () => {
    app = build({ maxJsonDepth: 8 });
    const ok = await post(app, `${'['.repeat(8)}1${']'.repeat(8)}`);
    expect(ok.statusCode).toBe(200);
    const deep = await post(app, `${'['.repeat(9)}1${']'.repeat(9)}`);
    expect(deep.statusCode).toBe(400);
    expect(deep.json()).toMatchObject({ code: 'SVC_VALIDATION', errors: [{ field: 'body', message: 'nests objects/arrays deeper than 8 levels' }] });
    // Brackets in strings, including escaped quotes, do not count.
    expect((await post(app, JSON.stringify({ s: `\\"${'['.repeat(50)}` }))).statusCode).toBe(200);
  });

  it('prototype keys are refused by name and path; invalid JSON is a 400', async () => {
    app = build();
    const proto = await post(app, '{"a":[{"b":1},{"__proto__":{"polluted":true}}]}');
    expect(proto.statusCode).toBe(400);
    expect(proto.json().errors).toEqual([{ field: 'body.a[1].__proto__', message: 'the key "__proto__" is not allowed' }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const bad = await post(app, '{"a":');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'SVC_MALFORMED_BODY', errors: [{ field: 'body' }] });
    const empty = await post(app, '');
    expect(empty.statusCode).toBe(400);
  });
});

describe('5xx answers', () => {
  it('never carry the underlying error message; a classifier decides status, code and Retry-After', async () => {
    app = build({
      classifyError: (err) =>
        err instanceof Error && err.message === 'the database went away'
          ? { status: 503, code: 'SVC_DATABASE_UNAVAILABLE', detail: 'the database is unavailable; retry later', retryAfterSeconds: 2 }
          : undefined,
    });
    const boom = await app.inject({ method: 'GET', url: '/v1/items/boom' });
    expect(boom.statusCode).toBe(503);
    expect(boom.body).not.toMatch(/ECONNREFUSED|10\.1\.2\.3|secret/);
    const crash = await app.inject({ method: 'GET', url: '/v1/items/crash' });
    expect(crash.statusCode).toBe(500);
    expect(crash.json()).toMatchObject({ code: 'SVC_INTERNAL', detail: 'internal error' });
    const gone = await app.inject({ method: 'GET', url: '/v1/items/gone' });
    expect(gone.statusCode).toBe(503);
    expect(gone.headers['retry-after']).toBe('2');
    expect(gone.json()).toMatchObject({ code: 'SVC_DATABASE_UNAVAILABLE', detail: 'the database is unavailable; retry later' });
    // An HttpProblem keeps its own words.
    expect(new HttpProblem(503, 'X', 'y').message).toBe('y');
  });
});

describe('request logs', () => {
  it('hold the route pattern, not the path or query string', async () => {
    const lines: string[] = [];
    app = build({ logLevel: 'info', logStream: { write: (l: string) => void lines.push(l) } });
    await app.inject({ method: 'GET', url: '/v1/items/jane%40example.com?q=private-text' });
    await app.inject({ method: 'GET', url: '/no/such/route/jane@example.com' });
    const text = lines.join('');
    expect(text).toContain('"route":"/v1/items/:id"');
    expect(text).toContain('"route":"(unmatched)"');
    expect(text).not.toMatch(/jane|private-text/);
  });
});

describe('/metrics on its own listener', () => {
  it('is served there only; the app port answers 404', async () => {
    app = build({ metricsListen: { port: 0, host: '127.0.0.1' } });
    const port = await listen(app);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
    const url = app.metrics.listenerUrl()!;
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('svc_request_duration_seconds');
    expect((await fetch(`${url}/v1/items/1`)).status).toBe(404);
  });

  it('a metrics port already in use fails the start', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    try {
      app = build({ metricsListen: { port: (busy.address() as AddressInfo).port, host: '127.0.0.1' } });
      await expect(app.ready()).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await new Promise<void>((r) => busy.close(() => r()));
    }
  });
});
