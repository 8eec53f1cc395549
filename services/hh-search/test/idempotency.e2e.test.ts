/**
 * Idempotency-Key on bulk ingestion (docs/RELIABILITY.md §7 target 25): the same key and body replays the
 * first response without writing again; the same key with another body is 422; a key whose first
 * request is still running is 409; keys are per tenant; a malformed key is a field-level 400.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountant, nurse } from './fixtures.js';
import { client, startHarness, type Api, type Harness } from './harness.js';

let h: Harness;
let a: Api;
let tenantA: number;
let b: Api;

beforeAll(async () => {
  h = await startHarness();
  const ta = await h.newTenant('idem-a');
  tenantA = ta.id;
  a = client(h.url, ta.key);
  b = client(h.url, (await h.newTenant('idem-b')).key);
});

afterAll(async () => {
  await h?.close();
});

const count = async (sql: string, params: unknown[]) => Number((await h.db.pool.query<{ n: string }>(sql, params)).rows[0]!.n);

describe('Idempotency-Key on POST /v1/candidates/bulk', () => {
  it('three sends of the same key and body: one write, one outbox entry per candidate, the same response', async () => {
    const body = [{ id: 'i-1', ...nurse(1) }, { id: 'i-2', ...accountant(2) }];
    const headers = { 'idempotency-key': 'batch-0001' };
    const first = await a.bulk(body, 'application/json', headers);
    expect(first.status).toBe(200);
    expect(first.body.counts).toEqual({ created: 2 });
    expect(first.headers.get('idempotency-replayed')).toBeNull();
    const changes = await count('SELECT count(*) AS n FROM change_log WHERE tenant_id = $1', [tenantA]);
    const outbox = await count('SELECT count(*) AS n FROM embedding_outbox WHERE tenant_id = $1', [tenantA]);
    for (let i = 0; i < 2; i++) {
      const again = await a.bulk(body, 'application/json', headers);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body); // "created", not "unchanged": the stored response
      expect(again.headers.get('idempotency-replayed')).toBe('true');
    }
    expect(await count('SELECT count(*) AS n FROM change_log WHERE tenant_id = $1', [tenantA])).toBe(changes);
    expect(await count('SELECT count(*) AS n FROM embedding_outbox WHERE tenant_id = $1', [tenantA])).toBe(outbox);
    // Without the key the same body is a new request: the upsert itself is idempotent ("unchanged").
    const plain = await a.bulk(body);
    expect(plain.body.counts).toEqual({ unchanged: 2 });
  });

  it('the same key with a different body is 422; another tenant may use the same key', async () => {
    const res = await a.bulk([{ id: 'i-3', ...nurse(3) }], 'application/json', { 'idempotency-key': 'batch-0001' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('HH_SEARCH_IDEMPOTENCY_KEY_REUSED');
    expect(res.body.errors[0].field).toBe('headers.idempotency-key');
    const other = await b.bulk([{ id: 'i-1', ...nurse(1) }], 'application/json', { 'idempotency-key': 'batch-0001' });
    expect(other.status).toBe(200);
    expect(other.body.counts).toEqual({ created: 1 });
  });

  it('a key whose first request is still in flight gets 409 with Retry-After', async () => {
    const body = [{ id: 'i-9', ...nurse(9) }];
    // The claim a running request holds: key taken, no response yet (same body hash as below).
    const { requestHash } = await import('../src/candidates/idempotency.js');
    await h.db.pool.query('INSERT INTO idempotency_keys (tenant_id, key, request_hash) VALUES ($1, $2, $3)', [tenantA, 'in-flight', requestHash(body)]);
    const res = await a.bulk(body, 'application/json', { 'idempotency-key': 'in-flight' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('HH_SEARCH_IDEMPOTENCY_IN_PROGRESS');
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await count("SELECT count(*) AS n FROM candidates WHERE tenant_id = $1 AND external_id = 'i-9'", [tenantA])).toBe(0);
  });

  it('a request that fails validation leaves the key free for its corrected retry', async () => {
    const bad = await a.bulk([], 'application/json', { 'idempotency-key': 'fix-me' });
    expect(bad.status).toBe(400);
    const good = await a.bulk([{ id: 'i-4', ...nurse(4) }], 'application/json', { 'idempotency-key': 'fix-me' });
    expect(good.status).toBe(200);
  });

  it('a malformed key is a field-level 400', async () => {
    const res = await a.bulk([{ id: 'i-5', ...nurse(5) }], 'application/json', { 'idempotency-key': 'has spaces' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'headers.idempotency-key', message: expect.stringMatching(/must match/) }]);
  });
});
