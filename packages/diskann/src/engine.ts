// The owner-thread index: id mapping, labels, mutations, bulk build, consolidation, snapshots and
// the query worker pool. Graph algorithms live in graph.ts and run identically in every thread.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { DiskAnnInputError } from './errors.js';
import { GraphCore, type GraphParams } from './graph.js';
import { createKernel, resolveKernelName, type Kernel, type KernelName } from './kernel.js';
import {
  CTL_DONE, CTL_NEXT, DELETED, FREE, LIVE, Views, allocateMemory, computeLayout, maxCapacity,
  type Layout, type Metric,
} from './layout.js';
import type { BuildMsg, FromWorker, QueryPlan, SearchReply, ToWorker } from './protocol.js';
import { encodeAt, encodeSlot, trainSbq } from './sbq.js';
import { spawnEngineWorker } from './workers.js';
import {
  SNAPSHOT_FORMAT_VERSION, readSnapshotHeader, readSnapshotPayload, sectionsFor, writeSnapshot,
  type SnapshotExpectations,
} from './snapshot.js';
import { SnapshotError } from './errors.js';

export interface DiskAnnOptions {
  dims: number;
  metric?: Metric;
  /** Max out-degree (default 64). */
  R?: number;
  /** Build list size L (default 100). */
  buildListSize?: number;
  /** RobustPrune α (default 1.2; applied to squared L2 or 1−cos). */
  alpha?: number;
  /** SBQ bits per dimension used for traversal (default 2). */
  bits?: 1 | 2;
  /** Labels a point may carry (default 8). */
  maxLabelsPerPoint?: number;
  /** Initial slot capacity; grows by doubling (reallocation + republish). */
  capacity?: number;
  kernel?: KernelName | 'auto';
  /** Query worker threads for searchAsync (default min(2, cores)). */
  queryWorkers?: number;
  /** Default search list size (default 50). */
  listSize?: number;
  /** Default exact-rescore window for SBQ traversal (default 50). */
  rescore?: number;
  /** A filtered query whose rarest label has at most this many members is answered by exact scan. */
  exactScanThreshold?: number;
  /** SBQ is trained once this many points exist; before that, traversal uses exact distances. */
  trainThreshold?: number;
  /** Traverse on SBQ codes then rescore the best `rescore` exactly (default false: see README). */
  quantizedTraversal?: boolean;
}

export interface SearchOptions {
  listSize?: number;
  rescore?: number;
  /** Every result carries all of these labels (e.g. [tenantLabel] or [tenantLabel, occupationLabel]). */
  labels?: readonly number[];
  /** Traverse on SBQ codes (default: the index's `quantizedTraversal`); false = full precision. */
  quantized?: boolean;
  /** Exact scan over every point (ground truth, or tiny indexes). */
  exact?: boolean;
  /**
   * Predicate on the caller's id: every result passes it (and carries all `labels`). The walk
   * goes in distance order, expanding failing points as stepping stones, and widens its list until
   * k points pass, so there is no fixed over-fetch; fewer than k come back only when fewer match
   * (or `maxVisits` ran out: then `truncated` is true). Synchronous `search()` only — a JS callback
   * cannot run on the worker pool, so `searchAsync()` rejects it. Traversal uses exact distances
   * (`quantized` is ignored). Called once per candidate result, never for deleted points.
   */
  accept?: (id: number) => boolean;
  /** Predicate searches: stop after scoring this many points and report `truncated: true`. */
  maxVisits?: number;
  /**
   * Exact scan over just these ids (the points matching a filter, when few: see
   * PREDICATE_EXACT_SCAN_MAX). Same as `searchAmong()`; combines with `labels` and `accept`.
   */
  among?: ArrayLike<number>;
}

export interface SearchResults {
  ids: number[];
  distances: number[];
  /**
   * Predicate searches (`accept` given) only: true when `maxVisits` stopped the walk before k
   * passing points were confirmed; the results (all passing) are then the best found so far and
   * may be fewer than k although more points match.
   */
  truncated?: boolean;
  /** Predicate searches only: points scored (exact distances) by this query. */
  visited?: number;
}

/**
 * Below this many matching points, an exact scan over the matching ids (`searchAmong`) is faster
 * than a predicate walk (`search` with `accept`) at the default list size, and it is exact.
 * Chosen by `bench:predicate` at 100k × 768 (package README, "Predicate search vs exact scan").
 */
export const PREDICATE_EXACT_SCAN_MAX = 5000;

export interface BuildInput {
  ids: ArrayLike<number>;
  /** Row-major n × dims. */
  vectors: Float32Array;
  labels?: ReadonlyArray<readonly number[] | undefined>;
}

export interface BuildOptions {
  /** Worker threads for the graph build (default min(2, cores)); 1 builds on this thread. */
  threads?: number;
  onProgress?: (done: number, total: number) => void;
  /** Seed for the insertion order. */
  seed?: number;
}

export interface BuildReport {
  count: number;
  seconds: number;
  threads: number;
  distanceComputations: number;
}

export interface ConsolidateReport {
  freed: number;
  repaired: number;
  seconds: number;
}

export interface IndexStats {
  count: number;
  tombstones: number;
  freeSlots: number;
  highWater: number;
  capacity: number;
  kernel: KernelName;
  trained: boolean;
  labels: number;
  /** Bytes allocated per structure (whole capacity). */
  bytes: { vectors: number; codes: number; graph: number; labels: number; ids: number; total: number };
  /** Bytes per slot in use, by structure (what a resident index costs per vector). */
  bytesPerVector: { graph: number; codes: number; vectors: number };
  averageDegree: number;
  distanceComputations: number;
  hammingComputations: number;
}

export interface SnapshotMeta {
  modelId: string;
  lastSeq: bigint | number;
}

interface PoolWorker {
  worker: Worker;
  pending: number;
}

const LIVE_SEQ_EVEN = 2;
void LIVE_SEQ_EVEN;

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Default search list size for a traversal over `n` points: `base` up to 100k points, then
 * base·(1 + 3·log10(n / 100k)) (200 at 1M for base 50). Measured on clustered 768-d data (package
 * README): recall@10 at 100k is 0.959 with L 25 and 0.993 with L 50; at 1M it is 0.917 with L 100,
 * 0.958 with L 150 and 0.976 with L 200, so a fixed L 50 (0.80 at 1M) would not hold 0.95.
 */
export function scaledListSize(base: number, n: number): number {
  if (n <= 100_000) return base;
  return Math.min(4096, Math.round(base * (1 + 3 * Math.log10(n / 100_000))));
}

export class DiskAnnIndex {
  readonly dims: number;
  readonly metric: Metric;
  readonly R: number;
  readonly bits: 1 | 2;
  readonly maxLabels: number;
  readonly kernelName: KernelName;
  readonly params: GraphParams;
  readonly defaults: { listSize: number; rescore: number; scaleListSize: boolean; exactScanThreshold: number; trainThreshold: number; quantized: boolean };

  private layout: Layout;
  private memory: WebAssembly.Memory;
  private views: Views;
  private kernel: Kernel;
  private core: GraphCore;
  private readonly idMap = new Map<number, number>();
  private readonly freeSlots: number[] = [];
  private highWater = 0;
  private live = 0;
  private tombstones = 0;
  private start = -1;
  private readonly labelMembers = new Map<number, Set<number>>();
  private readonly labelStart = new Map<number, number>();
  private readonly startUsage = new Map<number, number>();
  private trained = false;
  private consolidating = false;
  /** save() streams the live memory to disk; a mutation meanwhile would tear the snapshot. */
  private saving = false;
  private pool: PoolWorker[] | null = null;
  private nextRequest = 1;
  private readonly waiting = new Map<number, { resolve: (r: SearchResults) => void; reject: (e: Error) => void }>();
  private workerDistances = 0;
  private workerHamming = 0;
  private closed = false;
  private readonly queryWorkers: number;

  constructor(opts: DiskAnnOptions) {
    if (!Number.isInteger(opts.dims) || opts.dims < 1 || opts.dims > 16384) throw new DiskAnnInputError('dims', 'must be an integer in 1..16384');
    this.dims = opts.dims;
    this.metric = opts.metric ?? 'cosine';
    if (this.metric !== 'cosine' && this.metric !== 'l2') throw new DiskAnnInputError('metric', "must be 'cosine' or 'l2'");
    this.R = opts.R ?? 64;
    if (!Number.isInteger(this.R) || this.R < 2 || this.R > 512) throw new DiskAnnInputError('R', 'must be an integer in 2..512');
    this.bits = opts.bits ?? 2;
    if (this.bits !== 1 && this.bits !== 2) throw new DiskAnnInputError('bits', 'must be 1 or 2');
    this.maxLabels = opts.maxLabelsPerPoint ?? 8;
    const alpha = opts.alpha ?? 1.2;
    if (!(alpha >= 1 && alpha <= 2)) throw new DiskAnnInputError('alpha', 'must be in [1, 2]');
    this.params = { R: this.R, alpha, buildListSize: opts.buildListSize ?? 100, maxCandidates: 750 };
    this.defaults = {
      listSize: opts.listSize ?? 50,
      rescore: opts.rescore ?? 50,
      scaleListSize: opts.listSize === undefined,
      exactScanThreshold: opts.exactScanThreshold ?? 1000,
      trainThreshold: opts.trainThreshold ?? 1024,
      // Measured (README): on clustered 768-d data and on SIFT, SBQ-guided traversal needs 4-8x
      // the list size of full-precision traversal for the same recall, so exact traversal is the
      // default and SBQ is opt-in.
      quantized: opts.quantizedTraversal ?? false,
    };
    this.kernelName = resolveKernelName(opts.kernel);
    this.queryWorkers = opts.queryWorkers ?? Math.max(1, Math.min(2, availableParallelism()));
    this.layout = this.makeLayout(Math.max(16, opts.capacity ?? 1024), this.R);
    this.memory = allocateMemory(this.layout);
    this.views = new Views(this.memory, this.layout);
    this.kernel = createKernel(this.kernelName, this.views);
    this.core = new GraphCore(this.views, this.kernel, 0, this.params);
  }

  private makeLayout(capacity: number, adjStride: number): Layout {
    return computeLayout({
      dims: this.dims, metric: this.metric, capacity, adjStride, R: this.R, bits: this.bits,
      maxLabels: this.maxLabels, scratchSlots: 16,
    });
  }

  // ---------- memory management ----------

  /** Moves everything into a new memory (capacity and/or adjacency stride change) and republishes it. */
  private reallocate(capacity: number, adjStride: number): void {
    const old = this.views;
    const layout = this.makeLayout(capacity, adjStride);
    const memory = allocateMemory(layout);
    const nv = new Views(memory, layout);
    const hw = this.highWater;
    nv.mean.set(old.mean);
    nv.lo.set(old.lo);
    nv.hi.set(old.hi);
    nv.vectors.set(old.vectors.subarray(0, hw * this.dims));
    nv.codes.set(old.codes.subarray(0, hw * layout.codeBytes));
    const os = old.layout.adjStride;
    if (os === adjStride) nv.adj.set(old.adj.subarray(0, hw * os));
    for (let s = 0; s < hw; s++) {
      const d = Math.min(old.deg[s]!, os, adjStride);
      if (os !== adjStride) for (let i = 0; i < d; i++) nv.adj[s * adjStride + i] = old.adj[s * os + i]!;
      nv.deg[s] = d;
    }
    nv.ver.set(old.ver.subarray(0, hw));
    nv.flags.set(old.flags.subarray(0, hw));
    nv.ext.set(old.ext.subarray(0, hw));
    nv.labelCount.set(old.labelCount.subarray(0, hw));
    nv.labels.set(old.labels.subarray(0, hw * this.maxLabels));
    const dc = this.core.distanceComputations;
    const hc = this.core.hammingComputations;
    const bd = this.core.beamDistances;
    this.layout = layout;
    this.memory = memory;
    this.views = nv;
    this.kernel = createKernel(this.kernelName, nv);
    this.core = new GraphCore(nv, this.kernel, 0, this.params);
    this.core.distanceComputations = dc;
    this.core.hammingComputations = hc;
    this.core.beamDistances = bd;
    if (this.pool) for (const w of this.pool) this.post(w.worker, { type: 'memory', memory, layout });
  }

  private ensureCapacity(slots: number): void {
    if (slots <= this.layout.capacity) return;
    const limit = maxCapacity({ ...this.layout });
    if (slots > limit) throw new RangeError(`capacity ${slots} exceeds the wasm32 limit of ${limit} points at ${this.dims} dims`);
    this.reallocate(Math.min(limit, Math.max(slots, this.layout.capacity * 2)), this.layout.adjStride);
  }

  // ---------- validation ----------

  private checkVector(field: string, v: ArrayLike<number>): void {
    if (!v || typeof v.length !== 'number') throw new DiskAnnInputError(field, 'must be an array of numbers');
    if (v.length !== this.dims) throw new DiskAnnInputError(field, `has ${v.length} dimensions, expected ${this.dims}`);
    let norm = 0;
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new DiskAnnInputError(`${field}[${i}]`, 'must be a finite number');
      norm += x * x;
    }
    if (this.metric === 'cosine' && norm === 0) throw new DiskAnnInputError(field, 'zero vector has no cosine direction');
  }

  private checkId(field: string, id: number): void {
    if (!Number.isSafeInteger(id) || id < 0) throw new DiskAnnInputError(field, 'must be a non-negative integer ≤ 2^53−1');
  }

  private normLabels(field: string, labels: readonly number[] | undefined): number[] {
    if (!labels || labels.length === 0) return [];
    const out = [...new Set(labels)];
    for (const l of out) {
      if (!Number.isInteger(l) || l < 0 || l > 0xffffffff) throw new DiskAnnInputError(field, 'labels must be uint32 integers');
    }
    if (out.length > this.maxLabels) throw new DiskAnnInputError(field, `at most ${this.maxLabels} labels per point`);
    return out;
  }

  // ---------- slot writes (seqlock: odd version while a slot is being rewritten) ----------

  private writeSlot(slot: number, id: number, vec: ArrayLike<number>, labels: number[]): void {
    const v = this.views;
    Atomics.add(v.ver, slot, 1);
    const b = slot * this.dims;
    let norm = 0;
    for (let d = 0; d < this.dims; d++) norm += vec[d]! * vec[d]!;
    const inv = this.metric === 'cosine' ? 1 / Math.sqrt(norm) : 1;
    for (let d = 0; d < this.dims; d++) v.vectors[b + d] = vec[d]! * inv;
    if (this.trained) encodeSlot(v, slot);
    v.labelCount[slot] = labels.length;
    for (let i = 0; i < labels.length; i++) v.labels[slot * this.maxLabels + i] = labels[i]!;
    v.ext[slot] = id;
    v.deg[slot] = 0;
    v.flags[slot] = LIVE;
    Atomics.add(v.ver, slot, 1);
  }

  private freeSlot(slot: number): void {
    const v = this.views;
    Atomics.add(v.ver, slot, 1);
    v.flags[slot] = FREE;
    v.deg[slot] = 0;
    v.labelCount[slot] = 0;
    v.ext[slot] = 0;
    Atomics.add(v.ver, slot, 1);
  }

  private addMembership(slot: number, labels: readonly number[]): void {
    for (const l of labels) {
      let set = this.labelMembers.get(l);
      if (!set) this.labelMembers.set(l, (set = new Set()));
      set.add(slot);
      if (!this.labelStart.has(l)) {
        this.labelStart.set(l, slot);
        this.startUsage.set(slot, (this.startUsage.get(slot) ?? 0) + 1);
      }
    }
  }

  /** Start node of each of the slot's labels, aligned with its label list (-1: none, or itself). */
  private labelStartsFor(slot: number): number[] {
    const out: number[] = [];
    for (const l of this.core.labelsOf(slot)) {
      const s = this.labelStart.get(l);
      out.push(s === undefined || s === slot ? -1 : s);
    }
    return out;
  }

  private train(): void {
    const slots: number[] = [];
    for (let s = 0; s < this.highWater; s++) if (this.views.flags[s] !== FREE) slots.push(s);
    const rnd = mulberry32(12345);
    const sample = slots.length > 100_000 ? Array.from({ length: 100_000 }, () => slots[Math.floor(rnd() * slots.length)]!) : slots;
    trainSbq(this.views, sample, sample.length);
    for (const s of slots) encodeSlot(this.views, s);
    this.trained = true;
  }

  // ---------- mutations ----------

  /** Inserts a point, or replaces the vector/labels of an existing id (delete + insert). */
  upsert(id: number, vector: ArrayLike<number>, labels?: readonly number[]): void {
    this.assertWritable();
    this.checkId('id', id);
    this.checkVector('vector', vector);
    const ls = this.normLabels('labels', labels);
    if (this.idMap.has(id)) this.delete(id);
    const slot = this.freeSlots.pop() ?? this.highWater;
    if (slot === this.highWater) {
      this.ensureCapacity(slot + 1);
      this.highWater++;
    }
    this.writeSlot(slot, id, vector, ls);
    this.idMap.set(id, slot);
    this.live++;
    this.addMembership(slot, ls);
    if (this.start < 0) {
      this.start = slot;
    } else {
      this.core.insert(slot, this.start, this.labelStartsFor(slot), this.layout.capacity);
    }
    if (!this.trained && this.live >= this.defaults.trainThreshold) this.train();
  }

  /** Alias of upsert for callers that think in inserts. */
  insert(id: number, vector: ArrayLike<number>, labels?: readonly number[]): void {
    this.upsert(id, vector, labels);
  }

  /** Tombstones a point: never returned again; its slot is freed by consolidate(). */
  delete(id: number): boolean {
    this.assertWritable();
    const slot = this.idMap.get(id);
    if (slot === undefined) return false;
    const v = this.views;
    Atomics.add(v.ver, slot, 1);
    v.flags[slot] = DELETED;
    Atomics.add(v.ver, slot, 1);
    this.idMap.delete(id);
    for (const l of this.core.labelsOf(slot)) this.labelMembers.get(l)?.delete(slot);
    this.live--;
    this.tombstones++;
    return true;
  }

  has(id: number): boolean {
    return this.idMap.has(id);
  }

  /** The ids of the live (not deleted) points, e.g. to reconcile the index with its source. */
  ids(): number[] {
    return [...this.idMap.keys()];
  }

  get size(): number {
    return this.live;
  }

  /**
   * FreshDiskANN consolidation: every node that points at a tombstone gets the tombstone's
   * out-neighbours spliced in (re-pruned to R), then the tombstoned slots are freed for reuse.
   * Yields to the event loop between chunks so searches and inserts keep running.
   */
  async consolidate(opts: { yieldEvery?: number } = {}): Promise<ConsolidateReport> {
    this.assertWritable();
    if (this.consolidating) throw new Error('consolidate() is already running');
    this.consolidating = true;
    const t0 = performance.now();
    try {
      const hw = this.highWater;
      const isDel = new Uint8Array(hw);
      const victims: number[] = [];
      for (let s = 0; s < hw; s++) {
        if (this.views.flags[s] === DELETED && s !== this.start) {
          isDel[s] = 1;
          victims.push(s);
        }
      }
      if (victims.length === 0) return { freed: 0, repaired: 0, seconds: 0 };
      // Re-pick label start nodes that are about to be freed.
      for (const [l, s] of this.labelStart) {
        if (s < hw && isDel[s] === 1) this.pickLabelStart(l);
      }
      const del = (s: number): boolean => s < hw && isDel[s] === 1;
      const every = opts.yieldEvery ?? 2000;
      let repaired = 0;
      for (let p = 0; p < hw; p++) {
        // Views may be replaced by a growth between chunks; always read the current ones.
        const f = this.views.flags[p];
        if (f === FREE || isDel[p] === 1) continue;
        if (this.core.repairNode(p, del)) repaired++;
        if (p % every === every - 1) await new Promise<void>((r) => setImmediate(r));
      }
      for (const s of victims) {
        this.freeSlot(s);
        this.freeSlots.push(s);
        this.tombstones--;
      }
      // Reuse low slots first: keeps the resident set compact.
      this.freeSlots.sort((a, b) => b - a);
      return { freed: victims.length, repaired, seconds: (performance.now() - t0) / 1000 };
    } finally {
      this.consolidating = false;
    }
  }

  private pickLabelStart(label: number): void {
    const members = this.labelMembers.get(label);
    const old = this.labelStart.get(label);
    if (old !== undefined) this.startUsage.set(old, Math.max(0, (this.startUsage.get(old) ?? 1) - 1));
    if (!members || members.size === 0) {
      this.labelStart.delete(label);
      return;
    }
    // Filtered-DiskANN load balancing: among up to 25 members, the one least used as a start.
    let best = -1;
    let bestUse = Infinity;
    let seen = 0;
    for (const s of members) {
      const u = this.startUsage.get(s) ?? 0;
      if (u < bestUse) {
        best = s;
        bestUse = u;
      }
      if (++seen >= 25) break;
    }
    this.labelStart.set(label, best);
    this.startUsage.set(best, bestUse + 1);
  }

  // ---------- bulk build ----------

  /** Builds the graph for many points at once (index must be empty), on `threads` worker threads. */
  async build(input: BuildInput, opts: BuildOptions = {}): Promise<BuildReport> {
    this.assertWritable();
    if (this.highWater !== 0) throw new Error('build() needs an empty index; use upsert() to add to a live index');
    const n = input.ids.length;
    if (input.vectors.length !== n * this.dims) {
      throw new DiskAnnInputError('vectors', `length ${input.vectors.length} is not ids.length × dims = ${n * this.dims}`);
    }
    if (input.labels && input.labels.length !== n) throw new DiskAnnInputError('labels', 'must have one entry per id');
    const t0 = performance.now();
    const threads = Math.max(1, Math.min(opts.threads ?? Math.min(2, availableParallelism()), 8));
    const slack = Math.ceil(1.3 * this.R);
    const limit = maxCapacity({ ...this.layout, adjStride: slack });
    if (n > limit) throw new RangeError(`${n} points exceed the wasm32 limit of ${limit} at ${this.dims} dims`);
    this.reallocate(Math.max(n, this.layout.capacity), slack);
    // Write every point first; the graph is linked afterwards.
    for (let i = 0; i < n; i++) {
      const id = input.ids[i]!;
      this.checkId(`ids[${i}]`, id);
      if (this.idMap.has(id)) throw new DiskAnnInputError(`ids[${i}]`, `duplicate id ${id}`);
      const vec = input.vectors.subarray(i * this.dims, (i + 1) * this.dims);
      this.checkVector(`vectors[${i}]`, vec);
      const ls = this.normLabels(`labels[${i}]`, input.labels?.[i]);
      this.writeSlot(i, id, vec, ls);
      this.idMap.set(id, i);
      for (const l of ls) {
        let set = this.labelMembers.get(l);
        if (!set) this.labelMembers.set(l, (set = new Set()));
        set.add(i);
      }
    }
    this.highWater = n;
    this.live = n;
    if (n === 0) return { count: 0, seconds: 0, threads, distanceComputations: 0 };
    if (n >= Math.min(this.defaults.trainThreshold, 2)) this.train();
    this.start = this.medoid(n);
    for (const l of this.labelMembers.keys()) this.pickLabelStart(l);
    // Insertion order: start node, label start nodes, then a seeded shuffle of the rest.
    const rnd = mulberry32(opts.seed ?? 7);
    const order = new Int32Array(new SharedArrayBuffer(n * 4));
    const first = new Set<number>([this.start, ...this.labelStart.values()]);
    let k = 0;
    for (const s of first) order[k++] = s;
    const rest: number[] = [];
    for (let i = 0; i < n; i++) if (!first.has(i)) rest.push(i);
    for (let i = rest.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      const t = rest[i]!;
      rest[i] = rest[j]!;
      rest[j] = t;
    }
    for (const s of rest) order[k++] = s;
    const d0 = this.core.distanceComputations;
    // A connected seed graph on this thread first, so parallel inserts do not start from islands.
    const seedCount = threads > 1 ? Math.min(n, first.size + 2000) : n;
    const progressEvery = Math.max(1000, Math.floor(n / 100));
    for (let i = 0; i < seedCount; i++) {
      const p = order[i]!;
      if (p !== this.start) this.core.insert(p, this.start, this.labelStartsFor(p), this.layout.capacity);
      if (opts.onProgress && (i + 1) % progressEvery === 0) opts.onProgress(i + 1, n);
    }
    let workerDist = 0;
    if (seedCount < n) {
      const v = this.views;
      Atomics.store(v.control, CTL_NEXT, 0);
      Atomics.store(v.control, CTL_DONE, 0);
      const workers = Array.from({ length: threads }, (_, i) => this.spawn(1 + i));
      const timer = opts.onProgress
        ? setInterval(() => opts.onProgress!(seedCount + Atomics.load(v.control, CTL_DONE), n), 1000)
        : null;
      try {
        const msg: BuildMsg = {
          type: 'build', order, from: seedCount, globalStart: this.start, labelStarts: new Map(this.labelStart),
        };
        workerDist += (await Promise.all(workers.map((w) => this.runTask(w, msg)))).reduce((a, b) => a + b, 0);
        Atomics.store(v.control, CTL_NEXT, 0);
        workerDist += (await Promise.all(workers.map((w) => this.runTask(w, { type: 'prune', highWater: n })))).reduce((a, b) => a + b, 0);
      } finally {
        if (timer) clearInterval(timer);
        await Promise.all(workers.map((w) => w.terminate()));
      }
    } else {
      for (let p = 0; p < n; p++) {
        if (this.views.deg[p]! > this.R) {
          this.core.repruneNode(p, -1, this.R);
        }
      }
    }
    opts.onProgress?.(n, n);
    // Compact adjacency from the 1.3·R build slack to R slots per node.
    this.reallocate(this.layout.capacity, this.R);
    this.workerDistances += workerDist;
    return {
      count: n,
      seconds: (performance.now() - t0) / 1000,
      threads,
      distanceComputations: this.core.distanceComputations - d0 + workerDist,
    };
  }

  /** Point closest to the centroid (the Vamana start node). */
  private medoid(n: number): number {
    const dims = this.dims;
    const c = new Float64Array(dims);
    const vec = this.views.vectors;
    for (let i = 0; i < n; i++) for (let d = 0; d < dims; d++) c[d]! += vec[i * dims + d]!;
    for (let d = 0; d < dims; d++) c[d]! /= n;
    this.core.loadQuery(Array.from(c), () => undefined, false);
    const ids = new Uint32Array(n);
    for (let i = 0; i < n; i++) ids[i] = i;
    const dist = new Float32Array(n);
    this.core.distMany(this.core.sQuery, ids, n, dist);
    let best = 0;
    for (let i = 1; i < n; i++) if (dist[i]! < dist[best]!) best = i;
    return best;
  }

  private spawn(scratch: number): Worker {
    const w = spawnEngineWorker();
    w.unref();
    this.post(w, { type: 'init', memory: this.memory, layout: this.layout, kernel: this.kernelName, params: this.params, scratch });
    return w;
  }

  private post(w: Worker, msg: ToWorker): void {
    w.postMessage(msg);
  }

  private runTask(w: Worker, msg: ToWorker): Promise<number> {
    return new Promise((resolve, reject) => {
      const onMsg = (m: FromWorker): void => {
        if (m.type !== 'done') return;
        w.off('message', onMsg);
        w.off('error', onErr);
        if (m.error) reject(new Error(`build worker failed: ${m.error}`));
        else resolve(m.distanceComputations);
      };
      const onErr = (e: Error): void => {
        w.off('message', onMsg);
        reject(e);
      };
      w.on('message', onMsg);
      w.on('error', onErr);
      this.post(w, msg);
    });
  }

  // ---------- search ----------

  private plan(k: number, opts: SearchOptions): QueryPlan | null {
    if (!Number.isInteger(k) || k < 1 || k > 4096) throw new DiskAnnInputError('k', 'must be an integer in 1..4096');
    const rescore = opts.rescore ?? this.defaults.rescore;
    if (opts.listSize !== undefined && (!Number.isInteger(opts.listSize) || opts.listSize < 1 || opts.listSize > 4096)) {
      throw new DiskAnnInputError('listSize', 'must be an integer in 1..4096');
    }
    // An explicit list size wins; otherwise the default grows with the number of points the query
    // traverses (the whole index, or the label's subgraph).
    const listFor = (traversed: number): number =>
      opts.listSize ?? (this.defaults.scaleListSize ? scaledListSize(this.defaults.listSize, traversed) : this.defaults.listSize);
    if (!Number.isInteger(rescore) || rescore < 0 || rescore > 4096) throw new DiskAnnInputError('rescore', 'must be an integer in 0..4096');
    const labels = this.normLabels('labels', opts.labels ? [...opts.labels] : undefined);
    if (this.live === 0 || this.start < 0) return null;
    const useCodes = this.trained && (opts.quantized ?? this.defaults.quantized);
    if (opts.exact) {
      let members: Iterable<number> = this.idMap.values();
      if (labels.length > 0) {
        let rarest: Set<number> | undefined;
        for (const l of labels) {
          const m = this.labelMembers.get(l);
          if (!m) return null;
          if (!rarest || m.size < rarest.size) rarest = m;
        }
        members = rarest!;
      }
      return { k, listSize: listFor(0), rescore, starts: [], traverseLabel: -1, requireLabels: labels, useCodes: false, scan: Uint32Array.from(members) };
    }
    if (labels.length === 0) {
      return { k, listSize: listFor(this.live), rescore, starts: [this.start], traverseLabel: -1, requireLabels: [], useCodes, scan: null };
    }
    // The rarest label bounds the result set: traverse its subgraph (or scan it when small).
    let rarest = -1;
    let rarestSize = Infinity;
    for (const l of labels) {
      const sz = this.labelMembers.get(l)?.size ?? 0;
      if (sz < rarestSize) {
        rarest = l;
        rarestSize = sz;
      }
    }
    if (rarestSize === 0) return null;
    if (rarestSize <= this.defaults.exactScanThreshold) {
      return { k, listSize: listFor(rarestSize), rescore, starts: [], traverseLabel: rarest, requireLabels: labels, useCodes, scan: Uint32Array.from(this.labelMembers.get(rarest)!) };
    }
    const s = this.labelStart.get(rarest);
    const starts = s === undefined ? [this.start] : [s];
    return { k, listSize: listFor(rarestSize), rescore, starts, traverseLabel: rarest, requireLabels: labels, useCodes, scan: null };
  }

  private encodeFn = (src: number, dst: number): void => encodeAt(this.views, src, dst);

  /** Synchronous search on the calling thread. */
  search(query: ArrayLike<number>, k: number, opts: SearchOptions = {}): SearchResults {
    this.assertOpen();
    this.checkVector('query', query);
    if (opts.among !== undefined) return this.searchAmong(query, k, opts.among, opts);
    if (opts.accept !== undefined || opts.maxVisits !== undefined) return this.predicateSearch(query, k, opts);
    const p = this.plan(k, opts);
    if (!p) return { ids: [], distances: [] };
    const core = this.core;
    core.loadQuery(query, this.encodeFn, p.useCodes && p.scan === null);
    const r = p.scan ? core.scanLoaded(p.scan, k, p.requireLabels) : core.searchLoaded(p, this.layout.capacity);
    return { ids: Array.from(r.ids), distances: Array.from(r.distances) };
  }

  /** Members of a label among the live points (0 for an unknown label); O(1). */
  labelSize(label: number): number {
    return this.labelMembers.get(label)?.size ?? 0;
  }

  /**
   * Exact k nearest among `ids` (those that are live, carry every `opts.labels` and pass
   * `opts.accept`); ids not in the index are skipped. For filters matching few points, where a
   * scan of the matching set beats any walk (PREDICATE_EXACT_SCAN_MAX).
   */
  searchAmong(query: ArrayLike<number>, k: number, ids: ArrayLike<number>, opts: Pick<SearchOptions, 'labels' | 'accept'> = {}): SearchResults {
    this.assertOpen();
    this.checkVector('query', query);
    if (!Number.isInteger(k) || k < 1 || k > 4096) throw new DiskAnnInputError('k', 'must be an integer in 1..4096');
    if (!ids || typeof ids.length !== 'number') throw new DiskAnnInputError('among', 'must be an array of ids');
    const accept = this.checkAccept(opts.accept);
    const labels = this.normLabels('labels', opts.labels ? [...opts.labels] : undefined);
    // Dedupe with a generation-stamped mark per slot (no Set: the set can be tens of thousands).
    const cap = this.layout.capacity;
    if (this.amongMark.length < cap) this.amongMark = new Uint32Array(cap);
    if (++this.amongGen === 0xffffffff) {
      this.amongMark.fill(0);
      this.amongGen = 1;
    }
    const mark = this.amongMark;
    const gen = this.amongGen;
    const slots = new Uint32Array(ids.length);
    let m = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!Number.isSafeInteger(id) || id < 0) this.checkId(`among[${i}]`, id);
      const s = this.idMap.get(id);
      if (s === undefined || mark[s] === gen) continue;
      if (accept && !accept(id)) continue;
      mark[s] = gen;
      slots[m++] = s;
    }
    if (m === 0) return { ids: [], distances: [] };
    this.core.loadQuery(query, this.encodeFn, false);
    const r = this.core.scanLoaded(slots.subarray(0, m), k, labels);
    return { ids: Array.from(r.ids), distances: Array.from(r.distances) };
  }

  private amongMark = new Uint32Array(0);
  private amongGen = 0;

  private checkAccept(accept: unknown): ((id: number) => boolean) | undefined {
    if (accept !== undefined && typeof accept !== 'function') throw new DiskAnnInputError('accept', 'must be a function (id) => boolean');
    return accept as ((id: number) => boolean) | undefined;
  }

  /** search() with a predicate: see SearchOptions.accept. */
  private predicateSearch(query: ArrayLike<number>, k: number, opts: SearchOptions): SearchResults {
    const accept = this.checkAccept(opts.accept) ?? (() => true);
    const maxVisits = opts.maxVisits ?? Infinity;
    if (maxVisits !== Infinity && (!Number.isInteger(maxVisits) || maxVisits < 1)) {
      throw new DiskAnnInputError('maxVisits', 'must be a positive integer');
    }
    const p = this.plan(k, opts);
    if (!p) return { ids: [], distances: [], truncated: false, visited: 0 };
    const core = this.core;
    core.loadQuery(query, this.encodeFn, false);
    const ext = this.views.ext;
    if (p.scan) {
      // A small label: scan its members that pass, exactly.
      const pass = p.scan.filter((s) => accept(ext[s]!));
      const d0 = core.distanceComputations;
      const r = core.scanLoaded(pass, k, p.requireLabels);
      return { ids: Array.from(r.ids), distances: Array.from(r.distances), truncated: false, visited: core.distanceComputations - d0 };
    }
    const members = p.traverseLabel >= 0 ? this.labelMembers.get(p.traverseLabel) : undefined;
    const universe = members ? (): ArrayLike<number> => Uint32Array.from(members) : null;
    const r = core.predicateSearch(
      { k, listSize: p.listSize, starts: p.starts, traverseLabel: p.traverseLabel, requireLabels: p.requireLabels, maxVisits, universe },
      (slot) => accept(ext[slot]!),
      Math.min(this.layout.capacity, this.highWater),
    );
    return { ids: Array.from(r.ids), distances: Array.from(r.distances), truncated: r.truncated, visited: r.scored };
  }

  /** Search on the query worker pool (off the event loop). */
  searchAsync(query: ArrayLike<number>, k: number, opts: SearchOptions = {}): Promise<SearchResults> {
    try {
      this.assertOpen();
      if (opts.accept !== undefined || opts.maxVisits !== undefined || opts.among !== undefined) {
        throw new DiskAnnInputError(
          opts.accept !== undefined ? 'accept' : opts.among !== undefined ? 'among' : 'maxVisits',
          'predicate and among searches run on the calling thread (a JS callback cannot cross to the query workers): use search()',
        );
      }
      this.checkVector('query', query);
      const plan = this.plan(k, opts);
      if (!plan) return Promise.resolve({ ids: [], distances: [] });
      const pool = this.ensurePool();
      let w = pool[0]!;
      for (const x of pool) if (x.pending < w.pending) w = x;
      const id = this.nextRequest++;
      w.pending++;
      return new Promise<SearchResults>((resolve, reject) => {
        this.waiting.set(id, { resolve, reject });
        this.post(w.worker, { type: 'search', id, query: Float32Array.from(query), plan });
      }).finally(() => {
        w.pending--;
      });
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  private ensurePool(): PoolWorker[] {
    if (this.pool) return this.pool;
    this.pool = [];
    for (let i = 0; i < this.queryWorkers; i++) {
      const worker = this.spawn(8 + i);
      const pw: PoolWorker = { worker, pending: 0 };
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'search') this.onReply(m);
      });
      worker.on('error', (err) => {
        // A crashed query worker fails its in-flight requests; the pool is rebuilt on next use.
        for (const [, w] of this.waiting) w.reject(err);
        this.waiting.clear();
        void this.shutdownPool();
      });
      this.pool.push(pw);
    }
    // Keep the process alive only while queries are pending (workers are unref'd).
    return this.pool;
  }

  private onReply(m: SearchReply): void {
    const w = this.waiting.get(m.id);
    if (!w) return;
    this.waiting.delete(m.id);
    this.workerDistances += m.distanceComputations;
    this.workerHamming += m.hammingComputations;
    if (m.error) w.reject(new Error(`query worker failed: ${m.error}`));
    else w.resolve({ ids: Array.from(m.ids), distances: Array.from(m.distances) });
  }

  private async shutdownPool(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    if (pool) await Promise.all(pool.map((p) => p.worker.terminate()));
  }

  /**
   * Streams results in approximate distance order without a fixed k (for post-filters):
   * best-first expansion over an unbounded candidate heap (SBQ distances), with a window of
   * `rescore` exactly-scored results from which the closest is emitted.
   */
  *iterate(query: ArrayLike<number>, opts: SearchOptions = {}): Generator<{ id: number; distance: number }> {
    this.assertOpen();
    this.checkVector('query', query);
    const p = this.plan(1, opts);
    if (!p) return;
    const core = this.core;
    const v = this.views;
    const window = Math.max(1, p.rescore);
    if (p.scan) {
      core.loadQuery(query, this.encodeFn, false);
      const r = core.scanLoaded(p.scan, p.scan.length, p.requireLabels);
      for (let i = 0; i < r.ids.length; i++) yield { id: r.ids[i]!, distance: r.distances[i]! };
      return;
    }
    // Own copy of the query so interleaved search() calls cannot overwrite it.
    const qCopy = Float32Array.from(query);
    const cap = this.layout.capacity;
    const seen = new Uint8Array(cap);
    const cand = new MinHeap();
    const results = new MinHeap();
    const resVer = new Map<number, number>();
    // Prepare the query once and keep the prepared bytes (normalised vector + code): other
    // search() calls between two next() calls reuse the same scratch, so restore before scoring.
    core.loadQuery(qCopy, this.encodeFn, p.useCodes);
    const prepared = v.u8.slice(core.sQuery, core.sIds);
    const load = (): void => v.u8.set(prepared, core.sQuery);
    const score = (ids: number[], codes: boolean): Float32Array => {
      load();
      const out = new Float32Array(ids.length);
      if (ids.length === 0) return out;
      const si = core.sIds >>> 2;
      const so = core.sOut >>> 2;
      for (let at = 0; at < ids.length; at += v.layout.batchMax) {
        const m = Math.min(v.layout.batchMax, ids.length - at);
        for (let i = 0; i < m; i++) v.u32[si + i] = ids[at + i]!;
        if (codes) {
          this.kernel.ham(core.sCode, core.sIds, m, core.sOut);
          for (let i = 0; i < m; i++) out[at + i] = v.u32[so + i]!;
        } else {
          this.kernel.dist(core.sQuery, core.sIds, m, core.sOut);
          for (let i = 0; i < m; i++) out[at + i] = v.f32[so + i]!;
        }
      }
      return out;
    };
    const starts = p.starts.filter((s) => s < cap);
    for (const s of starts) seen[s] = 1;
    const sd = score(starts, p.useCodes);
    starts.forEach((s, i) => cand.push(sd[i]!, s));
    const emit = function* (this: DiskAnnIndex, all: boolean): Generator<{ id: number; distance: number }> {
      while (results.size > (all ? 0 : window)) {
        const [d, s] = results.pop();
        const vw = this.views;
        if (vw !== v) continue; // memory was reallocated; slot numbers still valid but re-check below
        if (v.flags[s] !== LIVE || Atomics.load(v.ver, s) !== resVer.get(s)) continue;
        if (p.requireLabels.length > 0 && !core.hasAllLabels(s, p.requireLabels)) continue;
        yield { id: v.ext[s]!, distance: d };
      }
    };
    while (cand.size > 0) {
      const [, node] = cand.pop();
      const dg = Math.min(v.deg[node]!, v.layout.adjStride);
      const nbs: number[] = [];
      for (let i = 0; i < dg; i++) {
        const nb = v.adj[node * v.layout.adjStride + i]!;
        if (nb >= cap || seen[nb] === 1) continue;
        seen[nb] = 1;
        if (p.traverseLabel >= 0 && !core.hasLabel(nb, p.traverseLabel)) continue;
        nbs.push(nb);
      }
      const nd = score(nbs, p.useCodes);
      nbs.forEach((s, i) => cand.push(nd[i]!, s));
      const ver = Atomics.load(v.ver, node);
      if ((ver & 1) === 0 && v.flags[node] === LIVE && (p.requireLabels.length === 0 || core.hasAllLabels(node, p.requireLabels))) {
        const [d] = score([node], false);
        resVer.set(node, ver);
        results.push(d!, node);
      }
      yield* emit.call(this, false);
    }
    yield* emit.call(this, true);
  }

  // ---------- snapshots ----------

  /** Model id and change-log position of the data in this index (set by save/load). */
  meta: { modelId: string; lastSeq: bigint } = { modelId: '', lastSeq: 0n };

  /**
   * Writes a snapshot atomically (temp file + fsync + rename). Tombstones are kept as such; call
   * consolidate() first for a compact file. Mutations (upsert/delete/consolidate/build) throw
   * while the save is in flight, so a snapshot is never torn; searches continue.
   */
  async save(path: string, meta: SnapshotMeta): Promise<{ bytes: number; seconds: number }> {
    this.assertOpen();
    if (typeof meta?.modelId !== 'string') throw new DiskAnnInputError('meta.modelId', 'must be a string');
    const lastSeq = BigInt(meta.lastSeq);
    if (lastSeq < 0n) throw new DiskAnnInputError('meta.lastSeq', 'must be ≥ 0');
    if (this.consolidating) throw new Error('DiskAnnIndex: consolidate() in progress; save after it resolves');
    this.assertWritable();
    const t0 = performance.now();
    const hw = this.highWater;
    this.saving = true;
    let bytes: number;
    try {
      bytes = await writeSnapshot(path, {
      formatVersion: SNAPSHOT_FORMAT_VERSION,
      metric: this.metric, dims: this.dims, R: this.R, bits: this.bits, maxLabels: this.maxLabels,
      codeBytes: this.layout.codeBytes, count: this.live, tombstones: this.tombstones, highWater: hw,
      start: this.start, trained: this.trained, modelId: meta.modelId, lastSeq: lastSeq.toString(),
      labelStarts: [...this.labelStart.entries()], createdAt: new Date().toISOString(),
    }, sectionsFor(this.views, hw));
    } finally {
      this.saving = false;
    }
    this.meta = { modelId: meta.modelId, lastSeq };
    return { bytes, seconds: (performance.now() - t0) / 1000 };
  }

  /**
   * Loads a snapshot. Throws SnapshotError (code CORRUPT, TRUNCATED, MISMATCH, VERSION, NOT_FOUND)
   * when the file cannot be trusted or does not match `expected`: the caller should rebuild.
   */
  static async load(path: string, expected: SnapshotExpectations = {}, options: Partial<DiskAnnOptions> = {}): Promise<DiskAnnIndex> {
    const { header, headerEnd, prefix } = await readSnapshotHeader(path, expected);
    const h = header as typeof header & { adjStride?: number };
    if (h.adjStride !== undefined && h.adjStride !== h.R) throw new SnapshotError('CORRUPT', `snapshot ${path} has an inconsistent adjacency stride`, path);
    if (!Number.isInteger(h.highWater) || h.highWater < 0 || h.start >= h.highWater) {
      throw new SnapshotError('CORRUPT', `snapshot ${path} has an inconsistent header`, path);
    }
    const idx = new DiskAnnIndex({
      ...options, dims: h.dims, metric: h.metric, R: h.R, bits: h.bits, maxLabelsPerPoint: h.maxLabels,
      capacity: Math.max(16, h.highWater),
    });
    if (idx.layout.codeBytes !== h.codeBytes) throw new SnapshotError('CORRUPT', `snapshot ${path} code size does not match its dims/bits`, path);
    let failure: unknown;
    try {
      idx._restore({ highWater: h.highWater, start: h.start, trained: h.trained, labelStart: new Map(h.labelStarts) }, () => undefined);
      await readSnapshotPayload(path, prefix, headerEnd, h, sectionsFor(idx.views, h.highWater));
      idx._reindex();
      if (idx.live !== h.count) throw new SnapshotError('CORRUPT', `snapshot ${path} holds ${idx.live} live points, header says ${h.count}`, path);
    } catch (err) {
      failure = err;
    }
    if (failure !== undefined) {
      await idx.close();
      throw failure;
    }
    idx.meta = { modelId: h.modelId, lastSeq: BigInt(h.lastSeq) };
    return idx;
  }

  // ---------- introspection ----------

  stats(): IndexStats {
    const L = this.layout;
    const v = this.views;
    let edges = 0;
    let nodes = 0;
    for (let s = 0; s < this.highWater; s++) {
      if (v.flags[s] === FREE) continue;
      edges += Math.min(v.deg[s]!, L.adjStride);
      nodes++;
    }
    const cap = L.capacity;
    const bytes = {
      vectors: cap * this.dims * 4,
      codes: cap * L.codeBytes,
      graph: cap * (L.adjStride * 4 + 4),
      labels: cap * (this.maxLabels * 4 + 1),
      ids: cap * (8 + 4 + 4 + 1),
      total: L.totalBytes,
    };
    return {
      count: this.live,
      tombstones: this.tombstones,
      freeSlots: this.freeSlots.length,
      highWater: this.highWater,
      capacity: cap,
      kernel: this.kernelName,
      trained: this.trained,
      labels: this.labelMembers.size,
      bytes,
      bytesPerVector: { graph: L.adjStride * 4 + 2, codes: this.trained ? L.codeBytes : 0, vectors: this.dims * 4 },
      averageDegree: nodes ? edges / nodes : 0,
      distanceComputations: this.core.distanceComputations + this.workerDistances,
      hammingComputations: this.core.hammingComputations + this.workerHamming,
    };
  }

  /** Stops the query workers. The index must not be used afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    for (const [, w] of this.waiting) w.reject(new Error('index closed'));
    this.waiting.clear();
    await this.shutdownPool();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('DiskAnnIndex is closed');
  }

  private assertWritable(): void {
    this.assertOpen();
    if (this.saving) throw new Error('DiskAnnIndex: save() in progress; apply changes after it resolves');
  }

  /** @internal snapshot support */
  _internals(): {
    views: Views; layout: Layout; highWater: number; start: number; trained: boolean; live: number; tombstones: number;
    freeSlots: number[]; labelStart: Map<number, number>;
  } {
    return {
      views: this.views, layout: this.layout, highWater: this.highWater, start: this.start, trained: this.trained,
      live: this.live, tombstones: this.tombstones, freeSlots: this.freeSlots, labelStart: this.labelStart,
    };
  }

  /** @internal snapshot support: size the memory for restored state (payload is read next). */
  _restore(s: { highWater: number; start: number; trained: boolean; labelStart: Map<number, number> }, fill: (v: Views) => void): void {
    this.highWater = 0;
    this.reallocate(Math.max(16, s.highWater), this.R);
    fill(this.views);
    this.highWater = s.highWater;
    this.start = s.start;
    this.trained = s.trained;
    for (const [l, st] of s.labelStart) {
      this.labelStart.set(l, st);
      this.startUsage.set(st, (this.startUsage.get(st) ?? 0) + 1);
    }
  }

  /** @internal rebuilds id map, label sets and free list from the slot arrays. */
  _reindex(): void {
    const v = this.views;
    const R = this.R;
    for (let slot = 0; slot < this.highWater; slot++) {
      const f = v.flags[slot];
      if (v.deg[slot]! > R) throw new SnapshotError('CORRUPT', `slot ${slot} has degree ${v.deg[slot]} > R`);
      if (f === FREE) {
        this.freeSlots.push(slot);
        continue;
      }
      if (f === DELETED) {
        this.tombstones++;
      } else if (f === LIVE) {
        const id = v.ext[slot]!;
        if (!Number.isSafeInteger(id) || id < 0 || this.idMap.has(id)) throw new SnapshotError('CORRUPT', `slot ${slot} has an invalid or duplicate id`);
        this.idMap.set(id, slot);
        this.live++;
      } else {
        throw new SnapshotError('CORRUPT', `slot ${slot} has unknown state ${f}`);
      }
      if (v.labelCount[slot]! > this.maxLabels) throw new SnapshotError('CORRUPT', `slot ${slot} has too many labels`);
      if (f === LIVE) {
        for (const l of this.core.labelsOf(slot)) {
          let set = this.labelMembers.get(l);
          if (!set) this.labelMembers.set(l, (set = new Set()));
          set.add(slot);
        }
      }
    }
    for (let i = 0; i < this.highWater * R; i++) {
      if (v.adj[i]! >= this.highWater && i % R < v.deg[Math.floor(i / R)]!) throw new SnapshotError('CORRUPT', 'adjacency points outside the index');
    }
    this.freeSlots.sort((a, b) => b - a);
  }
}

/** Binary min-heap of (priority, value) pairs over flat arrays. */
class MinHeap {
  private pri: number[] = [];
  private val: number[] = [];
  get size(): number {
    return this.pri.length;
  }
  push(p: number, v: number): void {
    const pri = this.pri;
    const val = this.val;
    let i = pri.length;
    pri.push(p);
    val.push(v);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (pri[parent]! < p || (pri[parent] === p && val[parent]! <= v)) break;
      pri[i] = pri[parent]!;
      val[i] = val[parent]!;
      i = parent;
    }
    pri[i] = p;
    val[i] = v;
  }
  pop(): [number, number] {
    const pri = this.pri;
    const val = this.val;
    const top: [number, number] = [pri[0]!, val[0]!];
    const lp = pri.pop()!;
    const lv = val.pop()!;
    const n = pri.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        if (r < n && (pri[r]! < pri[l]! || (pri[r] === pri[l] && val[r]! < val[l]!))) c = r;
        if (pri[c]! > lp || (pri[c] === lp && val[c]! >= lv)) break;
        pri[i] = pri[c]!;
        val[i] = val[c]!;
        i = c;
      }
      pri[i] = lp;
      val[i] = lv;
    }
    return top;
  }
}
