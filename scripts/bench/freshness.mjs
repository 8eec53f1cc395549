/**
 * Write → searchable latency under a steady write load. New candidates are written through the
 * API at a fixed rate (small bulk requests on a fixed schedule); every `sampleEvery`-th one is then
 * searched for until a search returns it. Its latency runs from sending its write to the search
 * response that contains it.
 *
 * "Searchable" is tested with a real search that can only rank the candidate first once hh-search
 * holds its vector: a vector-only search (weights fts 0, specialty 0, no rerank) whose query is the
 * candidate's own embedded text (the same derivation as the write path), so the query vector equals
 * the stored one. The full-text branch is left out on purpose: with LEXICAL_INDEX=postgres it would
 * find a committed row at once, before the embedding and the in-memory structures have it.
 */
import { createCandidate, percentile } from '../../loadtest/lib/gen.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const r1 = (x) => Math.round(x * 10) / 10;

export async function measureFreshness({ base, apiKey, vocab, deriveCandidate, rate, durationS, batch = 10, sampleEvery = 10, pollMs = 100, timeoutS = 30, maxPending = 8, tag }) {
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  const total = Math.round(rate * durationS);
  const intervalMs = (1000 * batch) / rate;
  const writeMs = [];
  const searchableMs = [];
  let notFound = 0;
  let skipped = 0;
  let probes = 0;
  let writeErrors = 0;
  let pending = 0;
  let lateTicks = 0;
  const sampling = [];
  /** What the last probe of a candidate never found saw (for post-mortems). */
  const missed = [];

  async function waitSearchable(c, sentAt) {
    pending++;
    const text = deriveCandidate(c).embedText.slice(0, 500);
    const body = JSON.stringify({ query: text, weights: { fts: 0, specialty: 0 }, rerank: false, limit: 5 });
    const until = sentAt + timeoutS * 1000;
    let last;
    try {
      while (performance.now() < until) {
        probes++;
        const res = await fetch(`${base}/v1/search`, { method: 'POST', headers, body });
        const json = await res.json().catch(() => undefined);
        if (res.ok && json?.results?.some((x) => x.candidateId === c.id)) {
          searchableMs.push(performance.now() - sentAt);
          return;
        }
        last = { status: res.status, degraded: json?.degraded, pending: json?.pending, top: json?.results?.slice(0, 3).map((x) => x.candidateId) };
        await sleep(pollMs);
      }
      notFound++;
      if (missed.length < 5) missed.push({ id: c.id, lastProbe: last });
    } finally {
      pending--;
    }
  }

  async function write(items, sentAt) {
    try {
      const res = await fetch(`${base}/v1/candidates/bulk`, { method: 'POST', headers, body: JSON.stringify(items) });
      const json = await res.json().catch(() => undefined);
      if (!res.ok || !Array.isArray(json?.items)) throw new Error(`HTTP ${res.status}`);
      writeMs.push(performance.now() - sentAt);
      json.items.forEach((it, i) => {
        if (it.status !== 'created') {
          writeErrors++;
          return;
        }
        const n = Number(items[i].id.slice(items[i].id.lastIndexOf('-') + 1));
        if (n % sampleEvery !== 0) return;
        // Bounded probing: with too many searches in flight the probes themselves become the load.
        if (pending >= maxPending) skipped++;
        else sampling.push(waitSearchable(items[i], sentAt));
      });
    } catch {
      writeErrors += items.length;
    }
  }

  const writes = [];
  const t0 = performance.now();
  for (let sent = 0, tick = 0; sent < total; tick++) {
    const due = t0 + tick * intervalMs;
    const now = performance.now();
    if (due > now) await sleep(due - now);
    else if (now - due > intervalMs) lateTicks++;
    const items = [];
    for (let k = 0; k < batch && sent < total; k++, sent++) items.push(createCandidate(sent, { vocab, prefix: `fresh-${tag}-`, seed: 99 }));
    writes.push(write(items, performance.now()));
  }
  const sendSeconds = (performance.now() - t0) / 1000;
  await Promise.all(writes);
  // Until the last write was acknowledged: a server that cannot keep up shows a lower rate.
  const writeSeconds = (performance.now() - t0) / 1000;
  await Promise.all(sampling);
  writeMs.sort((a, b) => a - b);
  searchableMs.sort((a, b) => a - b);
  return {
    targetRate: rate,
    batchSize: batch,
    written: total - writeErrors,
    writeErrors,
    achievedRate: r1((total - writeErrors) / writeSeconds),
    sendSeconds: r1(sendSeconds),
    writeSeconds: r1(writeSeconds),
    lateTicks,
    writeLatencyMs: { p50: r1(percentile(writeMs, 50)), p95: r1(percentile(writeMs, 95)) },
    samples: searchableMs.length + notFound,
    notFoundWithinSeconds: { seconds: timeoutS, count: notFound },
    skippedSamples: skipped,
    missed,
    probeSearches: probes,
    probeSearchesPerSecond: r1(probes / ((performance.now() - t0) / 1000)),
    searchableMs: {
      p50: r1(percentile(searchableMs, 50)),
      p95: r1(percentile(searchableMs, 95)),
      p99: r1(percentile(searchableMs, 99)),
      max: r1(searchableMs[searchableMs.length - 1] ?? NaN),
    },
  };
}
