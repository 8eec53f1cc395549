/**
 * The in-memory BM25F indexes (@hh/lexical) as a change-log sink: one index per tenant, so a
 * tenant's term statistics are its own and no query can reach another tenant's documents.
 * Snapshotted as one file with a section per tenant.
 */
import { join } from 'node:path';
import { LexicalIndex, type LexicalDocument } from '@hh/lexical';
import type { CandidateRecord } from './records.js';
import type { IndexSink } from './sink.js';
import { readSnapshotFile, writeSnapshotFile } from './snapshot-file.js';

const FORMAT = 1;
export const lexicalSnapshotPath = (dir: string) => join(dir, 'lexical.hhsnap');

export function lexicalDocument(r: CandidateRecord): LexicalDocument {
  return { language: r.language, title: r.title, headline: r.headline, summary: r.summary, skills: r.skills, experience: r.experience };
}

export class LexicalSink implements IndexSink {
  readonly name = 'lexical';
  private readonly byTenant = new Map<number, LexicalIndex>();
  /** Candidate → tenant (an update that moves a candidate between tenants is a delete + insert). */
  private readonly tenantOf = new Map<number, number>();

  get size(): number {
    return this.tenantOf.size;
  }

  /** The tenant's index (undefined: the tenant has no documents). */
  index(tenantId: number): LexicalIndex | undefined {
    return this.byTenant.get(tenantId);
  }

  upsert(r: CandidateRecord): void {
    const prior = this.tenantOf.get(r.id);
    if (prior !== undefined && prior !== r.tenantId) this.delete(r.id);
    let idx = this.byTenant.get(r.tenantId);
    if (!idx) this.byTenant.set(r.tenantId, (idx = new LexicalIndex()));
    idx.upsert(r.id, lexicalDocument(r));
    this.tenantOf.set(r.id, r.tenantId);
  }

  delete(id: number): void {
    const tenant = this.tenantOf.get(id);
    if (tenant === undefined) return;
    this.tenantOf.delete(id);
    const idx = this.byTenant.get(tenant)!;
    idx.delete(id);
    if (idx.size === 0) this.byTenant.delete(tenant);
  }

  loadPage(records: CandidateRecord[]): void {
    for (const r of records) this.upsert(r);
  }

  finishLoad(): void {}

  ids(): Iterable<number> {
    return this.tenantOf.keys();
  }

  bytes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const idx of this.byTenant.values()) {
      for (const [k, v] of Object.entries(idx.bytes())) out[`lexical_${k}`] = (out[`lexical_${k}`] ?? 0) + v;
    }
    // The candidate → tenant map: ~40 bytes per entry in V8's hash table.
    out.lexical_tenants = this.tenantOf.size * 40;
    return out;
  }

  async save(dir: string, meta: { tag: string; lastSeq: number }): Promise<void> {
    const tenants = [...this.byTenant.keys()];
    const sections = tenants.map((t) => this.byTenant.get(t)!.toBuffer());
    writeSnapshotFile(
      lexicalSnapshotPath(dir),
      { kind: 'lexical', format: FORMAT, tag: meta.tag, lastSeq: meta.lastSeq, tenants, lengths: sections.map((s) => s.length) },
      sections,
    );
  }

  static load(dir: string, expected: { tag: string }): { store: LexicalSink; lastSeq: number } {
    const { meta, body } = readSnapshotFile(lexicalSnapshotPath(dir), 'lexical');
    if (meta.format !== FORMAT || meta.tag !== expected.tag) {
      throw new Error(`lexical snapshot was written for ${JSON.stringify([meta.tag, meta.format])}, expected ${JSON.stringify([expected.tag, FORMAT])}`);
    }
    const tenants = meta.tenants as number[];
    const lengths = meta.lengths as number[];
    if (!Array.isArray(tenants) || !Array.isArray(lengths) || tenants.length !== lengths.length || lengths.reduce((a, b) => a + b, 0) !== body.length) {
      throw new Error('lexical snapshot sections do not match its header');
    }
    const sink = new LexicalSink();
    let at = 0;
    tenants.forEach((t, i) => {
      const idx = LexicalIndex.fromBuffer(body.subarray(at, at + lengths[i]!));
      at += lengths[i]!;
      sink.byTenant.set(t, idx);
      for (const id of idx.ids()) sink.tenantOf.set(id, t);
    });
    return { store: sink, lastSeq: meta.lastSeq };
  }
}
