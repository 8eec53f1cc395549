/**
 * The API-key cache and the unknown-key budget, seen from outside: how many database lookups
 * authentication costs. Every authentication lookup checks out a pool connection, so the pool's
 * 'acquire' events count them; the harness's background work is slowed down (long index poll, no
 * embedding worker) so nothing else checks out connections while a test counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
let key: string;
let acquires = 0;
const BUDGET = 5;

beforeAll(async () => {
  h = await startHarness({
    AUTH_KEY_CACHE_TTL_MS: '600000', // long: these tests are about eviction and misses, not expiry
    AUTH_UNKNOWN_KEY_LOOKUPS_PER_MINUTE: String(BUDGET),
    TRUST_PROXY: '127.0.0.1', // the tests speak for many clients through X-Forwarded-For
    INDEX_POLL_MS: '600000',
  });
  key = (await h.newTenant('cache')).key;
  h.runtime.pool.on('acquire', () => acquires++);
});
afterAll(async () => {
  await h?.close();
});

const inject = (apiKey: string, client: string) =>
  h.runtime.app.inject({ method: 'GET', url: '/v1/candidates/nobody', headers: { authorization: `Bearer ${apiKey}`, 'x-forwarded-for': client } });

/** Database checkouts made while `fn` runs. */
async function lookups(fn: () => Promise<unknown>): Promise<number> {
  const before = acquires;
  await fn();
  return acquires - before;
}

describe('API key cache', () => {
  it('a known key costs one lookup, then none', async () => {
    expect((await inject(key, '10.0.0.1')).statusCode).toBe(404);
    // Authentication itself does not query again; the route's own read of the candidate does.
    const perRequest = await lookups(() => inject(key, '10.0.0.1'));
    expect(perRequest).toBe(1);
  });

  it('repeating an unknown key costs one lookup, not one per request', async () => {
    const n = await lookups(async () => {
      for (let i = 0; i < 20; i++) expect((await inject('hh_not_a_real_key_repeated', '10.0.0.2')).statusCode).toBe(401);
    });
    expect(n).toBe(1);
  });

  it('10,001 distinct unknown keys do not flush a known key', { timeout: 300_000 }, async () => {
    // Each from its own address, so the per-client budget never stops the lookups.
    const total = 10_001;
    for (let start = 0; start < total; start += 50) {
      const batch: Promise<unknown>[] = [];
      for (let i = start; i < Math.min(total, start + 50); i++) {
        batch.push(inject(`hh_flood_${i.toString().padStart(8, '0')}`, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`));
      }
      await Promise.all(batch);
    }
    // Only the route's read of the candidate: the key itself is still cached.
    expect(await lookups(() => inject(key, '10.0.0.1'))).toBe(1);
  });

  it('a client that keeps sending unknown keys gets 429 with Retry-After; others and known keys are unaffected', async () => {
    const guesser = '198.51.100.7';
    const statuses: number[] = [];
    const n = await lookups(async () => {
      for (let i = 0; i < BUDGET + 3; i++) statuses.push((await inject(`hh_guess_${i}_padding`, guesser)).statusCode);
    });
    expect(statuses).toEqual([...Array(BUDGET).fill(401), 429, 429, 429]);
    expect(n).toBe(BUDGET); // past the budget, no lookups at all
    const refused = await inject('hh_guess_another_key', guesser);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json()).toMatchObject({ code: 'HH_SEARCH_AUTH_THROTTLED' });
    // The same client's known (cached) key still works; another client's unknown key is looked up.
    expect((await inject(key, guesser)).statusCode).toBe(404);
    expect((await inject('hh_someone_else_typo', '198.51.100.8')).statusCode).toBe(401);
  });

  it('IPv6 clients are counted per /64', async () => {
    for (let i = 0; i < BUDGET; i++) expect((await inject(`hh_v6_guess_${i}_pad`, `2001:db8:1:2::${i + 1}`)).statusCode).toBe(401);
    // Another address in the same /64 shares the budget; another /64 does not.
    expect((await inject('hh_v6_guess_next_pad', '2001:db8:1:2:ffff::9')).statusCode).toBe(429);
    expect((await inject('hh_v6_guess_next_pad', '2001:db8:1:3::1')).statusCode).toBe(401);
  });
});
