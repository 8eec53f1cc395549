#!/usr/bin/env node
// Renders one benchmark result file (bench-results/<tag>.json) as the Markdown block the package
// README shows: the command, build and memory figures, and the recall/latency table. Numbers in
// the README come from here, not from hand copying.
//   node scripts/results-table.mjs bench-results/synthetic-100k-R64-quiet-k8.json
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  console.error('usage: results-table.mjs <bench-results/file.json>');
  process.exit(2);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
const f = (x, d = 3) => (x === undefined || x === null ? '-' : Number(x).toFixed(d));
const out = [];
out.push('`' + r.command + '` — ' + (r.date.endsWith('Z') ? r.date.slice(0, 16) + 'Z' : r.date) + ', Node ' + r.node + ', ' + r.cores + ' cores (' + (r.cpu ?? '?').trim() + ').');
if (r.reconstructedFromLog) out.push(`Reconstructed from the run's log (\`bench-results/${r.reconstructedFromLog.log}\`) by \`scripts/json-from-log.mjs\`: ${r.reconstructedFromLog.why}.`);
out.push('');
const b = r.build ?? {};
const parts = [];
if (b.diskann) {
  const d = b.diskann;
  const cached = d.cached ? ` (index loaded from the \`--index-cache\` snapshot of the build at ${d.builtAt})` : '';
  const dpp = d.distancesPerPoint ? `, ${f(d.distancesPerPoint, 0)} distances/point` : '';
  const params = [['R', d.R], ['L', d.L], ['α', d.alpha], ['kernel', d.kernel]].filter(([, x]) => x !== undefined).map(([k, x]) => `${k} ${x}`);
  params.push(`avg degree ${f(d.averageDegree, 1)}`);
  parts.push(`diskann ${f(d.seconds, 0)} s on ${d.threads} threads (${params.join(', ')}${dpp})${cached}`);
}
if (b.hnswlib) parts.push(`hnswlib ${f(b.hnswlib.seconds, 0)} s on ${b.hnswlib.threads} thread`);
if (b.usearch) parts.push(`usearch ${f(b.usearch.seconds, 0)} s on ${b.usearch.threads} threads`);
out.push('Build: ' + parts.join('; ') + '.');
if (b.diskann?.bytesPerVector) {
  const m = b.diskann.bytesPerVector;
  out.push(`Resident bytes/vector (diskann): graph ${m.graph}, SBQ codes ${m.codes}, full vectors ${m.vectors} → graph + codes = ${m.graph + m.codes}.`);
}
if (r.snapshot?.bytes) {
  const s = r.snapshot;
  out.push(`Snapshot: ${f(s.bytes / 2 ** 20, 0)} MiB, save ${f(s.saveSeconds, 1)} s, load ${f(s.loadSeconds, 1)} s, same answers after load: ${s.sameAnswers}.`);
}
if (r.churn?.deleted) {
  const c = r.churn;
  out.push(`Churn: deleted ${c.deleted}, consolidate ${f(c.consolidateSeconds, 1)} s, re-insert ${f(c.reinsertSeconds, 1)} s (owner thread).`);
}
out.push('');
out.push('| engine | setting | filter | recall@10 | p50 ms | p95 ms | p99 ms | QPS (2 thr) | dist/q | ham/q |');
out.push('|---|---|---|---|---|---|---|---|---|---|');
for (const row of r.rows) {
  out.push(`| ${row.engine} | ${row.setting} | ${row.filter ?? ''} | ${f(row.recall)} | ${f(row.p50)} | ${f(row.p95)} | ${f(row.p99)} | ${f(row.qps2, 0)} | ${f(row.distPerQuery, 0)} | ${f(row.hamPerQuery, 0)} |`);
}
console.log(out.join('\n'));
