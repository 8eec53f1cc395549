#!/usr/bin/env node
/**
 * Node runner for the load scenarios in loadtest/scenarios.js (same definitions as the k6 scripts),
 * for machines without k6. Runs the selected scenarios one after another against a running
 * hh-search, prints a table, checks thresholds and exits 1 if any threshold fails.
 *
 *   node loadtest/run.mjs                                   # every search scenario, full durations
 *   node loadtest/run.mjs --scenario search_jd_uncached,search_cached
 *   node loadtest/run.mjs --group ingest
 *   node loadtest/run.mjs --smoke                           # all scenarios, 5 s and ≤ 200 requests each
 *   node loadtest/run.mjs --list
 *
 * Options: --url (HH_URL, default http://127.0.0.1:8080), --key (HH_API_KEY, default the demo key),
 *   --duration 10s (override), --max-requests N, --connections N, --seed N, --json out.json,
 *   --no-fail (always exit 0).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { scenarios, findScenario } from './scenarios.js';
import { runScenario, checkThresholds } from './lib/driver.mjs';

const { values: a } = parseArgs({
  // `pnpm bench:search -- --sizes 5000` passes the `--` through; drop it.
  args: process.argv.slice(2).filter((x) => x !== '--'),
  options: {
    url: { type: 'string', default: process.env.HH_URL ?? 'http://127.0.0.1:8080' },
    key: { type: 'string', default: process.env.HH_API_KEY ?? 'hh_demo_key_change_me' },
    scenario: { type: 'string' },
    group: { type: 'string' },
    duration: { type: 'string' },
    'max-requests': { type: 'string' },
    connections: { type: 'string' },
    seed: { type: 'string', default: '1' },
    json: { type: 'string' },
    smoke: { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
    'no-fail': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (a.help) {
  console.log('usage: node loadtest/run.mjs [--scenario a,b | --group search|ingest] [--smoke] [--duration 10s] [--max-requests N] [--url URL] [--key KEY] [--json FILE] [--list]');
  process.exit(0);
}
if (a.list) {
  for (const s of scenarios) {
    const load = s.load.rate ? `${s.load.rate} req/s (≤${s.load.concurrency} in flight)` : `${s.load.concurrency} concurrent`;
    console.log(`${s.name.padEnd(22)} ${s.group.padEnd(7)} ${s.method.padEnd(5)} ${load.padEnd(28)} ${s.load.duration.padEnd(5)} ${s.description}`);
  }
  process.exit(0);
}

const positiveInt = (name, v) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
};

const selected = a.scenario
  ? a.scenario.split(',').map((n) => findScenario(n.trim()))
  : scenarios.filter((s) => (a.group ? s.group === a.group : a.smoke ? true : s.group === 'search'));
if (selected.length === 0) throw new Error(`no scenario matches --group ${a.group}`);

// Smoke: bounded in time and count so it can run against a shared dev fleet.
const duration = a.duration ?? (a.smoke ? '5s' : undefined);
const maxRequests = positiveInt('max-requests', a['max-requests']) ?? (a.smoke ? 200 : undefined);
const connections = positiveInt('connections', a.connections);
const seed = Number(a.seed);
const runId = Date.now().toString(36);

// Fail fast with a clear message when the target is not up or the key is wrong.
try {
  const res = await fetch(`${a.url}/health/ready`);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
} catch (err) {
  console.error(`hh-search at ${a.url} is not ready (${err.message}); start it with \`pnpm start\` or pass --url`);
  process.exit(2);
}

const results = [];
let failed = false;
for (const s of selected) {
  process.stdout.write(`→ ${s.name}: ${s.description}\n`);
  const r = await runScenario({ url: a.url, apiKey: a.key, scenario: s, ctx: { seed, runId }, duration, maxRequests, connections });
  const checks = checkThresholds(s, r);
  if (checks.some((c) => !c.pass)) failed = true;
  results.push({ ...r, thresholds: checks });
  for (const c of checks) console.log(`    ${c.pass ? 'PASS' : 'FAIL'}  ${c.name} ${c.actual} (limit ${c.limit})`);
}

console.log('');
console.log('scenario                conns  rate  reqs    2xx     rps     p50 ms   p95 ms   p99 ms  errors  degraded (failure)  cache');
for (const r of results) {
  const cache = r.cache ? Object.entries(r.cache).map(([k, v]) => `${k}:${v}`).join(' ') : '-';
  console.log(
    [
      r.scenario.padEnd(22),
      String(r.connections).padStart(5),
      String(r.rate ?? '-').padStart(5),
      String(r.requests).padStart(5),
      String(r.ok).padStart(6),
      r.throughputRps.toFixed(1).padStart(7),
      r.latencyMs.p50.toFixed(1).padStart(8),
      r.latencyMs.p95.toFixed(1).padStart(8),
      r.latencyMs.p99.toFixed(1).padStart(8),
      `${(r.errorRate * 100).toFixed(2)}%`.padStart(7),
      r.degradedShare === null ? '                  -' : `${(r.degradedShare * 100).toFixed(1)}% (${(r.failureDegradedShare * 100).toFixed(1)}%)`.padStart(19),
      ` ${cache}`,
    ].join(' '),
  );
}
for (const r of results) {
  if (r.degradedReasons && Object.keys(r.degradedReasons).length) {
    console.log(`  ${r.scenario} degraded codes: ${Object.entries(r.degradedReasons).map(([k, v]) => `${k}:${v}`).join(' ')}`);
  }
}
if (results.some((r) => r.scenario.startsWith('ingest'))) {
  console.log(`\nIngest scenarios wrote candidates with ids lt-${runId}-*; delete them with DELETE /v1/candidates/{id} if the tenant is shared.`);
}
if (a.json) {
  mkdirSync(dirname(a.json), { recursive: true });
  writeFileSync(a.json, JSON.stringify({ url: a.url, runId, at: new Date().toISOString(), results }, null, 2));
  console.log(`wrote ${a.json}`);
}
process.exit(failed && !a['no-fail'] ? 1 : 0);
