/**
 * The request deadline (x-hh-timeout-ms) and its propagation (docs/RELIABILITY.md §7 target 12). A budget
 * below the minimum is refused before any work; a tiny budget that is accepted can time out every
 * branch but never crashes the process (each started promise is observed) and never answers an
 * empty 200; hh-embed and hh-rerank receive what is left of the budget, and each Postgres statement
 * runs under a statement_timeout no longer than it.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEmbedConfig, loadRerankConfig } from '@hh/config';
import { buildApp as buildEmbed } from '@hh/hh-embed';
import { buildApp as buildRerank } from '@hh/hh-rerank';
import { budgetedQuery } from '../src/search/db.js';
import { nurse, NURSE_JD } from './fixtures.js';
import { client, startHarness, type Harness } from './harness.js';

let h: Harness;
let api: ReturnType<typeof client>;
const seen = { embed: [] as number[], rerank: [] as number[] };
const embedApp = buildEmbed(loadEmbedConfig({ LOG_LEVEL: 'silent' }));
const rerankApp = buildRerank(loadRerankConfig({ LOG_LEVEL: 'silent' }));
// Observers on the real services: what budget did hh-search hand them?
embedApp.addHook('onRequest', async (req) => void seen.embed.push(Number(req.headers['x-hh-timeout-ms'])));
rerankApp.addHook('onRequest', async (req) => void seen.rerank.push(Number(req.headers['x-hh-timeout-ms'])));

const at = (app: { server: { address(): unknown } }) => `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

beforeAll(async () => {
  await embedApp.listen({ port: 0, host: '127.0.0.1' });
  await rerankApp.listen({ port: 0, host: '127.0.0.1' });
  h = await startHarness({ SEARCH_DEADLINE_MS: '20000' }, { embedUrl: at(embedApp), rerankUrl: at(rerankApp) });
  const t = await h.newTenant('deadlines');
  api = client(h.url, t.key);
  await api.bulk(Array.from({ length: 5 }, (_, i) => ({ id: `n-${i}`, ...nurse(i) })));
  await h.settle();
});
afterAll(async () => {
  await h?.close();
  await embedApp.close();
  await rerankApp.close();
});

describe('x-hh-timeout-ms on /v1/search', () => {
  it('a budget below the minimum is refused with 504 before any downstream call', async () => {
    const before = seen.embed.length;
    for (const ms of ['0', '1', '2', '5', '10', '49']) {
      const res = await api.search({ jobDescription: `${NURSE_JD} ${ms}` }, { 'x-hh-timeout-ms': ms });
      expect(res.status, ms).toBe(504);
      expect(res.body.code).toBe('HH_SEARCH_DEADLINE_TOO_SHORT');
    }
    expect(seen.embed.length).toBe(before);
    // The process is still serving.
    expect((await api.search({ query: 'registered nurse' })).status).toBe(200);
  });

  it('a malformed value is a field-level 400', async () => {
    for (const v of ['abc', '-5', '1.5', '99999999999']) {
      const res = await api.search({ query: 'nurse' }, { 'x-hh-timeout-ms': v });
      expect(res.status, v).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'headers.x-hh-timeout-ms', message: 'must be a whole number of milliseconds' }]);
    }
  });

  it('downstream calls get what is left of the budget, never more', async () => {
    seen.embed.length = 0;
    seen.rerank.length = 0;
    const res = await api.search({ jobDescription: `${NURSE_JD} propagation` }, { 'x-hh-timeout-ms': '3000' });
    expect(res.status).toBe(200);
    expect(res.body.degraded).toEqual([]);
    expect(seen.embed.length).toBe(1);
    expect(seen.rerank.length).toBe(1);
    for (const v of [...seen.embed, ...seen.rerank]) {
      expect(v).toBeGreaterThan(0);
      expect(v).toBeLessThanOrEqual(3000);
    }
    // Rerank runs after the branches: it sees less than the embed call did.
    expect(seen.rerank[0]!).toBeLessThan(3000);
    // The service's own caps still apply under a generous header (here the 8 s embed timeout).
    seen.embed.length = 0;
    await api.search({ jobDescription: `${NURSE_JD} capped` }, { 'x-hh-timeout-ms': '19000' });
    expect(seen.embed[0]!).toBeLessThanOrEqual(8000);
  });

  it('each statement runs under a statement_timeout no longer than the budget left', async () => {
    const q = budgetedQuery(h.db.pool, () => 137.9);
    const { rows } = await q<{ statement_timeout: string }>({ text: 'SHOW statement_timeout' });
    expect(rows[0]!.statement_timeout).toBe('137ms');
    await expect(budgetedQuery(h.db.pool, () => 0)({ text: 'SELECT 1' })).rejects.toMatchObject({ code: '57014' });
  });
});

describe('a budget that leaves no time for any branch', () => {
  let tight: Harness;
  let tightApi: ReturnType<typeof client>;
  beforeAll(async () => {
    // Minimum lowered to 1 ms: budgets that used to crash the process (an unobserved rejection).
    tight = await startHarness({ SEARCH_MIN_DEADLINE_MS: '1', SEARCH_DEADLINE_MS: '20000' }, { embedUrl: at(embedApp), rerankUrl: at(rerankApp) });
    const t = await tight.newTenant('tight');
    tightApi = client(tight.url, t.key);
    await tightApi.bulk(Array.from({ length: 3 }, (_, i) => ({ id: `n-${i}`, ...nurse(i) })));
    await tight.settle();
  });
  afterAll(async () => {
    await tight?.close();
  });

  it('answers 503 + Retry-After (never an empty 200, never a crash), then serves normally', async () => {
    for (const ms of ['1', '2', '5', '10']) {
      const res = await tightApi.search({ jobDescription: `${NURSE_JD} tight ${ms}` }, { 'x-hh-timeout-ms': ms });
      if (res.status === 200) {
        // Some branch did answer in time: then it must say what it has.
        expect(res.body.results.length + res.body.degraded.length).toBeGreaterThan(0);
      } else {
        expect(res.status, JSON.stringify(res.body)).toBe(503);
        expect(res.body.code).toBe('HH_SEARCH_UNAVAILABLE');
        expect(res.headers.get('retry-after')).toBe('1');
      }
    }
    // Abandoned branches settle in the background; give them time to reject unobserved if they would.
    await new Promise((r) => setTimeout(r, 500));
    const ok = await tightApi.search({ query: 'registered nurse' });
    expect(ok.status).toBe(200);
    expect(ok.body.results.length).toBeGreaterThan(0);
  });
});

describe('no retrieval branch answered', () => {
  let down: Harness;
  let downApi: ReturnType<typeof client>;
  beforeAll(async () => {
    // hh-embed unreachable: the vector branch cannot run.
    down = await startHarness({ SEARCH_EMBED_TIMEOUT_MS: '500' }, { embedUrl: 'http://127.0.0.1:9', rerankUrl: at(rerankApp) });
    const t = await down.newTenant('nobranch');
    downApi = client(down.url, t.key);
  });
  afterAll(async () => {
    await down?.close();
  });

  it('is a 503 with Retry-After, not an empty 200; with another branch answering it is a degraded 200', async () => {
    const vectorOnly = await downApi.search({ query: 'registered nurse', weights: { vector: 1, fts: 0, specialty: 0 } });
    expect(vectorOnly.status).toBe(503);
    expect(vectorOnly.body.code).toBe('HH_SEARCH_UNAVAILABLE');
    expect(vectorOnly.body.detail).toMatch(/vector: error/);
    expect(vectorOnly.headers.get('retry-after')).toBe('1');
    const hybrid = await downApi.search({ query: 'registered nurse' });
    expect(hybrid.status).toBe(200);
    expect(hybrid.body.degraded).toContain('embed_unavailable');
  });

  it('all weights 0 is a field-level 400', async () => {
    const res = await downApi.search({ query: 'nurse', weights: { vector: 0, fts: 0, specialty: 0 } });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('body.weights');
  });
});
