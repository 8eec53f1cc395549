#!/usr/bin/env node
// Rebuilds a bench-results JSON from a benchmark's console log when the run died before writing
// it (e.g. killed while a peer was still being measured). Only what the log printed is recovered:
// the rows, the build lines and the snapshot line; the JSON says it was reconstructed and why.
//   node scripts/json-from-log.mjs <run.log> <out.json> "<command>" "<why>" [run start, ISO date]
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';

const [logFile, outFile, command, why, startedAt] = process.argv.slice(2);
if (!logFile || !outFile || !command || !why) {
  console.error('usage: json-from-log.mjs <run.log> <out.json> "<command>" "<why>"');
  process.exit(2);
}
const lines = readFileSync(logFile, 'utf8').split('\n');
const num = (s) => (s === '-' ? undefined : Number(s));
const rows = [];
const build = {};
let dataset;
let snapshot = {};
let date;
for (const line of lines) {
  let m = /^\[(\d\d:\d\d:\d\d)\] dataset (\S+): (\d+) × (\d+) \((\w+)\), (\d+) queries/.exec(line);
  if (m) {
    dataset = { name: m[2], n: Number(m[3]), dims: Number(m[4]), metric: m[5], nq: Number(m[6]) };
    date = m[1];
    continue;
  }
  m = /diskann build ([\d.]+) s on (\d+) threads, (\d+) distances\/point, avg degree ([\d.]+)/.exec(line);
  if (m) {
    build.diskann = { seconds: Number(m[1]), threads: Number(m[2]), distancesPerPoint: Number(m[3]), averageDegree: Number(m[4]) };
    continue;
  }
  m = /hnswlib build ([\d.]+) s \((\d+) thread/.exec(line);
  if (m) {
    build.hnswlib = { seconds: Number(m[1]), threads: Number(m[2]) };
    continue;
  }
  m = /usearch build ([\d.]+) s on (\d+) threads/.exec(line);
  if (m) {
    build.usearch = { seconds: Number(m[1]), threads: Number(m[2]) };
    continue;
  }
  m = /snapshot (\d+) MiB: save ([\d.]+) s, load ([\d.]+) s, same answers: (\w+)/.exec(line);
  if (m) {
    snapshot = { bytes: Number(m[1]) * 2 ** 20, saveSeconds: Number(m[2]), loadSeconds: Number(m[3]), sameAnswers: m[4] === 'true' };
    continue;
  }
  // Row lines: engine, setting (may contain spaces), optional filter, then labelled figures.
  // eslint-disable-next-line regexp/no-super-linear-backtracking -- parses this repo's own benchmark logs, one short line at a time
  m = /^(\S+)\s+(.+?)\s+(?:(\d+%)\s+)?recall@10 ([\d.]+)\s+p50 ([\d.]+) ms\s+p95 ([\d.]+)\s+p99 ([\d.]+)\s+qps2 (\S+)\s+dist\/q (\S+)\s+ham\/q (\S+)/.exec(line);
  if (m) {
    rows.push({
      engine: m[1], setting: m[2].trim(), filter: m[3], recall: Number(m[4]), p50: Number(m[5]), p95: Number(m[6]), p99: Number(m[7]),
      qps2: num(m[8]), distPerQuery: num(m[9]), hamPerQuery: num(m[10]),
    });
  }
}
const out = {
  command, date: startedAt ?? (date ? `log time ${date}Z` : 'unknown'), node: process.version, cores: cpus().length, cpu: cpus()[0]?.model,
  reconstructedFromLog: { log: logFile.split('/').pop(), why },
  dataset, build, snapshot, rows,
};
writeFileSync(outFile, JSON.stringify(out, null, 2));
console.log(`wrote ${outFile}: ${rows.length} rows`);
