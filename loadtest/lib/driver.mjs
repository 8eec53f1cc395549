/**
 * Node driver for one scenario (see ../scenarios.js) on top of autocannon. Used by loadtest/run.mjs
 * and scripts/bench-search.mjs. Latency percentiles are computed from every response time
 * (autocannon's own summary has no p95), errors count non-2xx answers plus transport errors and
 * timeouts, and search bodies are inspected for `degraded` and `cache` without a JSON parse so the
 * load generator spends its CPU on sending requests (it shares the machine with the fleet).
 */
import autocannon from 'autocannon';
import { INFORMATIONAL_DEGRADED, degradedCodes, durationSeconds } from '../scenarios.js';
import { percentile } from './gen.js';

/**
 * @param {object} o
 * @param {string} o.url            base URL of hh-search, e.g. http://127.0.0.1:8080
 * @param {string} o.apiKey
 * @param {object} o.scenario       a scenario definition
 * @param {object} [o.ctx]          { seed, runId } handed to the scenario's body factory
 * @param {number|string} [o.duration]  overrides scenario.load.duration
 * @param {number} [o.maxRequests]  stop after this many responses (smoke runs)
 * @param {number} [o.connections]  overrides scenario.load.concurrency
 * @param {number} [o.rate]         overrides scenario.load.rate (requests/s over all connections)
 * @param {number} [o.timeoutSeconds] per-request timeout (default 10)
 * @param {string[]} [o.informational] degraded codes not counted as failures (default INFORMATIONAL_DEGRADED)
 */
export async function runScenario(o) {
  const s = o.scenario;
  const ctx = { seed: 1, runId: Date.now().toString(36), ...(o.ctx ?? {}) };
  const connections = o.connections ?? s.load.concurrency ?? 1;
  const rate = o.rate ?? s.load.rate;
  const duration = durationSeconds(o.duration ?? s.load.duration);
  const nextBody = s.body ? s.body(ctx) : null;
  const pathOf = typeof s.path === 'function' ? s.path : () => s.path;
  let seq = 0;

  const latencies = [];
  const statuses = {};
  let degraded = 0;
  let failureDegraded = 0;
  let searched2xx = 0;
  const cache = {};
  const degradedReasons = {};
  const isSearch = s.group === 'search';
  const informational = o.informational ?? INFORMATIONAL_DEGRADED;

  const opts = {
    url: o.url,
    connections,
    duration,
    timeout: o.timeoutSeconds ?? 10,
    headers: { authorization: `Bearer ${o.apiKey}`, 'content-type': 'application/json' },
    requests: [
      {
        method: s.method,
        setupRequest: (req) => {
          const i = seq++;
          const out = { ...req, method: s.method, path: pathOf(i, ctx) };
          if (nextBody) out.body = JSON.stringify(nextBody(i));
          return out;
        },
        onResponse: (status, body) => {
          if (!isSearch || status < 200 || status >= 300) return;
          searched2xx++;
          const codes = degradedCodes(body);
          if (codes.length > 0) degraded++;
          if (codes.some((c) => !informational.includes(c))) failureDegraded++;
          for (const c of codes) degradedReasons[c] = (degradedReasons[c] ?? 0) + 1;
          const m = /"cache":"(\w+)"/.exec(body);
          if (m) cache[m[1]] = (cache[m[1]] ?? 0) + 1;
        },
      },
    ],
  };
  if (rate) opts.overallRate = rate;
  if (o.maxRequests) opts.maxOverallRequests = o.maxRequests;

  const startedAt = Date.now();
  const instance = autocannon(opts);
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    latencies.push(responseTime);
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  });
  const result = await instance;
  const elapsedS = (Date.now() - startedAt) / 1000;

  latencies.sort((a, b) => a - b);
  const ok = Object.entries(statuses).reduce((n, [code, c]) => n + (Number(code) >= 200 && Number(code) < 300 ? c : 0), 0);
  const responses = latencies.length;
  const non2xx = responses - ok;
  const transportErrors = result.errors + result.timeouts;
  const attempts = responses + transportErrors;
  const r2 = (x) => Math.round(x * 100) / 100;
  return {
    scenario: s.name,
    connections,
    rate: rate ?? null,
    durationS: r2(elapsedS),
    requests: attempts,
    responses,
    ok,
    non2xx,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    errorRate: attempts ? r2((non2xx + transportErrors) / attempts * 10000) / 10000 : 0,
    throughputRps: r2(ok / elapsedS),
    latencyMs: {
      p50: r2(percentile(latencies, 50)),
      p95: r2(percentile(latencies, 95)),
      p99: r2(percentile(latencies, 99)),
      max: r2(latencies[latencies.length - 1] ?? NaN),
      mean: r2(latencies.reduce((a, b) => a + b, 0) / (latencies.length || 1)),
    },
    // Share of 2xx searches with any degraded code, and with a failure code (informational ones excluded).
    degradedShare: isSearch ? (searched2xx ? r2((degraded / searched2xx) * 10000) / 10000 : 0) : null,
    failureDegradedShare: isSearch ? (searched2xx ? r2((failureDegraded / searched2xx) * 10000) / 10000 : 0) : null,
    degradedReasons: isSearch ? degradedReasons : null,
    cache: isSearch ? cache : null,
  };
}

/** Compare a run against its scenario's thresholds; returns [{ name, limit, actual, pass }]. */
export function checkThresholds(scenario, r) {
  const t = scenario.thresholds ?? {};
  const out = [];
  if (t.p95Ms !== undefined) out.push({ name: 'p95 ms', limit: t.p95Ms, actual: r.latencyMs.p95, pass: r.latencyMs.p95 < t.p95Ms });
  if (t.p99Ms !== undefined) out.push({ name: 'p99 ms', limit: t.p99Ms, actual: r.latencyMs.p99, pass: r.latencyMs.p99 < t.p99Ms });
  if (t.errorRate !== undefined) out.push({ name: 'error rate', limit: t.errorRate, actual: r.errorRate, pass: r.errorRate < t.errorRate });
  if (t.degradedRate !== undefined && r.failureDegradedShare !== null) {
    out.push({ name: 'failure-degraded share', limit: t.degradedRate, actual: r.failureDegradedShare, pass: r.failureDegradedShare < t.degradedRate });
  }
  // A run that got no successful response at all cannot pass, whatever the thresholds say.
  if (r.ok === 0) out.push({ name: '2xx responses', limit: '> 0', actual: 0, pass: false });
  return out;
}
