// Graph core shared by every thread (owner, build workers, query workers): Vamana greedy search,
// RobustPrune with the α ramp and label-aware occlusion, insertion with back-edges, and the
// quantized search with exact rescoring. It owns no data: everything lives in the shared memory.
import { SlotHeap, SpillPool } from './heap.js';
import { OCCLUDE_BLOCK, type Kernel } from './kernel.js';
import { DELETED, LIVE, type Views } from './layout.js';

export interface GraphParams {
  R: number;
  alpha: number;
  buildListSize: number;
  /** RobustPrune truncates the sorted candidate list to this many (DiskANN uses 750). */
  maxCandidates: number;
}

export interface SearchRequest {
  k: number;
  listSize: number;
  rescore: number;
  /** Entry points (global start, or the start nodes of the traversal label). */
  starts: ArrayLike<number>;
  /** Traverse only nodes that carry this label (-1: no restriction). */
  traverseLabel: number;
  /** A result must carry every one of these labels (tenant isolation). */
  requireLabels: ArrayLike<number>;
  /** Traverse on SBQ codes (false: full-precision traversal, e.g. before SBQ is trained). */
  useCodes: boolean;
}

export interface SearchResult {
  ids: Float64Array;
  distances: Float32Array;
  slots: Uint32Array;
}

export interface PredicateRequest {
  k: number;
  /** Initial search list size L0; the walk widens it until the k-th passing point is well inside. */
  listSize: number;
  starts: ArrayLike<number>;
  /** Traverse only nodes that carry this label (-1: no restriction). */
  traverseLabel: number;
  /** A result must carry every one of these labels. */
  requireLabels: ArrayLike<number>;
  /** Stop after scoring this many points (Infinity: no budget). */
  maxVisits: number;
  /**
   * Slots to scan exactly when the walk exhausts what it can reach with fewer than k passing points
   * (the traversal label's members, built only when needed; null = every slot below the capacity
   * limit), so a short result always means fewer points match, never that the graph failed to
   * reach them.
   */
  universe: (() => ArrayLike<number>) | null;
}

export interface PredicateResult extends SearchResult {
  /** The budget stopped the walk before k passing points were confirmed. */
  truncated: boolean;
  /** Points scored (exact distances) by this query. */
  scored: number;
  /** The list size the walk ended with. */
  listSize: number;
}

const EMPTY_LABELS = new Uint32Array(0);

export class GraphCore {
  readonly dims: number;
  readonly stride: number;
  /** Byte offsets of this thread's scratch region. */
  readonly sQuery: number;
  readonly sCode: number;
  readonly sIds: number;
  readonly sOut: number;
  /** RobustPrune's selected list (u32) and the occlusion scan's distances (f32), adjStride + 1 each. */
  readonly sSel: number;
  readonly sSelOut: number;
  distanceComputations = 0;
  hammingComputations = 0;
  /** Exact distances spent inside beam searches (the rest: prune and rescoring). */
  beamDistances = 0;

  private visited: Uint32Array;
  private gen = 0;
  // Search list: sorted by distance, parallel typed arrays, no allocation per query.
  private listId: Uint32Array;
  private listDist: Float32Array;
  private listExp: Uint8Array;
  private listSize = 0;
  // Expanded set of the last beam (insertion candidates).
  expId: Uint32Array;
  expDist: Float32Array;
  expCount = 0;
  // RobustPrune buffers.
  private pIds: Uint32Array;
  private pDist: Float32Array;
  private pOrder: number[] = [];
  private pFactor: Float32Array;
  private pSel: Uint8Array;
  private pChecked: Uint32Array;
  private pOut: Uint32Array;
  private tmpIds: Uint32Array;
  private tmpDist: Float32Array;
  private tmpVer: Int32Array;

  constructor(
    readonly v: Views,
    readonly kernel: Kernel,
    scratchIndex: number,
    readonly params: GraphParams,
  ) {
    const L = v.layout;
    this.dims = L.dims;
    this.stride = L.adjStride;
    const base = L.offScratch + scratchIndex * L.scratchBytes;
    this.sQuery = base;
    this.sCode = base + L.dims * 4;
    this.sIds = this.sCode + L.codeBytes;
    this.sOut = this.sIds + L.batchMax * 4;
    this.sSel = this.sOut + L.batchMax * 4;
    this.sSelOut = this.sSel + (L.adjStride + 1) * 4;
    this.visited = new Uint32Array(L.capacity);
    const maxList = 4096;
    this.listId = new Uint32Array(maxList);
    this.listDist = new Float32Array(maxList);
    this.listExp = new Uint8Array(maxList);
    this.expId = new Uint32Array(8192);
    this.expDist = new Float32Array(8192);
    const pc = Math.max(params.maxCandidates, 2 * L.adjStride + 2) + L.adjStride * (L.adjStride + 1);
    this.pIds = new Uint32Array(pc);
    this.pDist = new Float32Array(pc);
    this.pFactor = new Float32Array(pc);
    this.pSel = new Uint8Array(pc);
    this.pChecked = new Uint32Array(pc);
    // The selected list lives in this thread's scratch so the kernel's occlusion scan reads it in place.
    this.pOut = v.u32.subarray(this.sSel >>> 2, (this.sSel >>> 2) + L.adjStride + 1);
    this.tmpIds = new Uint32Array(pc);
    this.tmpDist = new Float32Array(pc);
    this.tmpVer = new Int32Array(maxList);
  }

  // ---------- helpers ----------

  private nextGen(): number {
    this.gen = (this.gen + 1) >>> 0;
    if (this.gen === 0) {
      this.visited.fill(0);
      this.expanded.fill(0);
      this.gen = 1;
    }
    return this.gen;
  }

  vectorOffset(slot: number): number {
    return this.v.layout.offVectors + slot * this.dims * 4;
  }

  codeOffset(slot: number): number {
    return this.v.layout.offCodes + slot * this.v.layout.codeBytes;
  }

  hasLabel(slot: number, label: number): boolean {
    const n = this.v.labelCount[slot]!;
    const b = slot * this.v.layout.maxLabels;
    const labels = this.v.labels;
    for (let i = 0; i < n; i++) if (labels[b + i] === label) return true;
    return false;
  }

  hasAnyLabel(slot: number, set: ArrayLike<number>): boolean {
    for (let i = 0; i < set.length; i++) if (this.hasLabel(slot, set[i]!)) return true;
    return false;
  }

  hasAllLabels(slot: number, set: ArrayLike<number>): boolean {
    for (let i = 0; i < set.length; i++) if (!this.hasLabel(slot, set[i]!)) return false;
    return true;
  }

  labelsOf(slot: number): Uint32Array {
    const n = this.v.labelCount[slot]!;
    if (n === 0) return EMPTY_LABELS;
    const b = slot * this.v.layout.maxLabels;
    return this.v.labels.subarray(b, b + n);
  }

  /** Exact distances from the vector at byte offset qOff to ids[0..n), chunked through scratch. */
  distMany(qOff: number, ids: ArrayLike<number>, n: number, out: Float32Array): void {
    const max = this.v.layout.batchMax;
    const u32 = this.v.u32;
    const f32 = this.v.f32;
    const si = this.sIds >>> 2;
    const so = this.sOut >>> 2;
    for (let at = 0; at < n; at += max) {
      const m = Math.min(max, n - at);
      for (let i = 0; i < m; i++) u32[si + i] = ids[at + i]!;
      this.kernel.dist(qOff, this.sIds, m, this.sOut);
      for (let i = 0; i < m; i++) out[at + i] = f32[so + i]!;
    }
    this.distanceComputations += n;
  }

  lock(slot: number): void {
    const locks = this.v.locks;
    while (Atomics.compareExchange(locks, slot, 0, 1) !== 0) {
      // Critical sections are a few microseconds; a short wait avoids burning the other core.
      Atomics.wait(locks, slot, 1, 1);
    }
  }

  unlock(slot: number): void {
    Atomics.store(this.v.locks, slot, 0);
    Atomics.notify(this.v.locks, slot, 1);
  }

  // ---------- beam search ----------

  /**
   * Greedy best-first search with a bounded sorted list of size L. Distances are exact (qOff) or
   * Hamming on codes (qcOff). With `filter`, only nodes carrying one of those labels are scored.
   * When `record`, every expanded node and its distance is appended to expId/expDist.
   */
  beam(
    qOff: number,
    qcOff: number,
    useCodes: boolean,
    starts: ArrayLike<number>,
    L: number,
    filter: ArrayLike<number> | null,
    record: boolean,
    capacityLimit: number,
  ): number {
    const gen = this.nextGen();
    const visited = this.visited;
    const { adj, deg, u32, f32 } = this.v;
    const stride = this.stride;
    const lid = this.listId;
    const ldist = this.listDist;
    const lexp = this.listExp;
    const si = this.sIds >>> 2;
    const so = this.sOut >>> 2;
    const kernel = this.kernel;
    L = Math.min(L, lid.length);
    let size = 0;
    if (record) this.expCount = 0;

    // Seed with the start nodes.
    let n = 0;
    for (let i = 0; i < starts.length; i++) {
      const s = starts[i]!;
      if (s >= capacityLimit || visited[s] === gen) continue;
      visited[s] = gen;
      u32[si + n++] = s;
    }
    if (n === 0) return 0;
    if (useCodes) {
      kernel.ham(qcOff, this.sIds, n, this.sOut);
      this.hammingComputations += n;
    } else {
      kernel.dist(qOff, this.sIds, n, this.sOut);
      this.distanceComputations += n; this.beamDistances += n;
    }
    for (let i = 0; i < n; i++) {
      const d = useCodes ? u32[so + i]! : f32[so + i]!;
      size = this.listInsert(size, L, u32[si + i]!, d);
    }

    let cursor = 0;
    while (cursor < size) {
      const node = lid[cursor]!;
      lexp[cursor] = 1;
      if (record && this.expCount < this.expId.length) {
        this.expId[this.expCount] = node;
        this.expDist[this.expCount++] = ldist[cursor]!;
      }
      // Gather unseen neighbours (read degree once; entries may be rewritten concurrently but are
      // always valid slot numbers, so a torn read only costs quality, never safety).
      let dg = deg[node]!;
      if (dg > stride) dg = stride;
      const b = node * stride;
      n = 0;
      for (let i = 0; i < dg; i++) {
        const nb = adj[b + i]!;
        if (nb >= capacityLimit || visited[nb] === gen) continue;
        visited[nb] = gen;
        if (filter !== null && !this.hasAnyLabel(nb, filter)) continue;
        u32[si + n++] = nb;
      }
      let minPos = size;
      if (n > 0) {
        if (useCodes) {
          kernel.ham(qcOff, this.sIds, n, this.sOut);
          this.hammingComputations += n;
        } else {
          kernel.dist(qOff, this.sIds, n, this.sOut);
          this.distanceComputations += n; this.beamDistances += n;
        }
        for (let i = 0; i < n; i++) {
          const d = useCodes ? u32[so + i]! : f32[so + i]!;
          if (size === L && d >= ldist[size - 1]!) continue;
          const pos = this.lowerPos(size, d);
          size = this.listInsertAt(size, L, pos, u32[si + i]!, d);
          if (pos < minPos) minPos = pos;
        }
      }
      cursor = Math.min(cursor + 1, minPos);
      while (cursor < size && lexp[cursor] === 1) cursor++;
    }
    this.listSize = size;
    return size;
  }

  /** First index whose distance is > d (ties keep insertion order: earlier arrivals first). */
  private lowerPos(size: number, d: number): number {
    const ldist = this.listDist;
    let lo = 0;
    let hi = size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ldist[mid]! <= d) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private listInsert(size: number, L: number, id: number, d: number): number {
    if (size === L && d >= this.listDist[size - 1]!) return size;
    return this.listInsertAt(size, L, this.lowerPos(size, d), id, d);
  }

  private listInsertAt(size: number, L: number, pos: number, id: number, d: number): number {
    const end = size === L ? size - 1 : size;
    // Manual shift: for lists of ≤ a few hundred entries this beats three copyWithin calls.
    const lid = this.listId;
    const ld = this.listDist;
    const le = this.listExp;
    for (let i = end; i > pos; i--) {
      lid[i] = lid[i - 1]!;
      ld[i] = ld[i - 1]!;
      le[i] = le[i - 1]!;
    }
    this.listId[pos] = id;
    this.listDist[pos] = d;
    this.listExp[pos] = 0;
    return end + 1;
  }

  // ---------- RobustPrune ----------

  /**
   * RobustPrune(p, C, α, R) with DiskANN's α ramp (1.0, ×1.2 … α) and Filtered-DiskANN's rule:
   * c_i may occlude c_j only if c_i carries every label c_j shares with p. Candidates are sorted by
   * (distance, slot) so ties, including exact duplicates, resolve deterministically; a zero
   * distance between two candidates always occludes (duplicates never crowd out real neighbours).
   * Writes the result into pOut and returns its length. Non-live candidates and p are dropped.
   */
  prune(p: number, ids: Uint32Array, dists: Float32Array, n: number, R: number): number {
    // The selected list lives in scratch sized for the adjacency stride.
    if (R > this.stride) throw new RangeError(`prune to ${R} neighbours exceeds the adjacency stride ${this.stride}`);
    const { flags } = this.v;
    // Dedupe and drop p / non-live nodes.
    const gen = this.nextGen();
    const visited = this.visited;
    visited[p] = gen;
    const order = this.pOrder;
    order.length = 0;
    for (let i = 0; i < n; i++) {
      const c = ids[i]!;
      if (visited[c] === gen || flags[c] !== LIVE) continue;
      visited[c] = gen;
      order.push(i);
    }
    order.sort((a, b) => dists[a]! - dists[b]! || ids[a]! - ids[b]!);
    const m = Math.min(order.length, this.params.maxCandidates);
    const cIds = this.pIds;
    const cDist = this.pDist;
    for (let i = 0; i < m; i++) {
      cIds[i] = ids[order[i]!]!;
      cDist[i] = dists[order[i]!]!;
    }
    // Lazy occlusion: candidate j is compared with the selected neighbours only when the walk
    // reaches it, in chunks, stopping at the first occluder. Same decisions as DiskANN's eager
    // factor update, with far fewer distance computations (occluded candidates are usually
    // occluded by the first, closest selections; candidates past R are never compared).
    const factor = this.pFactor;
    const sel = this.pSel;
    const checked = this.pChecked;
    factor.fill(0, 0, m);
    sel.fill(0, 0, m);
    checked.fill(0, 0, m);
    const out = this.pOut;
    let count = 0;
    const alphaMax = this.params.alpha;
    const pLabels = this.labelsOf(p);
    const tIds = this.tmpIds;
    const tDist = this.tmpDist;
    let alpha = 1.0;
    for (;;) {
      for (let j = 0; j < m && count < R; j++) {
        if (sel[j] === 1 || factor[j]! > alpha) continue;
        const cj = cIds[j]!;
        const dpj = cDist[j]!;
        // Bring factor[j] up to date against selections made since it was last checked.
        if (pLabels.length === 0) {
          // Unlabelled: one kernel call scans the selected list (pOut, in scratch) in blocks,
          // stopping after the first block with an occluder.
          const from = checked[j]!;
          if (from < count) {
            const t = this.kernel.occlude(this.vectorOffset(cj), this.sSel + from * 4, count - from, this.sSelOut + from * 4, dpj, alpha);
            checked[j] = from + t;
            this.distanceComputations += t;
            const f32 = this.v.f32;
            const so = (this.sSelOut >>> 2) + from;
            for (let x = 0; x < t; x++) {
              const dij = f32[so + x]!;
              const f = dij <= 0 ? Infinity : dpj / dij;
              if (f > factor[j]!) factor[j] = f;
            }
          }
        }
        while (pLabels.length > 0 && checked[j]! < count && factor[j]! <= alpha) {
          let t = 0;
          const from = checked[j]!;
          const to = Math.min(count, from + OCCLUDE_BLOCK);
          for (let x = from; x < to; x++) {
            const ci = out[x]!;
            if (!this.mayOcclude(ci, cj, pLabels)) continue;
            tIds[t++] = ci;
          }
          checked[j] = to;
          if (t === 0) continue;
          this.distMany(this.vectorOffset(cj), tIds, t, tDist);
          for (let x = 0; x < t; x++) {
            const dij = tDist[x]!;
            const f = dij <= 0 ? Infinity : dpj / dij;
            if (f > factor[j]!) factor[j] = f;
          }
        }
        if (factor[j]! > alpha) continue;
        sel[j] = 1;
        out[count++] = cj;
      }
      if (count >= R || alpha >= alphaMax) break;
      alpha = Math.min(alpha * 1.2, alphaMax);
    }
    return count;
  }

  /** The neighbour list chosen by the last prune() call. */
  lastPrune(count: number): Uint32Array {
    return this.pOut.slice(0, count);
  }

  /** Filtered-DiskANN: ci may occlude cj only if ci has every label that cj shares with p. */
  private mayOcclude(ci: number, cj: number, pLabels: Uint32Array): boolean {
    const jl = this.labelsOf(cj);
    for (let a = 0; a < jl.length; a++) {
      const l = jl[a]!;
      let shared = false;
      for (let b = 0; b < pLabels.length; b++) if (pLabels[b] === l) { shared = true; break; }
      if (shared && !this.hasLabel(ci, l)) return false;
    }
    return true;
  }

  /** Replaces N(p) with the first `n` entries of pOut (caller holds p's lock). */
  private writeNeighbours(p: number, n: number): void {
    const { adj, deg } = this.v;
    const b = p * this.stride;
    for (let i = 0; i < n; i++) adj[b + i] = this.pOut[i]!;
    deg[p] = n;
  }

  /** Re-prunes N(p) ∪ extra to R (used by back-edges on overflow and the final prune). */
  repruneNode(p: number, extra: number, R: number): void {
    const { adj, deg } = this.v;
    const b = p * this.stride;
    const dg = Math.min(deg[p]!, this.stride);
    const ids = this.tmpIds;
    let n = 0;
    for (let i = 0; i < dg; i++) ids[n++] = adj[b + i]!;
    if (extra >= 0) ids[n++] = extra;
    this.distMany(this.vectorOffset(p), ids, n, this.tmpDist);
    // prune() reads its inputs before writing pOut, so tmp buffers can be passed in.
    const cnt = this.prune(p, ids.slice(0, n), this.tmpDist.slice(0, n), n, R);
    this.writeNeighbours(p, cnt);
  }

  /** Adds edge j → p, re-pruning N(j) when it is full (slack stride while bulk-building). */
  addEdge(j: number, p: number): void {
    const { adj, deg } = this.v;
    this.lock(j);
    try {
      const b = j * this.stride;
      const dg = Math.min(deg[j]!, this.stride);
      for (let i = 0; i < dg; i++) if (adj[b + i] === p) return;
      if (dg < this.stride) {
        adj[b + dg] = p;
        deg[j] = dg + 1;
      } else if (this.stride > this.params.R || !this.occludedBackEdge(j, p, dg)) {
        this.repruneNode(j, p, this.params.R);
      }
    } finally {
      this.unlock(j);
    }
  }

  /**
   * Streaming inserts on the compacted graph (stride = R, no slack): before paying a full
   * RobustPrune of N(j) ∪ {p} (≈ R²/2 distances), check with 2R distances whether a current
   * neighbour n of j, at least as close to j as p, already occludes p (α·d(n,p) < d(j,p)); then p
   * would be dropped by the prune anyway and N(j) stays as it is.
   */
  private occludedBackEdge(j: number, p: number, dg: number): boolean {
    const { adj } = this.v;
    const b = j * this.stride;
    const ids = this.obIds ?? (this.obIds = new Uint32Array(this.stride + 1));
    const dj = this.obDj ?? (this.obDj = new Float32Array(this.stride + 1));
    const dp = this.obDp ?? (this.obDp = new Float32Array(this.stride + 1));
    for (let i = 0; i < dg; i++) ids[i] = adj[b + i]!;
    ids[dg] = p;
    this.distMany(this.vectorOffset(j), ids, dg + 1, dj);
    const djp = dj[dg]!;
    this.distMany(this.vectorOffset(p), ids, dg, dp);
    const alpha = this.params.alpha;
    for (let i = 0; i < dg; i++) {
      if (dj[i]! <= djp && (dp[i]! <= 0 || alpha * dp[i]! < djp) && this.v.flags[ids[i]!] === LIVE) {
        if (this.labelsOf(p).length === 0 || this.mayOcclude(ids[i]!, p, this.labelsOf(j))) return true;
      }
    }
    return false;
  }

  private obIds: Uint32Array | undefined;
  private obDj: Float32Array | undefined;
  private obDp: Float32Array | undefined;

  // ---------- insertion ----------

  /**
   * Links slot p (vector, code, labels already written) into the graph: greedy search from the
   * global start (and, for labelled points, a label-restricted search from each label's start
   * node), RobustPrune, then back-edges. labelStarts[i] is the start node of p's i-th label
   * (-1: none yet).
   */
  insert(p: number, globalStart: number, labelStarts: ArrayLike<number>, capacityLimit: number): void {
    const R = this.params.R;
    const L = this.params.buildListSize;
    const qOff = this.vectorOffset(p);
    const cand = this.pCandIds ?? (this.pCandIds = new Uint32Array(16384));
    const candD = this.pCandDist ?? (this.pCandDist = new Float32Array(16384));
    let n = 0;
    if (globalStart >= 0 && globalStart !== p) {
      this.beam(qOff, 0, false, [globalStart], L, null, true, capacityLimit);
      for (let i = 0; i < this.expCount && n < cand.length; i++) {
        cand[n] = this.expId[i]!;
        candD[n++] = this.expDist[i]!;
      }
    }
    // Filtered-DiskANN: one search per label, from that label's start node through nodes carrying
    // it, so a rare label's neighbours are found even when p also carries a common label (a single
    // search over "any of p's labels" is dominated by the common one and leaves rare labels'
    // subgraphs poorly connected: measured 0.68 vs ≥ 0.95 recall at 1% selectivity).
    const pLabels = this.labelsOf(p).slice();
    for (let li = 0; li < pLabels.length; li++) {
      const s = labelStarts[li];
      if (s === undefined || s < 0 || s === p) continue;
      this.beam(qOff, 0, false, [s], L, [pLabels[li]!], true, capacityLimit);
      for (let i = 0; i < this.expCount && n < cand.length; i++) {
        cand[n] = this.expId[i]!;
        candD[n++] = this.expDist[i]!;
      }
    }
    const cnt = n > 0 ? this.prune(p, cand, candD, n, R) : 0;
    const chosen = this.pOut.slice(0, cnt);
    this.lock(p);
    try {
      // Other threads may already have appended back-edges to p; keep them if there is room.
      const { adj, deg } = this.v;
      const b = p * this.stride;
      const existing = Math.min(deg[p]!, this.stride);
      const keep: number[] = [];
      for (let i = 0; i < existing; i++) keep.push(adj[b + i]!);
      let m = 0;
      for (let i = 0; i < cnt; i++) adj[b + m++] = chosen[i]!;
      for (const x of keep) {
        if (m >= this.stride) break;
        if (!chosen.includes(x)) adj[b + m++] = x;
      }
      deg[p] = m;
    } finally {
      this.unlock(p);
    }
    for (let i = 0; i < cnt; i++) this.addEdge(chosen[i]!, p);
  }

  private pCandIds: Uint32Array | undefined;
  private pCandDist: Float32Array | undefined;

  /** Consolidation step for one node (FreshDiskANN): drop deleted neighbours, splice in theirs. */
  repairNode(p: number, isDeleted: (s: number) => boolean): boolean {
    const { adj, deg } = this.v;
    const stride = this.stride;
    const R = this.params.R;
    const b = p * stride;
    const dg = Math.min(deg[p]!, stride);
    let any = false;
    for (let i = 0; i < dg; i++) if (isDeleted(adj[b + i]!)) { any = true; break; }
    if (!any) return false;
    const gen = this.nextGen();
    const visited = this.visited;
    visited[p] = gen;
    const ids = this.tmpIds;
    let n = 0;
    for (let i = 0; i < dg; i++) {
      const nb = adj[b + i]!;
      if (isDeleted(nb)) {
        const vb = nb * stride;
        const vd = Math.min(deg[nb]!, stride);
        for (let k = 0; k < vd; k++) {
          const w = adj[vb + k]!;
          if (visited[w] === gen || isDeleted(w)) continue;
          visited[w] = gen;
          if (n < ids.length) ids[n++] = w;
        }
      } else if (visited[nb] !== gen) {
        visited[nb] = gen;
        if (n < ids.length) ids[n++] = nb;
      }
    }
    this.lock(p);
    try {
      if (n <= R) {
        for (let i = 0; i < n; i++) adj[b + i] = ids[i]!;
        deg[p] = n;
      } else {
        const cand = ids.slice(0, n);
        const cd = new Float32Array(n);
        this.distMany(this.vectorOffset(p), cand, n, cd);
        const cnt = this.prune(p, cand, cd, n, R);
        this.writeNeighbours(p, cnt);
      }
    } finally {
      this.unlock(p);
    }
    return true;
  }

  // ---------- query ----------

  /** Copies a query into scratch (normalised for cosine) and encodes it. False for bad input. */
  loadQuery(q: ArrayLike<number>, encode: (src: number, dst: number) => void, useCodes: boolean): void {
    const f32 = this.v.f32;
    const qi = this.sQuery >>> 2;
    const dims = this.dims;
    let norm = 0;
    for (let d = 0; d < dims; d++) {
      const x = q[d]!;
      f32[qi + d] = x;
      norm += x * x;
    }
    if (this.v.layout.metric === 'cosine' && norm > 0) {
      const inv = 1 / Math.sqrt(norm);
      for (let d = 0; d < dims; d++) f32[qi + d]! *= inv;
    }
    if (useCodes) encode(qi, this.sCode);
  }

  /** Search for the query already in scratch. Results verified against concurrent slot reuse. */
  searchLoaded(req: SearchRequest, capacityLimit: number): SearchResult {
    // With SBQ traversal the list must hold the whole rescore window; exact traversal needs only L ≥ k.
    const L = Math.min(this.listId.length, Math.max(req.listSize, req.k, req.useCodes ? req.rescore : 0));
    const size = this.beam(this.sQuery, this.sCode, req.useCodes, req.starts, L, req.traverseLabel >= 0 ? [req.traverseLabel] : null, false, capacityLimit);
    const window = req.useCodes ? Math.max(req.k, req.rescore) : size;
    const { flags, ver } = this.v;
    const ids = this.tmpIds;
    const vers = this.tmpVer;
    let n = 0;
    for (let i = 0; i < size && n < window; i++) {
      const s = this.listId[i]!;
      const v1 = Atomics.load(ver, s);
      if ((v1 & 1) === 1 || flags[s] !== LIVE) continue;
      if (req.requireLabels.length > 0 && !this.hasAllLabels(s, req.requireLabels)) continue;
      vers[n] = v1;
      ids[n++] = s;
    }
    const dist = this.tmpDist;
    if (req.useCodes) this.distMany(this.sQuery, ids, n, dist);
    else {
      // Exact traversal: the list distances are already exact; keep them aligned with ids.
      let m = 0;
      for (let i = 0; i < size && m < n; i++) if (this.listId[i] === ids[m]) dist[m++] = this.listDist[i]!;
    }
    return this.finish(ids, dist, vers, n, req.k, req.requireLabels);
  }

  /** Exact scan over candidate slots (small label member lists). */
  scanLoaded(slots: ArrayLike<number>, k: number, requireLabels: ArrayLike<number>): SearchResult {
    const { flags, ver } = this.v;
    const chunk = Math.min(this.v.layout.batchMax, this.listId.length);
    // Keep the best k in the sorted list buffers.
    const bestId = new Uint32Array(k);
    const bestD = new Float32Array(k);
    const bestV = new Int32Array(k);
    let size = 0;
    const ids = new Uint32Array(chunk);
    const vs = new Int32Array(chunk);
    const d = new Float32Array(chunk);
    for (let at = 0; at < slots.length; at += chunk) {
      let n = 0;
      for (let i = at; i < Math.min(slots.length, at + chunk); i++) {
        const s = slots[i]!;
        const v1 = Atomics.load(ver, s);
        if ((v1 & 1) === 1 || flags[s] !== LIVE) continue;
        if (requireLabels.length > 0 && !this.hasAllLabels(s, requireLabels)) continue;
        vs[n] = v1;
        ids[n++] = s;
      }
      this.distMany(this.sQuery, ids, n, d);
      for (let i = 0; i < n; i++) {
        const x = d[i]!;
        if (size === k && x >= bestD[k - 1]!) continue;
        let pos = size === k ? k - 1 : size++;
        while (pos > 0 && bestD[pos - 1]! > x) {
          bestD[pos] = bestD[pos - 1]!;
          bestId[pos] = bestId[pos - 1]!;
          bestV[pos] = bestV[pos - 1]!;
          pos--;
        }
        bestD[pos] = x;
        bestId[pos] = ids[i]!;
        bestV[pos] = vs[i]!;
      }
    }
    return this.finish(bestId, bestD, bestV, size, k, requireLabels);
  }

  // ---------- predicate walk ----------

  private frontier = new SlotHeap();
  /** The L nearest scored nodes, keyed by −distance (top = farthest). */
  private nearest = new SlotHeap();
  /** Scored nodes outside the list: what a wider list takes in. */
  private spill = new SpillPool();
  /** The best k passing nodes, keyed by −distance, aux = slot version when scored. */
  private passing = new SlotHeap();
  /** Generation-stamped "expanded" marks (allocated on the first predicate walk). */
  private expanded = new Uint32Array(0);

  /**
   * Predicate-aware search for the query already in scratch. A best-first walk in exact distance
   * order over every node (failing nodes are expanded too: they are the road to passing ones) with
   * a search list of the L nearest scored nodes; a node passing `accept` (and the required labels)
   * also enters the result heap of the best k passing points. When the walk converges at L, the
   * result is accepted once the list reaches `slack` = L0/k times past the k-th passing point (the
   * list-to-k ratio of a plain search at L0, so a predicate everyone passes costs what a plain
   * search does); otherwise L widens (towards the estimate from the share passing so far, at most
   * doubling) and the walk resumes where it stopped: nodes that fell out of the list wait in the
   * spill pool, so nothing is scored twice. `accept(slot)` is asked only for live nodes that would
   * enter the result heap.
   */
  predicateSearch(req: PredicateRequest, accept: (slot: number) => boolean, capacityLimit: number): PredicateResult {
    const gen = this.nextGen();
    if (this.expanded.length < this.visited.length) this.expanded = new Uint32Array(this.visited.length);
    const visited = this.visited;
    const expanded = this.expanded;
    const { adj, deg, u32, f32, flags, ver } = this.v;
    const stride = this.stride;
    const si = this.sIds >>> 2;
    const so = this.sOut >>> 2;
    const kernel = this.kernel;
    const k = req.k;
    const L0 = Math.max(req.listSize, k);
    const slack = L0 / k;
    const traverseLabel = req.traverseLabel;
    const requireLabels = req.requireLabels;
    const maxVisits = req.maxVisits;
    const frontier = this.frontier;
    const nearest = this.nearest;
    const spill = this.spill;
    const passing = this.passing;
    frontier.clear();
    nearest.clear();
    spill.clear();
    passing.clear();
    let L = L0;
    let scored = 0;

    // Scores the n slots staged in scratch and files each one.
    const scoreStaged = (n: number): void => {
      kernel.dist(this.sQuery, this.sIds, n, this.sOut);
      this.distanceComputations += n;
      this.beamDistances += n;
      scored += n;
      for (let i = 0; i < n; i++) {
        const s = u32[si + i]!;
        const d = f32[so + i]!;
        if (nearest.size < L) {
          nearest.push(-d, s);
          frontier.push(d, s);
        } else if (d < -nearest.topKey) {
          spill.add(-nearest.topKey, nearest.topSlot);
          nearest.replaceTop(-d, s);
          frontier.push(d, s);
        } else {
          spill.add(d, s);
        }
        if (passing.size === k && d >= -passing.topKey) continue;
        const v1 = Atomics.load(ver, s);
        if ((v1 & 1) === 1 || flags[s] !== LIVE) continue;
        if (requireLabels.length > 0 && !this.hasAllLabels(s, requireLabels)) continue;
        if (!accept(s)) continue;
        if (passing.size === k) passing.replaceTop(-d, s, v1);
        else passing.push(-d, s, v1);
      }
    };
    const readmit = (d: number, s: number): void => {
      nearest.push(-d, s);
      if (expanded[s] !== gen) frontier.push(d, s);
    };

    let n = 0;
    for (let i = 0; i < req.starts.length; i++) {
      const s = req.starts[i]!;
      if (s >= capacityLimit || visited[s] === gen) continue;
      visited[s] = gen;
      u32[si + n++] = s;
    }
    if (n > 0) scoreStaged(n);

    let truncated = false;
    let exhausted = false;
    for (;;) {
      while (frontier.size > 0) {
        const node = frontier.topSlot;
        if (nearest.size >= L && frontier.topKey > -nearest.topKey) break;
        if (scored >= maxVisits) {
          truncated = true;
          break;
        }
        frontier.pop();
        if (expanded[node] === gen) continue;
        expanded[node] = gen;
        let dg = deg[node]!;
        if (dg > stride) dg = stride;
        const b = node * stride;
        n = 0;
        for (let i = 0; i < dg; i++) {
          const nb = adj[b + i]!;
          if (nb >= capacityLimit || visited[nb] === gen) continue;
          visited[nb] = gen;
          if (traverseLabel >= 0 && !this.hasLabel(nb, traverseLabel)) continue;
          u32[si + n++] = nb;
        }
        if (n > 0) scoreStaged(n);
      }
      if (truncated) break;
      // Converged at L: is the k-th passing point far enough inside the list?
      const radius = -nearest.topKey;
      let want: number;
      if (passing.size === k && -passing.topKey <= radius) {
        const rank = nearest.countAtLeast(passing.topKey);
        if (rank * slack <= L) break;
        want = Math.ceil(rank * slack);
      } else {
        // Fewer than k passing inside the list: extrapolate from the share that passes.
        const inside = passing.countAtLeast(-radius);
        want = inside > 0 ? Math.ceil(((L * k) / inside) * slack) : 2 * L;
      }
      if (spill.size === 0 && frontier.size === 0) {
        exhausted = true;
        break;
      }
      L = Math.min(2 * L, Math.max(L + Math.ceil(L / 4), want));
      spill.takeNearest(L - nearest.size, readmit);
    }

    if (exhausted && passing.size < k) {
      // Everything reachable was walked; scan what the walk could not reach (a disconnected part of
      // the label's subgraph, or nodes cut off by deletes) so a short answer is a true one.
      const universe = req.universe === null ? null : req.universe();
      const total = universe === null ? capacityLimit : universe.length;
      n = 0;
      for (let i = 0; i < total; i++) {
        const s = universe === null ? i : universe[i]!;
        if (s >= capacityLimit || visited[s] === gen || flags[s] !== LIVE) continue;
        visited[s] = gen;
        if (traverseLabel >= 0 && !this.hasLabel(s, traverseLabel)) continue;
        u32[si + n++] = s;
        if (n === this.v.layout.batchMax) {
          scoreStaged(n);
          n = 0;
        }
      }
      if (n > 0) scoreStaged(n);
    }

    const m = passing.size;
    const ids = new Uint32Array(m);
    const dist = new Float32Array(m);
    const vers = new Int32Array(m);
    for (let i = 0; i < m; i++) {
      ids[i] = passing.slotAt(i);
      dist[i] = -passing.keyAt(i);
      vers[i] = passing.auxAt(i);
    }
    const r = this.finish(ids, dist, vers, m, k, requireLabels);
    return { ...r, truncated, scored, listSize: L };
  }

  private finish(ids: Uint32Array, dist: Float32Array, vers: Int32Array, n: number, k: number, requireLabels: ArrayLike<number>): SearchResult {
    const idx: number[] = [];
    for (let i = 0; i < n; i++) idx.push(i);
    idx.sort((a, b) => dist[a]! - dist[b]! || ids[a]! - ids[b]!);
    const outIds: number[] = [];
    const outD: number[] = [];
    const outS: number[] = [];
    const { ext, ver, flags } = this.v;
    for (const i of idx) {
      if (outIds.length >= k) break;
      const s = ids[i]!;
      const id = ext[s]!;
      // Seqlock check: the slot was not rewritten while we scored it, so id, labels and distance
      // all belong to the same point; re-check labels after reading to close the window.
      if (flags[s] !== LIVE) continue;
      if (requireLabels.length > 0 && !this.hasAllLabels(s, requireLabels)) continue;
      if (Atomics.load(ver, s) !== vers[i]) continue;
      outIds.push(id);
      outD.push(dist[i]!);
      outS.push(s);
    }
    return { ids: Float64Array.from(outIds), distances: Float32Array.from(outD), slots: Uint32Array.from(outS) };
  }
}

export { DELETED };
