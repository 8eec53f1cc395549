/**
 * Service authentication on hh-rerank: /v1 needs hh-search's token for hh-rerank, and a refused
 * request is never scored.
 */
import { loadRerankConfig } from '@hh/config';
import { ServiceTokenSigner } from '@hh/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';

const SECRET = 'hh-rerank-test-service-secret-0123456789';
const app = buildApp(loadRerankConfig({ LOG_LEVEL: 'silent', SERVICE_AUTH_SECRET: SECRET }));
beforeAll(async () => {
  await app.ready();
});
afterAll(async () => {
  await app.close();
});

const token = (opts: { secret?: string; audience?: string; now?: () => number } = {}) =>
  new ServiceTokenSigner({ secret: opts.secret ?? SECRET, audience: opts.audience ?? 'hh-rerank', ...(opts.now ? { now: opts.now } : {}) }).token();

/** `alg: none` by hand: no signature at all. */
const unsigned = () => {
  const part = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none', typ: 'hh-service+jwt' })}.${part({ iss: 'hh-search', aud: 'hh-rerank', iat: now, exp: now + 60 })}.`;
};

/** Value of one sample in the app's Prometheus exposition (0 when absent). */
async function metric(name: string, labels = ''): Promise<number> {
  const body = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  const line = body.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

const rerank = (authorization?: string) =>
  app.inject({
    method: 'POST',
    url: '/v1/rerank',
    payload: { query: 'ICU nurse', documents: ['REGISTERED NURSE\nICU, BLS', 'STAFF ACCOUNTANT\nGAAP'] },
    headers: authorization ? { authorization } : {},
  });

describe('hh-rerank service authentication', () => {
  it.each([
    ['no token', async () => undefined, 'missing'],
    ['an expired token', async () => `Bearer ${await token({ now: () => Date.now() - 120_000 })}`, 'expired'],
    ['a token for hh-embed', async () => `Bearer ${await token({ audience: 'hh-embed' })}`, 'audience'],
    ['alg: none', async () => `Bearer ${unsigned()}`, 'algorithm'],
    ['a token signed with another secret', async () => `Bearer ${await token({ secret: 'not-the-secret-hh-rerank-knows-0123456789' })}`, 'signature'],
  ])('refuses %s with 401 and scores nothing', async (_name, auth, reason) => {
    const res = await rerank(await auth());
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="hh-rerank"/);
    expect(res.json<{ code: string }>().code).toBe('HH_RERANK_UNAUTHORIZED');
    expect(await metric('hh_rerank_service_auth_rejections_total', `{reason="${reason}"}`)).toBe(1);
    expect(await metric('hh_rerank_documents_scored_total')).toBe(0);
    expect(await metric('hh_rerank_scoring_duration_seconds_count')).toBe(0);
  });

  it('scores with a valid token; health and metrics stay open', async () => {
    const res = await rerank(`Bearer ${await token()}`);
    expect(res.statusCode).toBe(200);
    expect(res.json<{ results: { index: number }[] }>().results[0]!.index).toBe(0);
    expect(await metric('hh_rerank_documents_scored_total')).toBe(2);
    expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
  });
});
