/**
 * The load scenarios, defined once and used by both drivers:
 *   - loadtest/k6/search.js and loadtest/k6/ingest.js (k6, for users who have it)
 *   - loadtest/run.mjs (Node + autocannon, for machines without k6)
 * Plain ECMAScript (no Node or k6 APIs) so both runtimes can import it.
 *
 * A scenario:
 *   name         unique id; also the k6 `scenario` tag that thresholds select on
 *   group        'search' | 'ingest' (which k6 script runs it)
 *   method, path HTTP method; path is a string or (i, ctx) => string
 *   body         (ctx) => (i) => JSON body. Called once per driver worker with ctx = { seed, runId }
 *                and then once per request with a sequence number i that is unique within the run.
 *   load         { concurrency, duration } closed model (N requests in flight), or
 *                { rate, concurrency, duration } open model: `rate` requests/s, at most `concurrency` in flight
 *   thresholds   p95Ms / p99Ms (latency), errorRate (non-2xx or transport errors, 0..1),
 *                degradedRate (share of 2xx search responses whose `degraded` list has a failure code,
 *                i.e. anything but INFORMATIONAL_DEGRADED below, 0..1)
 * Threshold values are starting points for the 1,500 ms default search deadline (SEARCH_DEADLINE_MS);
 * tune them against a measured baseline (docs/benchmarks.md).
 */
import { createCandidate, createSearchBodies } from './lib/gen.js';

const seconds = (s) => `${s}s`;

export const scenarios = [
  {
    name: 'search_jd_uncached',
    group: 'search',
    description: 'Distinct job descriptions (every request misses the page, embedding and rerank caches), rerank on',
    method: 'POST',
    path: '/v1/search',
    body: (ctx) => createSearchBodies({ seed: ctx.seed, kind: 'jd' }),
    load: { concurrency: 8, duration: seconds(30) },
    thresholds: { p95Ms: 1000, p99Ms: 1500, errorRate: 0.01, degradedRate: 0.05 },
  },
  {
    name: 'search_query_filters',
    group: 'search',
    description: 'Short keyword queries with country/city/years/remote/skill filters, distinct, rerank on',
    method: 'POST',
    path: '/v1/search',
    body: (ctx) => createSearchBodies({ seed: ctx.seed + 1, kind: 'query' }),
    load: { concurrency: 4, duration: seconds(30) },
    thresholds: { p95Ms: 600, p99Ms: 1200, errorRate: 0.01, degradedRate: 0.05 },
  },
  {
    name: 'search_cached',
    group: 'search',
    description: 'The same 20 job descriptions over and over: measures the page-cache hit path',
    method: 'POST',
    path: '/v1/search',
    body: (ctx) => {
      // Same seed in every worker, so all workers share the 20 bodies and the cache warms at once.
      const next = createSearchBodies({ seed: ctx.seed + 2, kind: 'jd' });
      const fixed = Array.from({ length: 20 }, () => next());
      return (i) => fixed[i % fixed.length];
    },
    load: { concurrency: 8, duration: seconds(20) },
    thresholds: { p95Ms: 100, p99Ms: 250, errorRate: 0.01, degradedRate: 0.05 },
  },
  {
    name: 'search_steady_rate',
    group: 'search',
    description: 'Open model: 10 distinct searches per second regardless of response time (mixed JD and keyword queries)',
    method: 'POST',
    path: '/v1/search',
    body: (ctx) => createSearchBodies({ seed: ctx.seed + 3, kind: 'mixed' }),
    load: { rate: 10, concurrency: 16, duration: seconds(60) },
    thresholds: { p95Ms: 800, p99Ms: 1500, errorRate: 0.01, degradedRate: 0.05 },
  },
  {
    name: 'ingest_bulk',
    group: 'ingest',
    description: 'POST /v1/candidates/bulk with 100 new candidates per request (ids lt-<runId>-<n>)',
    method: 'POST',
    path: '/v1/candidates/bulk',
    body: (ctx) => (i) => Array.from({ length: 100 }, (_, k) => createCandidate(i * 100 + k, { seed: ctx.seed, prefix: `lt-${ctx.runId}-` })),
    load: { concurrency: 2, duration: seconds(30) },
    thresholds: { p95Ms: 5000, p99Ms: 8000, errorRate: 0.01 },
  },
  {
    name: 'ingest_put',
    group: 'ingest',
    description: 'PUT /v1/candidates/{id}, one new candidate per request',
    method: 'PUT',
    path: (i, ctx) => `/v1/candidates/lt-${ctx.runId}-p${i}`,
    body: (ctx) => (i) => {
      const { id: _id, ...candidate } = createCandidate(i, { seed: ctx.seed + 1 });
      return candidate;
    },
    load: { concurrency: 4, duration: seconds(20) },
    thresholds: { p95Ms: 250, p99Ms: 500, errorRate: 0.01 },
  },
];

export function findScenario(name) {
  const s = scenarios.find((x) => x.name === name);
  if (!s) throw new Error(`unknown scenario "${name}"; known: ${scenarios.map((x) => x.name).join(', ')}`);
  return s;
}

/** '30s' | '2m' | '1m30s' | number (seconds) → seconds. */
export function durationSeconds(d) {
  if (typeof d === 'number') return d;
  const m = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(String(d).trim());
  if (!m || (!m[1] && !m[2])) throw new Error(`bad duration "${d}" (use e.g. 30s, 2m, 1m30s)`);
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

/** The `degraded` codes of a search response body (a cheap regex, no JSON parse). */
export function degradedCodes(text) {
  if (typeof text !== 'string') return [];
  const m = /"degraded":\[([^\]]*)\]/.exec(text);
  if (!m || !m[1]) return [];
  return m[1].split(',').map((c) => c.replace(/"/g, '').trim()).filter(Boolean);
}

/**
 * Codes that report reduced completeness rather than a failed dependency. `vector_filtered_short`:
 * the vector branch over-fetches and post-filters, and a selective filter (one country, one city)
 * ran out before the window filled. It is counted and shown, but not held against degradedRate.
 */
export const INFORMATIONAL_DEGRADED = ['vector_filtered_short'];

/** Whether a 2xx search response reports any degradation (informational codes included). */
export function isDegradedBody(text) {
  return degradedCodes(text).length > 0;
}

/** Whether a 2xx search response lost or cut short a branch through a failure (timeout, error, unavailable). */
export function isFailureDegradedBody(text) {
  return degradedCodes(text).some((c) => !INFORMATIONAL_DEGRADED.includes(c));
}
