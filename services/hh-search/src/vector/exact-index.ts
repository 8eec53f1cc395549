/**
 * Exact cosine scan over each tenant's vectors, held contiguously per tenant in Float32Arrays
 * (swap-remove on delete keeps them dense). The correctness baseline for the DiskANN engine and
 * a fine choice for small pools.
 */
import { normalize, type FilteredHits, type VectorFilter, type VectorHit, type VectorIndex, type VectorIndexStats, type VectorRow } from './types.js';

class TenantBlock {
  ids: number[] = [];
  data: Float32Array;
  constructor(private readonly dims: number) {
    this.data = new Float32Array(dims * 64);
  }
  add(id: number, v: Float32Array): number {
    const slot = this.ids.length;
    if ((slot + 1) * this.dims > this.data.length) {
      const grown = new Float32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data.set(v, slot * this.dims);
    this.ids.push(id);
    return slot;
  }
  set(slot: number, v: Float32Array): void {
    this.data.set(v, slot * this.dims);
  }
  /** Remove `slot`, moving the last vector into it; returns the id that moved (or undefined). */
  remove(slot: number): number | undefined {
    const last = this.ids.length - 1;
    const moved = this.ids[last]!;
    if (slot !== last) {
      this.data.copyWithin(slot * this.dims, last * this.dims, (last + 1) * this.dims);
      this.ids[slot] = moved;
    }
    this.ids.pop();
    return slot !== last ? moved : undefined;
  }
}

/** Bounded top-k by score (min-heap kept as a small sorted array: k ≤ a few hundred). */
function pushTopK(hits: VectorHit[], k: number, id: number, score: number): void {
  if (hits.length === k && score <= hits[hits.length - 1]!.score) return;
  let i = hits.length < k ? hits.length : k - 1;
  if (hits.length < k) hits.push({ id, score });
  while (i > 0 && hits[i - 1]!.score < score) {
    hits[i] = hits[i - 1]!;
    i--;
  }
  hits[i] = { id, score };
}

export class ExactVectorIndex implements VectorIndex {
  readonly kind = 'exact';
  private readonly tenants = new Map<number, TenantBlock>();
  private readonly where = new Map<number, { tenant: number; slot: number }>();
  private queries = 0;
  private distanceComputations = 0;

  constructor(readonly dims: number) {}

  async bulkLoad(rows: VectorRow[]): Promise<void> {
    for (const r of rows) this.upsert(r.id, r.tenantId, r.vector);
  }

  upsert(id: number, tenantId: number, vector: Float32Array): void {
    if (vector.length !== this.dims) throw new RangeError(`vector has ${vector.length} dims, index has ${this.dims}`);
    const v = normalize(Float32Array.from(vector));
    const at = this.where.get(id);
    if (at && at.tenant === tenantId) {
      this.tenants.get(tenantId)!.set(at.slot, v);
      return;
    }
    if (at) this.delete(id);
    let block = this.tenants.get(tenantId);
    if (!block) this.tenants.set(tenantId, (block = new TenantBlock(this.dims)));
    this.where.set(id, { tenant: tenantId, slot: block.add(id, v) });
  }

  delete(id: number): void {
    const at = this.where.get(id);
    if (!at) return;
    this.where.delete(id);
    const moved = this.tenants.get(at.tenant)!.remove(at.slot);
    if (moved !== undefined) this.where.set(moved, { tenant: at.tenant, slot: at.slot });
  }

  has(id: number): boolean {
    return this.where.has(id);
  }

  ids(): number[] {
    return [...this.where.keys()];
  }

  async search(tenantId: number, query: Float32Array, k: number): Promise<VectorHit[]> {
    return this.scan(tenantId, query, k, undefined);
  }

  async searchFiltered(tenantId: number, query: Float32Array, k: number, filter: VectorFilter): Promise<FilteredHits> {
    // An exact scan is exact either way: `among` is only a cheaper route to the same answer.
    return { hits: this.scan(tenantId, query, k, filter.accept), complete: true };
  }

  private scan(tenantId: number, query: Float32Array, k: number, accept: ((id: number) => boolean) | undefined): VectorHit[] {
    const block = this.tenants.get(tenantId);
    if (!block || k <= 0) return [];
    const q = normalize(Float32Array.from(query));
    this.queries++;
    this.distanceComputations += block.ids.length;
    const { data, ids } = block;
    const d = this.dims;
    const hits: VectorHit[] = [];
    for (let s = 0; s < ids.length; s++) {
      if (accept && !accept(ids[s]!)) continue;
      let dot = 0;
      const off = s * d;
      for (let j = 0; j < d; j++) dot += data[off + j]! * q[j]!;
      pushTopK(hits, k, ids[s]!, dot);
    }
    return hits;
  }

  size(): number {
    return this.where.size;
  }

  stats(): VectorIndexStats {
    return { count: this.where.size, tombstones: 0, distanceComputations: this.distanceComputations, queries: this.queries, bytes: [...this.tenants.values()].reduce((n, b) => n + b.data.byteLength, 0) };
  }

  async close(): Promise<void> {
    this.tenants.clear();
    this.where.clear();
  }
}
