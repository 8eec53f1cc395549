#!/usr/bin/env node
/**
 * Checks the k6 scripts without a k6 binary: loads search.js and ingest.js in Node with shims for
 * k6/http, k6/execution and k6/metrics, verifies the generated k6 options (executors, durations,
 * thresholds naming real scenarios), runs a few iterations of every scenario as two VUs, and checks
 * the recorded requests (method, path, JSON body, auth header, distinct search bodies).
 * With --url it replays 3 recorded requests per scenario against a running hh-search and
 * requires 2xx answers, so the bodies k6 would send are known to be accepted by the API.
 *
 *   node loadtest/k6/check.mjs [--url http://127.0.0.1:8080] [--key KEY]
 */
import { register } from 'node:module';
import { parseArgs } from 'node:util';

const { values: a } = parseArgs({ options: { url: { type: 'string' }, key: { type: 'string', default: process.env.HH_API_KEY ?? 'hh_demo_key_change_me' } } });
register('./node-shim/hooks.mjs', import.meta.url);
globalThis.__ENV = { HH_URL: 'http://k6.invalid', HH_API_KEY: a.key, RUN_ID: `k6check${Date.now().toString(36)}` };

const { recorded } = await import('./node-shim/http.mjs');
const exec = (await import('./node-shim/execution.mjs')).default;
const { scenarios, durationSeconds } = await import('../scenarios.js');
const problems = [];
const bad = (m) => problems.push(m);
const replay = [];

for (const group of ['search', 'ingest']) {
  const script = await import(`./${group}.js`);
  const opts = script.options;
  const expected = scenarios.filter((s) => s.group === group).map((s) => s.name);
  const got = Object.keys(opts.scenarios);
  if (got.join() !== expected.join()) bad(`${group}.js: scenarios ${got} ≠ ${expected}`);
  let prevEnd = -1;
  for (const [name, sc] of Object.entries(opts.scenarios)) {
    if (sc.exec !== 'run' || typeof script.run !== 'function') bad(`${name}: exec must name the exported run()`);
    if (!['constant-vus', 'constant-arrival-rate'].includes(sc.executor)) bad(`${name}: unexpected executor ${sc.executor}`);
    if (sc.executor === 'constant-vus' && !(sc.vus >= 1)) bad(`${name}: vus missing`);
    if (sc.executor === 'constant-arrival-rate' && !(sc.rate >= 1 && sc.preAllocatedVUs >= 1 && sc.timeUnit === '1s')) bad(`${name}: arrival-rate fields missing`);
    const start = durationSeconds(sc.startTime);
    if (start <= prevEnd) bad(`${name}: starts at ${start}s, before the previous scenario ends (${prevEnd}s)`);
    prevEnd = start + durationSeconds(sc.duration);
  }
  for (const key of Object.keys(opts.thresholds)) {
    const m = /^(http_req_duration|http_req_failed|hh_degraded)\{scenario:([a-z_]+)\}$/.exec(key);
    if (!m || !got.includes(m[2])) bad(`${group}.js: threshold ${key} does not select a metric of a defined scenario`);
    for (const expr of opts.thresholds[key]) if (!/^(p\(\d+\)|rate)<[\d.]+$/.test(expr)) bad(`${key}: bad threshold expression ${expr}`);
  }

  const data = script.setup();
  for (const name of got) {
    const s = scenarios.find((x) => x.name === name);
    const from = recorded.length;
    for (const vu of [1, 2]) {
      for (let it = 0; it < 5; it++) {
        exec.scenario.name = name;
        exec.vu.idInTest = vu;
        exec.vu.iterationInScenario = it;
        script.run(data);
      }
    }
    const reqs = recorded.slice(from);
    if (reqs.length !== 10) bad(`${name}: expected 10 requests, got ${reqs.length}`);
    const bodies = new Set();
    for (const r of reqs) {
      if (r.method !== s.method) bad(`${name}: method ${r.method}`);
      if (!r.url.startsWith('http://k6.invalid/v1/')) bad(`${name}: url ${r.url}`);
      if (r.params?.headers?.authorization !== `Bearer ${a.key}`) bad(`${name}: no bearer token`);
      try {
        JSON.parse(r.body);
      } catch {
        bad(`${name}: body is not JSON`);
      }
      bodies.add(`${r.url} ${r.body}`);
    }
    // Uncached scenarios must not repeat a request (it would be served from the cache).
    if (name !== 'search_cached' && bodies.size !== reqs.length) bad(`${name}: ${reqs.length - bodies.size} repeated requests`);
    if (name === 'search_cached' && bodies.size > 20) bad(`${name}: more than 20 distinct bodies`);
    replay.push(...reqs.slice(0, 3).map((r) => ({ name, ...r })));
  }
}

if (a.url && problems.length === 0) {
  for (const r of replay) {
    const res = await fetch(r.url.replace('http://k6.invalid', a.url), { method: r.method, headers: r.params.headers, body: r.body });
    const text = await res.text();
    if (!res.ok) bad(`${r.name}: ${r.method} ${new URL(r.url).pathname} → HTTP ${res.status} ${text.slice(0, 300)}`);
  }
}

if (problems.length) {
  console.error(`k6 scripts: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`k6 scripts ok: ${recorded.length} simulated requests over ${scenarios.length} scenarios${a.url ? `; ${replay.length} replayed against ${a.url}, all 2xx` : ''}`);
