#!/usr/bin/env node
/**
 * Throughput of the built-in model (hh-hash-768-v1) on one core, in-process, no HTTP.
 *
 *   pnpm --filter @hh/hh-embed build && node services/hh-embed/scripts/bench-builtin.mjs [--json out.json]
 *
 * Profiles: 300-word windows of the livecareer resume corpus when ../shared/data is present (dev data,
 * read only, never copied into the repo); otherwise synthetic 300-word profiles from a fixed vocabulary
 * (seeded, so runs are comparable). Prints one JSON object; `--json <file>` also writes it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBuiltinEmbedder } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const corpusPath = process.env.HH_RESUME_CSV ?? join(here, '../../../../shared/data/corpus/livecareer-resumes/livecareer_resumes.csv');
const WORDS = 300;
const N = Number(process.env.BENCH_PROFILES ?? 4000);

function profilesFromCorpus(path) {
  // The text column is the last, quoted; words are all we need, so split the whole file into words.
  const words = readFileSync(path, 'utf8').split(/\s+/).filter(Boolean);
  const out = [];
  for (let i = 0; out.length < N; i = (i + WORDS) % Math.max(1, words.length - WORDS)) out.push(words.slice(i, i + WORDS).join(' '));
  return out;
}

function syntheticProfiles() {
  const vocab = ('senior backend engineer node.js postgresql typescript kubernetes aws microservices team lead ' +
    'experience years developed designed implemented scalable services api rest graphql react frontend ' +
    'desenvolvedor sênior experiência projetos sistemas dados análise gestão equipe clientes vendas ' +
    'registered nurse icu patient care clinical hospital accountant financial reporting ledger audit ' +
    'the and of to in for with on at by from a an is was were de da do em para com que uma').split(' ');
  let s = 12345;
  const rnd = () => ((s = Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 4294967296;
  return Array.from({ length: N }, () => Array.from({ length: WORDS }, () => vocab[Math.floor(rnd() * vocab.length)]).join(' '));
}

const source = existsSync(corpusPath) ? 'livecareer-resumes (300-word windows)' : 'synthetic 300-word profiles';
const profiles = existsSync(corpusPath) ? profilesFromCorpus(corpusPath) : syntheticProfiles();
const chars = profiles.reduce((a, p) => a + p.length, 0);
const embedder = createBuiltinEmbedder(768);

// Warm-up lets V8 optimise the hot loops before timing.
embedder.embed(profiles.slice(0, 500));
// Wall time suffers when other processes share the cores; CPU time (user + system of this process,
// all its threads, so GC helpers count against us) measures the work itself: "per core".
const runs = [];
const cpuRuns = [];
for (let r = 0; r < 5; r++) {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  embedder.embed(profiles);
  runs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  const c = process.cpuUsage(c0);
  cpuRuns.push((c.user + c.system) / 1000);
}
runs.sort((a, b) => a - b);
cpuRuns.sort((a, b) => a - b);
const median = runs[Math.floor(runs.length / 2)];
const cpuMedian = cpuRuns[Math.floor(cpuRuns.length / 2)];
const result = {
  model: embedder.modelId,
  source,
  profiles: profiles.length,
  avgChars: Math.round(chars / profiles.length),
  wallMs: runs.map((x) => Math.round(x)),
  cpuMs: cpuRuns.map((x) => Math.round(x)),
  profilesPerCpuSecond: Math.round((profiles.length / cpuMedian) * 1000),
  profilesPerWallSecond: Math.round((profiles.length / median) * 1000),
  cpuMicrosPerProfile: Math.round((cpuMedian / profiles.length) * 1000 * 10) / 10,
  loadAverage1m: Math.round(loadavg()[0] * 10) / 10,
  node: process.version,
};
console.log(JSON.stringify(result, null, 2));
const jsonAt = process.argv.indexOf('--json');
if (jsonAt > 0 && process.argv[jsonAt + 1]) writeFileSync(process.argv[jsonAt + 1], JSON.stringify(result, null, 2) + '\n');
