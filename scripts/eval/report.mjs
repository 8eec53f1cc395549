#!/usr/bin/env node
/**
 * Tables of the evaluation figures: plain text for the terminal (run.mjs) and Markdown for the
 * README, read back from the JSON a run wrote:
 *
 *   node scripts/eval/report.mjs bench-results/eval-2026-12-04.json
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const fmt = (x) => (x === null || x === undefined ? '—' : x.toFixed(3));

/** One row per configuration column ({ key, label, lexical }), figures keyed by column key. */
export function formatTable(columns, figures) {
  const head = ['configuration', 'full text', 'NDCG@10', 'MRR', 'R@100', 'queries'];
  const rows = columns.map((c) => {
    const f = figures[c.key];
    return [c.label, c.lexical || '', fmt(f?.ndcg10), fmt(f?.mrr), fmt(f?.recall100), f ? String(f.queries) + (f.failed ? ` (${f.failed} failed)` : '') : '—'];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r) => r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

const LABELS = { vector: 'vector', fts: 'full text', specialty: 'specialty', rrf: 'RRF (all three)', rrf_rerank: 'RRF + rerank' };
const describe = (key) => {
  const [config, lexical] = key.split(':');
  return `${LABELS[config] ?? config}${lexical ? ` (${lexical === 'memory' ? 'in-memory BM25F' : 'Postgres FTS'})` : ''}`;
};

/** Markdown: the aggregate table, then NDCG@10 / MRR / R@100 per query set. */
export function markdown(run) {
  const keys = Object.keys(run.aggregate);
  const out = [];
  out.push(`Aggregate (mean over query sets), commit ${run.machine.commit}${run.machine.dirty ? ' + local changes' : ''}, ${run.startedAt.slice(0, 10)}:`, '');
  out.push('| configuration | NDCG@10 | MRR | recall@100 |', '|---|---:|---:|---:|');
  for (const k of keys) out.push(`| ${describe(k)} | ${fmt(run.aggregate[k].ndcg10)} | ${fmt(run.aggregate[k].mrr)} | ${fmt(run.aggregate[k].recall100)} |`);
  const sets = Object.entries(run.results).flatMap(([ds, bySet]) => Object.keys(bySet).map((s) => [ds, s]));
  out.push('', 'Per query set, NDCG@10 / MRR / recall@100 (queries):', '');
  out.push(`| configuration | ${sets.map(([d, s]) => `${d} / ${s} (${run.datasets[d].querySets[s].queries})`).join(' | ')} |`);
  out.push(`|---|${sets.map(() => '---:').join('|')}|`);
  for (const k of keys) {
    const cells = sets.map(([d, s]) => {
      const f = run.results[d][s][k];
      return f ? `${fmt(f.ndcg10)} / ${fmt(f.mrr)} / ${fmt(f.recall100)}` : '—';
    });
    out.push(`| ${describe(k)} | ${cells.join(' | ')} |`);
  }
  return out.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node scripts/eval/report.mjs <bench-results/eval-….json>');
    process.exit(2);
  }
  console.log(markdown(JSON.parse(readFileSync(file, 'utf8'))));
}
