/**
 * Service authentication end to end: the harness runs hh-embed and hh-rerank with
 * SERVICE_AUTH_SECRET and hh-search signs its calls, as a deployment should. When the two sides
 * disagree, searches still answer from full text and specialty and say so in degraded[], and
 * hh-search logs the refusal once, with what to check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbedClient } from '../src/clients/embed-client.js';
import { DownstreamError } from '../src/clients/http.js';
import { accountant, nurse, NURSE_JD } from './fixtures.js';
import { client, startHarness, type Harness } from './harness.js';

let h: Harness;
let api: ReturnType<typeof client>;
beforeAll(async () => {
  h = await startHarness();
  const t = await h.newTenant('signed');
  api = client(h.url, t.key);
  await api.bulk([{ id: 'n-1', ...nurse(1) }, { id: 'n-2', ...nurse(2) }, { id: 'a-1', ...accountant(1) }]);
  await h.settle();
}, 60_000);
afterAll(async () => {
  await h?.close();
});

const ids = (res: { body: { results: { candidateId: string }[] } }) => res.body.results.map((r) => r.candidateId);

describe('service authentication', () => {
  it('hh-embed and hh-rerank refuse unsigned calls; hh-search signs its own and every branch answers', async () => {
    for (const [url, path] of [
      [h.embedUrl, '/v1/embeddings'],
      [h.rerankUrl, '/v1/rerank'],
    ] as const) {
      const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }

    const res = await api.search({ jobDescription: NURSE_JD, limit: 5 });
    expect(res.status).toBe(200);
    expect(ids(res).slice(0, 2).sort()).toEqual(['n-1', 'n-2']);
    expect(res.body.degraded).toEqual([]);
    expect(res.body.branches.vector.status).toBe('ok');
    expect(res.body.branches.rerank.status).toBe('ok');
  });

  it.each([
    ['the wrong secret', 'a-different-secret-than-the-callees-0123456789'],
    ['no secret', ''],
  ])('hh-search with %s gets embed_unavailable and rerank_unavailable, and still answers', async (_name, secret) => {
    const other = await startHarness({ SERVICE_AUTH_SECRET: secret });
    try {
      const t = await other.newTenant('mismatch');
      const api = client(other.url, t.key);
      // Written and searchable by full text; never embedded, since hh-embed refuses this hh-search.
      await api.bulk([{ id: 'n-1', ...nurse(1) }, { id: 'a-1', ...accountant(1) }]);
      await other.indexed();
      const res = await api.search({ jobDescription: NURSE_JD, limit: 5 });
      expect(res.status).toBe(200);
      expect(res.body.degraded).toEqual(expect.arrayContaining(['embed_unavailable', 'rerank_unavailable']));
      expect(res.body.partial).toBe(true);
      expect(res.body.branches.vector.status).toBe('error');
      expect(res.body.branches.rerank.status).toBe('error');
      expect(res.body.branches.fts.status).toBe('ok');
      expect(ids(res)[0]).toBe('n-1');
    } finally {
      await other.close();
    }
  });

  it('a refused client fails with an unauthorized DownstreamError and warns once per outage', async () => {
    const warnings: { obj: object; msg: string }[] = [];
    const embed = new EmbedClient(h.embedUrl, 'hh-hash-768-v1', { serviceAuthSecret: 'a-different-secret-than-the-callees-0123456789' });
    embed.setLog({ info: () => undefined, warn: (obj, msg) => warnings.push({ obj, msg }) });
    try {
      for (let i = 0; i < 3; i++) {
        const err = await embed.embed(['nurse'], { timeoutMs: 5_000 }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(DownstreamError);
        expect((err as DownstreamError).kind).toBe('unauthorized');
        expect((err as DownstreamError).status).toBe(401);
      }
      expect(warnings).toEqual([
        {
          obj: { service: 'hh-embed', reason: 'the service token signature does not verify' },
          msg: "hh-embed refuses this service's credentials (HTTP 401); check that SERVICE_AUTH_SECRET is the same on hh-search and hh-embed",
        },
      ]);
    } finally {
      await embed.close();
    }
  });
});
