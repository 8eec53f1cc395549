#!/usr/bin/env node
/**
 * Retrieval sanity of the built-in model on dev data (read from ../shared, never copied into the repo):
 * leave-one-out nearest-neighbour category accuracy over the livecareer resumes (24 categories).
 * A resume's nearest neighbours (cosine) should mostly share its category. Skips when data is absent.
 *
 *   pnpm --filter @hh/hh-embed build && node services/hh-embed/scripts/eval-builtin.mjs [--json out.json]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBuiltinEmbedder } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const path = process.env.HH_RESUME_CSV ?? join(here, '../../../../shared/data/corpus/livecareer-resumes/livecareer_resumes.csv');
if (!existsSync(path)) {
  console.log(JSON.stringify({ skipped: `no dev data at ${path}` }));
  process.exit(0);
}

/** RFC 4180 CSV (quoted fields may hold newlines and doubled quotes). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else if (c !== '\r') field += c;
  }
  if (field || row.length) row.push(field), rows.push(row);
  return rows;
}

const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'));
const cat = header.indexOf('Category');
const txt = header.indexOf('Resume_str');
const docs = rows.filter((r) => (r[txt] ?? '').trim().length > 0).map((r) => ({ category: r[cat], text: r[txt] }));
const model = createBuiltinEmbedder(768);
const t0 = performance.now();
const vecs = model.embed(docs.map((d) => d.text));
const embedMs = performance.now() - t0;

const n = docs.length;
const dims = model.dims;
const K = 5;
let top1 = 0;
let top5vote = 0;
const categories = new Set(docs.map((d) => d.category));
for (let i = 0; i < n; i++) {
  const best = []; // [score, j] kept sorted descending, length ≤ K
  const a = vecs[i];
  for (let j = 0; j < n; j++) {
    if (j === i) continue;
    const b = vecs[j];
    let s = 0;
    for (let d = 0; d < dims; d++) s += a[d] * b[d];
    if (best.length < K || s > best[best.length - 1][0]) {
      best.push([s, j]);
      best.sort((x, y) => y[0] - x[0]);
      if (best.length > K) best.pop();
    }
  }
  if (docs[best[0][1]].category === docs[i].category) top1++;
  const votes = new Map();
  for (const [, j] of best) votes.set(docs[j].category, (votes.get(docs[j].category) ?? 0) + 1);
  const winner = [...votes].sort((x, y) => y[1] - x[1])[0][0];
  if (winner === docs[i].category) top5vote++;
}
const out = {
  model: model.modelId,
  data: 'livecareer-resumes (dev, not shipped)',
  documents: n,
  categories: categories.size,
  chanceAccuracy: Math.round((1 / categories.size) * 1000) / 1000,
  nn1CategoryAccuracy: Math.round((top1 / n) * 1000) / 1000,
  knn5VoteCategoryAccuracy: Math.round((top5vote / n) * 1000) / 1000,
  embedSeconds: Math.round(embedMs) / 1000,
};
console.log(JSON.stringify(out, null, 2));
const jsonAt = process.argv.indexOf('--json');
if (jsonAt > 0 && process.argv[jsonAt + 1]) writeFileSync(process.argv[jsonAt + 1], JSON.stringify(out, null, 2) + '\n');
