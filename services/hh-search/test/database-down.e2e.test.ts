/**
 * PostgreSQL unavailable: hh-search reaches its database through a
 * TCP proxy that can refuse connections or swallow them. Authentication of an uncached key, reads
 * and writes then answer 503 + Retry-After with HH_SEARCH_DATABASE_UNAVAILABLE, never a 500; a
 * write that runs past the statement timeout answers 503 HH_SEARCH_DATABASE_TIMEOUT; and service
 * resumes when the database is back, without a restart.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAdminUrl } from '@hh/db';
import { nurse } from './fixtures.js';
import { client, startHarness, type Api, type ApiResponse, type Harness } from './harness.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

let proxy: TcpProxy;
let h: Harness;
let api: Api;

beforeAll(async () => {
  const server = new URL(resolveAdminUrl());
  proxy = await startTcpProxy(`tcp://${server.hostname}:${server.port || 5432}`);
  const via = new URL(proxy.url);
  h = await startHarness(
    { PG_CONNECTION_TIMEOUT_MS: '500', PG_STATEMENT_TIMEOUT_MS: '1500', INDEX_POLL_MS: '600000' },
    {
      databaseUrl: (direct) => {
        const u = new URL(direct);
        u.hostname = via.hostname;
        u.port = via.port;
        return u.toString();
      },
    },
  );
  api = client(h.url, (await h.newTenant('db-main')).key);
  expect((await api.put('before', nurse(1))).status).toBe(201); // the key is now cached
});

afterAll(async () => {
  if (proxy) proxy.mode = 'up';
  await h?.close();
  await proxy?.close();
});

function expectUnavailable(res: ApiResponse, code = 'HH_SEARCH_DATABASE_UNAVAILABLE') {
  expect(res.status).toBe(503);
  expect(res.body.code).toBe(code);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(JSON.stringify(res.body)).not.toMatch(/ECONN|terminated|timeout exceeded|stack/i);
}

describe.each(['down', 'blackhole'] as const)('PostgreSQL %s', (mode) => {
  it('an uncached API key, reads and writes answer 503 + Retry-After; service resumes afterwards', { timeout: 60_000 }, async () => {
    const fresh = await h.newTenant(`db-other-${mode}`); // issued directly in the database, never seen by hh-search
    proxy.mode = mode;
    try {
      expectUnavailable(await client(h.url, fresh.key).get('x'));
      expectUnavailable(await api.put('during', nurse(2)));
      expectUnavailable(await api.get('before'));
      expectUnavailable(await api.del('before'));
      expectUnavailable(await api.bulk([{ id: 'bulk-1', ...nurse(3) }]));
      expectUnavailable(await api.bulk([{ id: 'bulk-2', ...nurse(3) }], 'application/json', { 'idempotency-key': `k-${mode}` }));
    } finally {
      proxy.mode = 'up';
    }
    for (;;) {
      // The pool replaces its broken connections on its own.
      const res = await api.get('before');
      if (res.status === 200) break;
      expect(res.status).toBe(503);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect((await client(h.url, fresh.key).get('before')).status).toBe(404); // another tenant's id
  });
});

describe('statement timeout', () => {
  it('a write blocked past PG_STATEMENT_TIMEOUT_MS answers 503 HH_SEARCH_DATABASE_TIMEOUT', { timeout: 60_000 }, async () => {
    const locker: pg.PoolClient = await h.db.pool.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE candidates IN ACCESS EXCLUSIVE MODE');
      expectUnavailable(await api.put('locked-out', nurse(4)), 'HH_SEARCH_DATABASE_TIMEOUT');
    } finally {
      await locker.query('ROLLBACK');
      locker.release();
    }
    expect((await api.put('locked-out', nurse(4))).status).toBe(201);
  });
});
