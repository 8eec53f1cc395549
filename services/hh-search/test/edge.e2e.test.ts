/**
 * The HTTP edge of hh-search: authentication by route however the URL is spelled, key revocation
 * within the cache TTL, body parsing (NDJSON only on bulk, nesting depth, prototype keys), request
 * logs without paths, /metrics on its own listener, the outbox worker woken by the write itself,
 * and slow-trickle requests (cut off by REQUEST_TIMEOUT_MS while other requests are served).
 */
import { connect } from 'node:net';
import { createTenantRepository } from '../src/tenants/repository.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nurse } from './fixtures.js';
import { client, startHarness, type Api, type Harness } from './harness.js';
import { captureLogs, rawRequest } from './raw-http.js';

const KEY_TTL_MS = 1_000;
let h: Harness;
let api: Api;
let key: string;
const logs = captureLogs();

beforeAll(async () => {
  h = await startHarness(
    {
      LOG_LEVEL: 'info',
      AUTH_KEY_CACHE_TTL_MS: String(KEY_TTL_MS),
      METRICS_PORT: '0',
      REQUEST_TIMEOUT_MS: '3000',
      // The worker runs but would not poll again for ten minutes: only a write's wake-up moves it.
      EMBED_WORKER_ENABLED: 'true',
      EMBED_WORKER_POLL_MS: '600000',
    },
    { logStream: logs.stream },
  );
  key = (await h.newTenant('edge')).key;
  api = client(h.url, key);
});
afterAll(async () => {
  await h?.close();
});

const port = () => new URL(h.url).port;

describe('authentication is by route, not by URL spelling', () => {
  it.each([
    ['POST', '/%761/search'],
    ['POST', '/v%31/search'],
    ['GET', '/v%31/candidates/x'],
    ['PUT', '/%76%31/candidates/x'],
    ['POST', '/v1/candidates/%62ulk'],
  ])('%s %s without a key → 401', async (method, path) => {
    const res = await fetch(`${h.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(method === 'GET' ? {} : { body: JSON.stringify({ query: 'nurse', title: 'Nurse' }) }),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('HH_SEARCH_UNAUTHORIZED');
  });

  it('the same encoded paths reach the routes with a valid key (the tenant is set)', async () => {
    const res = await api.raw('GET', '/v%31/candidates/nobody');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('HH_SEARCH_CANDIDATE_NOT_FOUND');
  });

  it('an absolute-form request line is authenticated too', async () => {
    const body = JSON.stringify({ query: 'nurse' });
    const anonymous = await rawRequest(
      h.url,
      `POST http://127.0.0.1:${port()}/v1/search HTTP/1.1\r\nHost: 127.0.0.1:${port()}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
    expect(anonymous).toMatch(/^HTTP\/1\.1 401 /);
    expect(anonymous).toContain('HH_SEARCH_UNAUTHORIZED');
    const withKey = await rawRequest(
      h.url,
      `GET http://127.0.0.1:${port()}/v1/candidates/nobody HTTP/1.1\r\nHost: 127.0.0.1:${port()}\r\nauthorization: Bearer ${key}\r\nconnection: close\r\n\r\n`,
    );
    expect(withKey).toMatch(/^HTTP\/1\.1 404 /);
    expect(withKey).toContain('HH_SEARCH_CANDIDATE_NOT_FOUND');
  });

  it('a revoked key is refused once the key cache TTL has passed', async () => {
    const t = await h.newTenant('edge-revoked');
    const c = client(h.url, t.key);
    expect((await c.get('nobody')).status).toBe(404);
    expect(await createTenantRepository(h.db.pool).revokeKey(t.key)).toBe(true);
    await new Promise((r) => setTimeout(r, KEY_TTL_MS + 300));
    const res = await c.get('nobody');
    expect(res.status).toBe(401);
  });
});

describe('bodies', () => {
  it('NDJSON is accepted by the bulk route only; other routes answer 415 and keep their own body limit', async () => {
    const ndjson = `${JSON.stringify({ id: 'nd-1', ...nurse(1) })}\n`;
    const bulk = await api.bulk(ndjson, 'application/x-ndjson');
    expect(bulk.status).toBe(200);
    expect(bulk.body.counts).toEqual({ created: 1 });
    for (const [method, path] of [
      ['POST', '/v1/search'],
      ['PUT', '/v1/candidates/nd-2'],
    ] as const) {
      const res = await api.raw(method, path, JSON.stringify({ query: 'nurse', title: 'Nurse' }), { 'content-type': 'application/x-ndjson' });
      expect(res.status).toBe(415);
    }
    // 2 MiB of NDJSON on a 1 MiB route: refused, not read as an 8 MiB bulk body would be.
    const big = await api.raw('PUT', '/v1/candidates/nd-3', 'x'.repeat(2 * 1024 * 1024), { 'content-type': 'application/x-ndjson' });
    expect([413, 415]).toContain(big.status);
    const bigJson = await api.raw('PUT', '/v1/candidates/nd-3', JSON.stringify({ title: 'x', summary: 'y'.repeat(2 * 1024 * 1024) }));
    expect(bigJson.status).toBe(413);
  });

  it('a 10,000-deep body is a field-level 400 that leaks nothing, with or without an Idempotency-Key', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    for (const headers of [{}, { 'idempotency-key': 'deep-1' }] as Record<string, string>[]) {
      const res = await api.bulk(deep, 'application/json', headers);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('HH_SEARCH_VALIDATION');
      expect(res.body.errors).toEqual([{ field: 'body', message: 'nests objects/arrays deeper than 64 levels' }]);
      expect(JSON.stringify(res.body)).not.toMatch(/stack|Maximum call/i);
    }
    const deepSearch = await api.search(`{"query":"nurse","filters":${'{"a":'.repeat(100)}1${'}'.repeat(100)}}`);
    expect(deepSearch.status).toBe(400);
    // Brackets inside strings do not count.
    const inString = await api.put('deep-string', { title: 'Nurse', summary: '['.repeat(5_000) });
    expect(inString.status).toBe(201);
    // NDJSON lines are checked one by one.
    const ndDeep = await api.bulk(`${JSON.stringify({ id: 'ok-1', ...nurse(2) })}\n${'['.repeat(100)}${']'.repeat(100)}\n`, 'application/x-ndjson');
    expect(ndDeep.status).toBe(400);
    expect(ndDeep.body.errors[0].field).toBe('body[line 2]');
  });

  it('__proto__ and constructor.prototype keys are refused by name and path', async () => {
    const proto = await api.raw('PUT', '/v1/candidates/p-1', '{"title":"Nurse","location":{"__proto__":{"admin":true}}}');
    expect(proto.status).toBe(400);
    expect(proto.body.code).toBe('HH_SEARCH_VALIDATION');
    expect(proto.body.errors).toEqual([{ field: 'body.location.__proto__', message: 'the key "__proto__" is not allowed' }]);
    const ctor = await api.raw('POST', '/v1/search', '{"query":"nurse","constructor":{"prototype":{"x":1}}}');
    expect(ctor.status).toBe(400);
    expect(ctor.body.errors[0].field).toBe('body.constructor.prototype');
    const nd = await api.bulk(`{"id":"p-2","title":"Nurse","\\u005f_proto__":{}}\n`, 'application/x-ndjson');
    expect(nd.status).toBe(400);
    expect(nd.body.errors[0]).toEqual({ field: 'body[line 1].__proto__', message: 'the key "__proto__" is not allowed' });
    expect((await api.get('p-1')).status).toBe(404);
  });
});

describe('request logs', () => {
  it('name the route pattern, never the raw path, ids or query strings', async () => {
    const email = 'jane.doe@example.com';
    expect((await api.put(email, nurse(3))).status).toBe(201);
    expect((await api.get(email)).status).toBe(200);
    expect((await api.raw('GET', `/v1/candidates/${encodeURIComponent('someone@example.org')}?secret=s3cr3t-query`)).status).toBe(404);
    await new Promise((r) => setTimeout(r, 50));
    const text = logs.text();
    expect(text).toContain('"route":"/v1/candidates/:id"');
    for (const leaked of [email, encodeURIComponent(email), 'someone', 's3cr3t-query']) expect(text).not.toContain(leaked);
  });
});

describe('/metrics on its own listener', () => {
  it('the API port answers 404; the metrics listener serves the registry', async () => {
    expect((await fetch(`${h.url}/metrics`)).status).toBe(404);
    const url = h.runtime.app.metrics.listenerUrl();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toBe(h.url);
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('hh_search_request_duration_seconds');
    expect((await fetch(`${url}/v1/search`, { method: 'POST' })).status).toBe(404);
  });
});

describe('the outbox worker is woken by the write, however its URL was spelled', () => {
  it('a PUT to /v1/candidate%73/{id} gets embedded without waiting for the next poll', { timeout: 60_000 }, async () => {
    expect((await api.raw('PUT', '/v1/candidate%73/wake-1', nurse(4))).status).toBe(201);
    for (;;) {
      const res = await api.get('wake-1');
      if (res.body.embedding.status === 'ready') break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
});

describe('slow-trickle requests', () => {
  it('a client trickling its body is answered 408 and disconnected; other requests are served meanwhile', { timeout: 60_000 }, async () => {
    const socket = connect({ host: '127.0.0.1', port: Number(port()) });
    const received: Buffer[] = [];
    socket.on('data', (c: Buffer) => received.push(c));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write(`PUT /v1/candidates/slow HTTP/1.1\r\nHost: x\r\nauthorization: Bearer ${key}\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n`);
    let open = true;
    void closed.then(() => (open = false));
    const trickle = setInterval(() => {
      if (open) socket.write('{');
    }, 100);
    try {
      // While it trickles, others are answered.
      while (open) {
        expect((await api.get('nobody')).status).toBe(404);
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      clearInterval(trickle);
    }
    await closed;
    expect(Buffer.concat(received).toString('utf8')).toMatch(/^HTTP\/1\.1 408 /);
    expect((await api.get('slow')).status).toBe(404);
  });
});
