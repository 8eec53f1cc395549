// Renders a bench:predicate result as the Markdown table in the README:
// `node scripts/predicate-table.mjs bench-results/predicate-100000.json`.
import { readFileSync } from 'node:fs';

const r = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const f = (x, d = 2) => (x === undefined || x === null ? '-' : Number(x).toFixed(d));
console.log(`\`${r.command}\` — ${r.when.slice(0, 16)}Z, ${r.node}, ${r.cores} cores, kernel ${r.kernel}, ${r.n} × ${r.dims}, ${r.nq} queries${r.cachedIndex ? ' (index from the cache)' : ''}.\n`);
console.log('| k (L) | filter | matching | walk recall | walk p50 ms | walk p95 ms | walk visited | scan p50 ms | scan p95 ms | collect ids p50 ms |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const x of r.rows) {
  const filter = x.selectivity !== undefined ? `${x.selectivity * 100} %` : x.filter;
  console.log(`| ${x.k} (${x.listSize}) | ${filter} | ${Math.round(x.matching)} | ${f(x.walk.recall, 3)} | ${f(x.walk.p50)} | ${f(x.walk.p95)} | ${Math.round(x.walk.visited)} | ${f(x.scan.p50)} | ${f(x.scan.p95)} | ${f(x.collectP50)} |`);
}
if (r.thresholds && Object.keys(r.thresholds).length) {
  console.log(`\nCrossover (exact scan faster below, p50): ${Object.entries(r.thresholds).map(([k, v]) => `${k} ≈ ${v ?? 'n/a'}`).join(', ')}; engine default PREDICATE_EXACT_SCAN_MAX ${r.engineDefault}.`);
}
