/**
 * The documents a search page and the reranker read, in memory: per candidate its external id,
 * version, title, headline, location, remote, years, seniority, language, skills and the start of
 * its summary. One compact string per candidate (fields joined by a separator; Latin-1 text takes
 * one byte per character in V8), parsed only for the hundred or so candidates a search shows — so a
 * search hydrates without a database round trip.
 */
import { normSkill } from '../candidates/derive.js';
import type { CandidateDoc } from '../search/read-repository.js';
import type { CandidateRecord } from './records.js';
import type { IndexSink } from './sink.js';
import { readSnapshotFile, writeSnapshotFile } from './snapshot-file.js';
import { join } from 'node:path';

/** Record, field and list separators: control characters the write path's validation never lets in. */
const RS = '\u001d';
const FS = '\u001e';
const LS = '\u001f';
const SENIORITIES = ['intern', 'junior', 'mid', 'senior', 'lead', 'principal', 'executive'];
const FORMAT = 1;

export const documentsSnapshotPath = (dir: string) => join(dir, 'documents.hhsnap');

export class DocumentStore implements IndexSink {
  readonly name = 'documents';
  /** id → [tenant, packed document]. */
  private readonly docs = new Map<number, { tenant: number; packed: string }>();
  private stringBytes = 0;

  constructor(private readonly excerptChars: number) {}

  get size(): number {
    return this.docs.size;
  }

  private pack(r: CandidateRecord): string {
    return [
      r.externalId,
      String(r.version),
      r.title,
      r.headline,
      r.summary.slice(0, this.excerptChars),
      r.skills.join(LS),
      r.country ?? '',
      r.region ?? '',
      r.city ?? '',
      r.remote ? '1' : '0',
      r.yearsExperience === null ? '' : String(r.yearsExperience),
      r.seniority === null ? '' : String(SENIORITIES.indexOf(r.seniority)),
      r.language,
    ].join(FS);
  }

  upsert(r: CandidateRecord): void {
    this.delete(r.id);
    const packed = this.pack(r);
    this.docs.set(r.id, { tenant: r.tenantId, packed });
    this.stringBytes += packed.length;
  }

  delete(id: number): void {
    const prior = this.docs.get(id);
    if (!prior) return;
    this.stringBytes -= prior.packed.length;
    this.docs.delete(id);
  }

  loadPage(records: CandidateRecord[]): void {
    for (const r of records) this.upsert(r);
  }

  finishLoad(): void {}

  ids(): Iterable<number> {
    return this.docs.keys();
  }

  /** The tenant's documents among `ids` (another tenant's id is simply not found). */
  get(tenantId: number, ids: readonly number[]): Map<number, CandidateDoc> {
    const out = new Map<number, CandidateDoc>();
    for (const id of ids) {
      const d = this.docs.get(id);
      if (!d || d.tenant !== tenantId) continue;
      const f = d.packed.split(FS);
      const skills = f[5] ? f[5].split(LS) : [];
      out.set(id, {
        id,
        externalId: f[0]!,
        version: Number(f[1]),
        title: f[2]!,
        headline: f[3]!,
        excerpt: f[4]!,
        skills,
        skillsNorm: [...new Set(skills.map(normSkill))],
        country: f[6] || null,
        region: f[7] || null,
        city: f[8] || null,
        remote: f[9] === '1',
        yearsExperience: f[10] ? Number(f[10]) : null,
        seniority: f[11] ? (SENIORITIES[Number(f[11])] ?? null) : null,
        language: f[12] === 'pt' ? 'pt' : 'en',
      });
    }
    return out;
  }

  bytes(): Record<string, number> {
    // Strings at ~1 byte per character (one-byte strings) plus V8's per-entry overhead (map slot,
    // entry object, string header), measured at about 90 bytes.
    return { documents: this.stringBytes + this.docs.size * 90 };
  }

  async save(dir: string, meta: { tag: string; lastSeq: number }): Promise<void> {
    const lines: string[] = [];
    for (const [id, d] of this.docs) lines.push(`${id}${FS}${d.tenant}${FS}${d.packed}`);
    writeSnapshotFile(documentsSnapshotPath(dir), { kind: 'documents', format: FORMAT, tag: meta.tag, lastSeq: meta.lastSeq, count: this.docs.size, excerptChars: this.excerptChars }, [
      Buffer.from(lines.join(RS), 'utf8'),
    ]);
  }

  /** A store restored from a snapshot written with the same tag and excerpt length; throws SnapshotFileError otherwise. */
  static load(dir: string, expected: { tag: string; excerptChars: number }): { store: DocumentStore; lastSeq: number } {
    const { meta, body } = readSnapshotFile(documentsSnapshotPath(dir), 'documents');
    if (meta.format !== FORMAT || meta.tag !== expected.tag || meta.excerptChars !== expected.excerptChars) {
      throw new Error(`documents snapshot was written for ${JSON.stringify([meta.tag, meta.format, meta.excerptChars])}, expected ${JSON.stringify([expected.tag, FORMAT, expected.excerptChars])}`);
    }
    const store = new DocumentStore(expected.excerptChars);
    const text = body.toString('utf8');
    if (text.length > 0) {
      for (const line of text.split(RS)) {
        const a = line.indexOf(FS);
        const b = line.indexOf(FS, a + 1);
        const packed = line.slice(b + 1);
        store.docs.set(Number(line.slice(0, a)), { tenant: Number(line.slice(a + 1, b)), packed });
        store.stringBytes += packed.length;
      }
    }
    if (store.docs.size !== meta.count) throw new Error(`documents snapshot holds ${store.docs.size} documents, its header says ${String(meta.count)}`);
    return { store, lastSeq: meta.lastSeq };
  }
}
