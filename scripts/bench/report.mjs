/** The benchmark's printed tables (the JSON holds the same numbers and more). */

/** The processes that serve each system's searches (CPU totals add these; the load generator is apart). */
export const SERVING = { hh: ['hh-search', 'hh-embed', 'hh-rerank', 'postgres'], peer: ['peer', 'postgres'] };

export function totalCpuPerSearch(run, system) {
  if (!run || run.ok === 0) return null;
  return SERVING[system].reduce((s, g) => s + (run.cpuMsPerSearch[g] ?? 0), 0);
}

const f = (x, d = 1) => (x === null || x === undefined || Number.isNaN(x) ? '–' : x.toFixed(d));
const pad = (s, n) => String(s).padStart(n);
const ratio = (x, y) => (x && y ? (x / y).toFixed(2) : '–');

export function printReport(results, { durationS }) {
  console.log('\nLoading until searchable');
  console.log('candidates  method  seconds  candidates/s  detail');
  for (const r of results) {
    const i = r.ingest;
    const detail =
      i.method === 'copy'
        ? `offline ${i.offlineSeconds} s (occupations ${i.occupationSeconds} s, embed ${i.embedSeconds} s, COPY incl. embed ${i.copySeconds} s, SQL ${i.insertSeconds} s), fleet start until searchable ${i.fleetStartUntilSearchableSeconds} s`
        : `bulk API ×${i.bulkConcurrency} of ${i.bulkRequestSize}: stored in ${i.storeSeconds} s (${i.storedPerSecond}/s)`;
    console.log(`${pad(i.candidates, 10)}  ${pad(i.method, 6)}  ${pad(f(i.searchableSeconds), 7)}  ${pad(f(i.searchablePerSecond, 0), 12)}  ${detail}`);
  }

  console.log(`\nUncached search (${durationS} s per run; distinct job descriptions, rerank on, limit 20). CPU columns: CPU-ms per search`);
  console.log('candidates  system  conc   req/s   p50 ms   p95 ms   p99 ms  failure-degr.  search  embed  rerank  postgres  peer  total  loadgen  failure codes');
  for (const r of results) {
    for (const l of r.latency) {
      for (const [system, run] of [['hh', l.hh], ['peer', l.peer]]) {
        if (!run) continue;
        const c = run.cpuMsPerSearch;
        const codes = Object.entries(run.failureReasons ?? {}).map(([k, v]) => `${k} ${v}`).join(', ');
        console.log(
          `${pad(r.size, 10)}  ${pad(system, 6)}  ${pad(l.concurrency, 4)}  ${pad(f(run.throughputRps), 6)}  ${pad(f(run.latencyMs.p50), 7)}  ${pad(f(run.latencyMs.p95), 7)}  ${pad(f(run.latencyMs.p99), 7)}  ${pad(`${f(run.failureDegradedShare * 100)}%`, 13)}  ${pad(f(c['hh-search']), 6)}  ${pad(f(c['hh-embed']), 5)}  ${pad(f(c['hh-rerank']), 6)}  ${pad(f(c.postgres), 8)}  ${pad(f(c.peer), 4)}  ${pad(f(totalCpuPerSearch(run, system)), 5)}  ${pad(f(c.loadGenerator), 7)}  ${codes || '–'}${run.non2xx + run.errors + run.timeouts > 0 ? `  (non-2xx ${run.non2xx}, errors ${run.errors + run.timeouts})` : ''}`,
        );
      }
    }
  }

  if (results.some((r) => r.latency.some((l) => l.peer))) {
    console.log('\nhh ÷ peer (req/s above 1 and latency/CPU below 1 favour hh)');
    console.log('candidates  conc  req/s  p50   p95   p99   CPU-ms/search');
    for (const r of results) {
      for (const l of r.latency) {
        if (!l.peer) continue;
        const { hh, peer } = l;
        console.log(
          `${pad(r.size, 10)}  ${pad(l.concurrency, 4)}  ${pad(ratio(hh.throughputRps, peer.throughputRps), 5)}  ${pad(ratio(hh.latencyMs.p50, peer.latencyMs.p50), 4)}  ${pad(ratio(hh.latencyMs.p95, peer.latencyMs.p95), 4)}  ${pad(ratio(hh.latencyMs.p99, peer.latencyMs.p99), 4)}  ${pad(ratio(totalCpuPerSearch(hh, 'hh'), totalCpuPerSearch(peer, 'peer')), 13)}`,
        );
      }
    }
  }

  console.log('\nMemory');
  for (const r of results) {
    const m = r.memory;
    const per = Object.entries(m.indexBytesPerCandidate).map(([s, b]) => `${s} ${f(b, 0)}`).join(', ');
    console.log(`${pad(r.size, 10)}  hh-search RSS ${f(m.searchRssBytes / 2 ** 20, 0)} MiB; index bytes per candidate by structure: ${per || '–'}`);
    if (m.peer) {
      console.log(`${pad('', 10)}  peer: peer_vectors ${f(m.peer.tableBytes / 2 ** 20, 0)} MiB + HNSW ${f(m.peer.hnswBytes / 2 ** 20, 0)} MiB (${f(m.peer.bytesPerCandidate, 0)} bytes per candidate; HNSW built in ${m.peer.hnswBuildSeconds} s)`);
    }
  }

  if (results.some((r) => r.freshness)) {
    console.log('\nWrite → searchable (a vector-only search for the candidate\'s own text returns it)');
    console.log('candidates  target/s  achieved/s  write errors  write p95 ms  samples  skipped  p50 ms  p95 ms  p99 ms  not found  probes/s');
    for (const r of results) {
      const w = r.freshness;
      if (!w) continue;
      console.log(
        `${pad(r.size, 10)}  ${pad(w.targetRate, 8)}  ${pad(f(w.achievedRate), 10)}  ${pad(w.writeErrors, 12)}  ${pad(f(w.writeLatencyMs.p95), 12)}  ${pad(w.samples, 7)}  ${pad(w.skippedSamples, 7)}  ${pad(f(w.searchableMs.p50), 6)}  ${pad(f(w.searchableMs.p95), 6)}  ${pad(f(w.searchableMs.p99), 6)}  ${pad(w.notFoundWithinSeconds.count, 9)}  ${pad(f(w.probeSearchesPerSecond), 8)}`,
      );
    }
  }
}
