/** The vector index as a change-log sink: candidates with a stored vector of the index's model. */
import type { VectorIndex, VectorRow } from '../vector/types.js';
import type { CandidateRecord } from './records.js';
import type { IndexSink } from './sink.js';
import { snapshotPath } from './snapshots.js';

export class VectorSink implements IndexSink {
  readonly name = 'vector';
  /** A full load builds the graph in one pass, so its vectors are gathered first. */
  private loading: VectorRow[] = [];

  constructor(readonly index: VectorIndex) {}

  loadPage(records: CandidateRecord[]): void {
    for (const r of records) if (r.vector && r.vector.length === this.index.dims) this.loading.push({ id: r.id, tenantId: r.tenantId, vector: r.vector });
  }

  async finishLoad(): Promise<void> {
    const rows = this.loading;
    this.loading = [];
    await this.index.bulkLoad(rows);
  }

  upsert(r: CandidateRecord): void {
    // No vector (not embedded yet, or by another model): not searchable by this branch.
    if (r.vector && r.vector.length === this.index.dims) this.index.upsert(r.id, r.tenantId, r.vector);
    else this.index.delete(r.id);
  }

  delete(id: number): void {
    this.index.delete(id);
  }

  ids(): Iterable<number> {
    return this.index.ids();
  }

  bytes(): Record<string, number> {
    return { vector: this.index.stats().bytes };
  }

  async save(dir: string, meta: { tag: string; lastSeq: number }): Promise<void> {
    await this.index.save?.(snapshotPath(dir), { modelId: meta.tag, lastSeq: meta.lastSeq });
  }

  async close(): Promise<void> {
    await this.index.close();
  }
}
