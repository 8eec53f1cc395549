#!/usr/bin/env node
/**
 * Generates infra/grafana/hh-fleet.json (committed). Edit this file, not the JSON, then run
 *   node infra/grafana/build-dashboard.mjs
 * `node infra/validate.mjs` fails when the committed JSON differs from what this script writes.
 *
 * Writing panels as code keeps ids and grid positions consistent and lets the validator check every
 * query's metric names against the services' source.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DS = { type: 'prometheus', uid: '${datasource}' };
const SEL = 'instance=~"$instance"';
const RI = '$__rate_interval';

let nextId = 1;
let y = 0;
let x = 0;
const panels = [];

function row(title) {
  if (x !== 0) {
    y += 8;
    x = 0;
  }
  panels.push({ type: 'row', id: nextId++, title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });
  y += 1;
}

/** A time-series panel; targets are [legend, expr] pairs. */
function ts(title, description, unit, targets, opts = {}) {
  const w = opts.w ?? 8;
  if (x + w > 24) {
    y += 8;
    x = 0;
  }
  panels.push({
    type: 'timeseries',
    id: nextId++,
    title,
    description,
    datasource: DS,
    gridPos: { h: 8, w, x, y },
    fieldConfig: {
      defaults: {
        unit,
        min: opts.min ?? 0,
        custom: { drawStyle: 'line', lineWidth: 1, fillOpacity: opts.stack ? 30 : 10, showPoints: 'never', stacking: { mode: opts.stack ? 'normal' : 'none', group: 'A' } },
        ...(opts.thresholds
          ? { thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }, ...opts.thresholds] }, custom: { thresholdsStyle: { mode: 'line' }, drawStyle: 'line', lineWidth: 1, fillOpacity: 10, showPoints: 'never' } }
          : {}),
      },
      overrides: [],
    },
    options: { legend: { displayMode: 'table', placement: 'bottom', calcs: ['lastNotNull', 'max'] }, tooltip: { mode: 'multi', sort: 'desc' } },
    targets: targets.map(([legendFormat, expr], i) => ({ refId: String.fromCharCode(65 + i), datasource: DS, expr, legendFormat, range: true })),
  });
  x += w;
}

function stat(title, description, unit, expr, opts = {}) {
  const w = opts.w ?? 4;
  if (x + w > 24) {
    y += 8;
    x = 0;
  }
  panels.push({
    type: 'stat',
    id: nextId++,
    title,
    description,
    datasource: DS,
    gridPos: { h: 4, w, x, y },
    fieldConfig: {
      defaults: { unit, thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }, ...(opts.thresholds ?? [])] } },
      overrides: [],
    },
    options: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'background', graphMode: 'area', textMode: 'auto' },
    targets: [{ refId: 'A', datasource: DS, expr, legendFormat: opts.legend ?? '', instant: false, range: true }],
  });
  x += w;
}

const q = (p, metric, by, extra = '') =>
  `histogram_quantile(${p}, sum by (le${by ? `, ${by}` : ''}) (rate(${metric}_bucket{${SEL}${extra}}[${RI}])))`;
const SEARCH_REQ = 'hh_search_request_duration_seconds';
const searchRate = `sum(rate(${SEARCH_REQ}_count{${SEL}, route="/v1/search"}[${RI}]))`;

// ---------- Overview ----------
row('Overview');
stat('Search requests/s', 'POST /v1/search, all statuses', 'reqps', searchRate);
stat('Search p95', 'p95 of POST /v1/search (all statuses)', 's', q(0.95, SEARCH_REQ, '', ', route="/v1/search"'), { thresholds: [{ color: 'orange', value: 0.8 }, { color: 'red', value: 1.5 }] });
stat('5xx ratio', 'Share of hh-search responses with a 5xx status', 'percentunit',
  `sum(rate(${SEARCH_REQ}_count{${SEL}, status_class="5xx"}[${RI}])) / clamp_min(sum(rate(${SEARCH_REQ}_count{${SEL}}[${RI}])), 1e-9)`,
  { thresholds: [{ color: 'orange', value: 0.001 }, { color: 'red', value: 0.01 }] });
stat('Partial responses', 'Share of searches that answered without at least one branch (degraded[] not empty)', 'percentunit',
  `sum(rate(hh_search_partial_responses_total{${SEL}}[${RI}])) / clamp_min(${searchRate}, 1e-9)`,
  { thresholds: [{ color: 'orange', value: 0.01 }, { color: 'red', value: 0.05 }] });
stat('Index vectors', 'Vectors in the hh-search vector index (per replica: min)', 'short', `min(hh_search_vector_index_vectors{${SEL}})`);
stat('Index freshness lag', 'Seconds the slowest replica\'s index is behind the change log', 's', `max(hh_search_vector_index_freshness_lag_seconds{${SEL}})`,
  { thresholds: [{ color: 'orange', value: 30 }, { color: 'red', value: 120 }] });

// ---------- HTTP ----------
row('hh-search HTTP');
ts('Request rate by route and status', 'Requests per second, by route pattern and status class', 'reqps',
  [['{{method}} {{route}} {{status_class}}', `sum by (method, route, status_class) (rate(${SEARCH_REQ}_count{${SEL}}[${RI}]))`]], { stack: true });
ts('Latency by route (p50)', 'Median request duration by route', 's', [['{{route}}', q(0.5, SEARCH_REQ, 'route')]]);
ts('Latency by route (p95, p99)', 'Tail request duration by route', 's',
  [['p95 {{route}}', q(0.95, SEARCH_REQ, 'route')], ['p99 {{route}}', q(0.99, SEARCH_REQ, 'route')]], { thresholds: [{ color: 'red', value: 1.5 }] });

// ---------- Search pipeline ----------
row('Search pipeline');
ts('Branch duration p50 / p95', 'Duration of each search stage as hh-search observes it (embed, vector, fts, specialty); rerank time is in the hh-rerank row', 's',
  [['p50 {{branch}}', q(0.5, 'hh_search_branch_duration_seconds', 'branch')], ['p95 {{branch}}', q(0.95, 'hh_search_branch_duration_seconds', 'branch')]]);
ts('Branch failures by branch and reason', 'Failed or timed-out search branches per second', 'ops',
  [['{{branch}} {{reason}}', `sum by (branch, reason) (rate(hh_search_branch_failures_total{${SEL}}[${RI}]))`]], { stack: true });
ts('Degraded reasons', 'Degradation codes reported in search responses, per second', 'ops',
  [['{{reason}}', `sum by (reason) (rate(hh_search_degraded_total{${SEL}}[${RI}]))`]], { stack: true });
ts('Partial responses', 'Searches answered without at least one branch: rate and share of all searches', 'ops',
  [['partial/s', `sum(rate(hh_search_partial_responses_total{${SEL}}[${RI}]))`], ['searches/s', searchRate]]);
ts('Rerank fallbacks by reason', 'Searches served in fused order because rerank failed, timed out or was skipped', 'ops',
  [['{{reason}}', `sum by (reason) (rate(hh_rerank_fallbacks_total{${SEL}}[${RI}]))`]], { stack: true });
ts('Fused candidates per search', 'Candidates after Reciprocal Rank Fusion (p50, p95)', 'short',
  [['p50', q(0.5, 'hh_search_fused_candidates', '')], ['p95', q(0.95, 'hh_search_fused_candidates', '')]]);
ts('Cache results', 'Cache lookups by namespace (search page, query embedding, rerank, specialty) and result (hit, miss, stale, bypass)', 'ops',
  [['{{cache}} {{result}}', `sum by (cache, result) (rate(hh_cache_requests_total{${SEL}}[${RI}]))`]], { stack: true });

// ---------- Index and ingest ----------
row('Vector index and ingest');
ts('Index vectors', 'Vectors held by each hh-search replica', 'short', [['{{instance}}', `hh_search_vector_index_vectors{${SEL}}`]]);
ts('Index freshness lag', 'Seconds each replica\'s index is behind the change log', 's',
  [['{{instance}}', `hh_search_vector_index_freshness_lag_seconds{${SEL}}`]], { thresholds: [{ color: 'red', value: 60 }] });
ts('Embedding jobs and failures', 'Outbox rows embedded per second, and failed batches per second (retried with backoff)', 'ops',
  [['embedded rows/s', `sum(rate(hh_search_embedding_jobs_total{${SEL}}[${RI}]))`], ['failed batches/s', `sum(rate(hh_search_embedding_failures_total{${SEL}}[${RI}]))`]]);
ts('Embedding outbox', 'Candidates waiting for an embedding: ready = claimable now, waiting = leased to a worker or backing off (database-wide; every replica reports the same)', 'short',
  [['{{state}}', `max by (state) (hh_search_embedding_outbox_rows{${SEL}})`]], { stack: true });
ts('Outbox oldest age', 'Seconds since the oldest queued candidate went out of date (0 when the outbox is empty)', 's',
  [['oldest', `max(hh_search_embedding_outbox_oldest_age_seconds{${SEL}})`]], { thresholds: [{ color: 'red', value: 600 }] });
ts('Superseded embeddings and reconciler repairs', 'Embedded rows not stored because the candidate changed meanwhile (re-queued with the new text), and candidates the reconciler re-queued, by reason (model = EMBED_MODEL changed; missing / stale = a lost update)', 'ops',
  [['superseded/s', `sum(rate(hh_search_embedding_superseded_total{${SEL}}[${RI}]))`], ['repairs {{reason}}/s', `sum by (reason) (rate(hh_search_embedding_reconciler_repairs_total{${SEL}}[${RI}]))`]]);
ts('Postgres pool', 'hh-search pg pool connections: total, idle, and requests waiting for a connection', 'short',
  [['{{state}} {{instance}}', `hh_search_pg_pool_connections{${SEL}}`]]);

// ---------- Downstream ----------
row('hh-embed and hh-rerank');
ts('hh-embed requests', 'Request rate by route and status class', 'reqps',
  [['{{route}} {{status_class}}', `sum by (route, status_class) (rate(hh_embed_request_duration_seconds_count{${SEL}}[${RI}]))`]]);
ts('hh-embed latency p50 / p95 / p99', 'POST /v1/embeddings duration', 's',
  [['p50', q(0.5, 'hh_embed_request_duration_seconds', '', ', route="/v1/embeddings"')], ['p95', q(0.95, 'hh_embed_request_duration_seconds', '', ', route="/v1/embeddings"')], ['p99', q(0.99, 'hh_embed_request_duration_seconds', '', ', route="/v1/embeddings"')]]);
ts('hh-rerank latency p50 / p95 / p99', 'POST /v1/rerank duration', 's',
  [['p50', q(0.5, 'hh_rerank_request_duration_seconds', '', ', route="/v1/rerank"')], ['p95', q(0.95, 'hh_rerank_request_duration_seconds', '', ', route="/v1/rerank"')], ['p99', q(0.99, 'hh_rerank_request_duration_seconds', '', ', route="/v1/rerank"')]]);

// ---------- Runtime ----------
row('Node.js runtime');
ts('Event-loop lag p99', 'prom-client event-loop delay p99 per service', 's',
  [['{{job}} {{instance}}', `{__name__=~"hh_(search|embed|rerank)_nodejs_eventloop_lag_p99_seconds", ${SEL}}`]], { thresholds: [{ color: 'red', value: 0.2 }] });
ts('Heap used', 'V8 heap used per service', 'bytes',
  [['{{job}} {{instance}}', `{__name__=~"hh_(search|embed|rerank)_nodejs_heap_size_used_bytes", ${SEL}}`]]);
ts('Resident memory', 'Process RSS per service', 'bytes',
  [['{{job}} {{instance}}', `{__name__=~"hh_(search|embed|rerank)_process_resident_memory_bytes", ${SEL}}`]]);
ts('CPU', 'CPU seconds per second (1.0 = one full core)', 'short',
  [['{{job}} {{instance}}', `rate({__name__=~"hh_(search|embed|rerank)_process_cpu_seconds_total", ${SEL}}[${RI}])`]]);
ts('Up', 'Scrape health of every fleet target (1 = up)', 'short', [['{{job}} {{instance}}', `up{job=~"hh-.*", ${SEL}}`]], { min: 0 });

const dashboard = {
  uid: 'hh-fleet',
  title: 'hh fleet',
  description: 'hh-search, hh-embed and hh-rerank: traffic, latency, search branches, degradation, vector index freshness, ingest, runtime. Generated by infra/grafana/build-dashboard.mjs.',
  tags: ['hh'],
  timezone: 'browser',
  editable: true,
  graphTooltip: 1,
  refresh: '30s',
  schemaVersion: 39,
  version: 1,
  time: { from: 'now-3h', to: 'now' },
  templating: {
    list: [
      { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0 },
      {
        name: 'instance',
        label: 'Instance',
        type: 'query',
        datasource: DS,
        query: { query: 'label_values(up{job=~"hh-.*"}, instance)', refId: 'instance' },
        definition: 'label_values(up{job=~"hh-.*"}, instance)',
        includeAll: true,
        multi: true,
        allValue: '.*',
        current: { text: 'All', value: '$__all' },
        refresh: 2,
        hide: 0,
      },
    ],
  },
  annotations: { list: [] },
  panels,
};

const out = join(dirname(fileURLToPath(import.meta.url)), 'hh-fleet.json');
export const dashboardJson = `${JSON.stringify(dashboard, null, 2)}\n`;
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(out, dashboardJson);
  console.log(`wrote ${out} (${panels.length} panels)`);
}
