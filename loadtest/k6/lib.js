/**
 * Turns the shared scenario definitions (../scenarios.js) into k6 options and runs one request
 * of the current scenario per iteration. Scenarios of a script run one after another (startTime
 * offsets) so each one's numbers match a loadtest/run.mjs run of the same scenario.
 *
 * Environment: HH_URL (default http://127.0.0.1:8080), HH_API_KEY (default the demo key),
 * SCENARIOS=a,b (subset), DURATION=10s (override every duration), SEED, RUN_ID.
 */
import http from 'k6/http';
import exec from 'k6/execution';
import { Rate } from 'k6/metrics';
import { scenarios as all, durationSeconds, isFailureDegradedBody } from '../scenarios.js';

const BASE = __ENV.HH_URL || 'http://127.0.0.1:8080';
const KEY = __ENV.HH_API_KEY || 'hh_demo_key_change_me';
const SEED = Number(__ENV.SEED || 1);
const GAP_S = 2; // pause between scenarios so one's tail does not overlap the next

/** Share of 2xx search responses whose `degraded` list has a failure code (see INFORMATIONAL_DEGRADED). */
const degraded = new Rate('hh_degraded');

function selected(group) {
  const only = __ENV.SCENARIOS ? __ENV.SCENARIOS.split(',').map((s) => s.trim()) : null;
  return all.filter((s) => s.group === group && (!only || only.includes(s.name)));
}

export function buildOptions(group) {
  const k6Scenarios = {};
  const thresholds = {};
  let start = 0;
  for (const s of selected(group)) {
    const dur = durationSeconds(__ENV.DURATION || s.load.duration);
    const common = { exec: 'run', startTime: `${start}s`, gracefulStop: '10s' };
    k6Scenarios[s.name] = s.load.rate
      ? {
          ...common,
          executor: 'constant-arrival-rate',
          rate: s.load.rate,
          timeUnit: '1s',
          duration: `${dur}s`,
          preAllocatedVUs: s.load.concurrency,
          maxVUs: s.load.concurrency,
        }
      : { ...common, executor: 'constant-vus', vus: s.load.concurrency, duration: `${dur}s` };
    const t = s.thresholds || {};
    const lat = [];
    if (t.p95Ms !== undefined) lat.push(`p(95)<${t.p95Ms}`);
    if (t.p99Ms !== undefined) lat.push(`p(99)<${t.p99Ms}`);
    if (lat.length) thresholds[`http_req_duration{scenario:${s.name}}`] = lat;
    if (t.errorRate !== undefined) thresholds[`http_req_failed{scenario:${s.name}}`] = [`rate<${t.errorRate}`];
    if (t.degradedRate !== undefined) thresholds[`hh_degraded{scenario:${s.name}}`] = [`rate<${t.degradedRate}`];
    start += dur + GAP_S;
  }
  return {
    scenarios: k6Scenarios,
    thresholds,
    summaryTrendStats: ['avg', 'p(50)', 'p(95)', 'p(99)', 'max'],
  };
}

export function setupData() {
  return { runId: __ENV.RUN_ID || Date.now().toString(36) };
}

// Body generators live per VU (each VU has its own JS runtime) and are created on first use,
// because a VU only learns its scenario when it starts iterating.
const generators = {};

export function runOne(data) {
  const name = exec.scenario.name;
  const s = all.find((x) => x.name === name);
  const vu = exec.vu.idInTest;
  if (!generators[name]) {
    // Distinct seed per VU so VUs do not send the same bodies (which would hit the caches).
    generators[name] = s.body ? s.body({ seed: SEED + vu * 7919, runId: data.runId }) : null;
  }
  // Unique sequence number within the test run: VU id in the high digits, iteration in the low.
  const i = vu * 10000000 + exec.vu.iterationInScenario;
  const path = typeof s.path === 'function' ? s.path(i, { seed: SEED, runId: data.runId }) : s.path;
  const body = generators[name] ? JSON.stringify(generators[name](i)) : null;
  const res = http.request(s.method, `${BASE}${path}`, body, {
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    tags: { name: `${s.method} ${s.group === 'search' ? '/v1/search' : s.name}` },
    timeout: '10s',
  });
  if (s.group === 'search' && res.status >= 200 && res.status < 300) degraded.add(isFailureDegradedBody(res.body));
}
