/**
 * What the vector branch needs from an index. Implemented by the exact in-memory scan
 * (ExactVectorIndex) and by the DiskANN engine adapter. Vectors are L2-normalised, so the
 * score is the cosine similarity. `tenantId` is a hard filter: no other tenant's id may appear.
 */
export interface VectorHit {
  id: number;
  score: number;
}

export interface VectorRow {
  id: number;
  tenantId: number;
  vector: Float32Array;
}

export interface VectorIndexStats {
  count: number;
  tombstones: number;
  /** Cumulative distance computations (divide by `queries` for a per-query figure). */
  distanceComputations: number;
  queries: number;
  bytes: number;
}

/**
 * A filtered search: the nearest of the tenant's vectors among `among` (an exact scan of a small
 * matching set), or — without it — the nearest passing `accept`, found by walking the index in
 * distance order until `k` pass.
 */
export interface VectorFilter {
  accept: (id: number) => boolean;
  among?: readonly number[];
}

export interface FilteredHits {
  hits: VectorHit[];
  /** Fewer than k hits means fewer than k of the tenant's vectors pass (not a search limit). */
  complete: boolean;
}

export interface VectorIndex {
  readonly kind: string;
  readonly dims: number;
  /** Initial load of many vectors (a graph index builds them in one pass). */
  bulkLoad(rows: VectorRow[]): Promise<void>;
  upsert(id: number, tenantId: number, vector: Float32Array): void;
  delete(id: number): void;
  has(id: number): boolean;
  /** Ids of the live vectors (reconciling with Postgres after a gap in the change log). */
  ids(): number[];
  search(tenantId: number, query: Float32Array, k: number): Promise<VectorHit[]>;
  /** The k nearest of the tenant's vectors passing the filter (never a failing one). */
  searchFiltered(tenantId: number, query: Float32Array, k: number, filter: VectorFilter): Promise<FilteredHits>;
  size(): number;
  stats(): VectorIndexStats;
  /** Write a snapshot (indexes that support it), tagged with the change-log seq it reflects. */
  save?(path: string, meta: { modelId: string; lastSeq: number }): Promise<void>;
  close(): Promise<void>;
}

export function normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const n = Math.sqrt(s);
  if (n > 0 && Math.abs(n - 1) > 1e-6) for (let i = 0; i < v.length; i++) v[i] = v[i]! / n;
  return v;
}
