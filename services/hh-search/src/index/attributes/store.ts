/**
 * The attribute store: per candidate slot, compact columns of what recruiter filters test —
 * tenant, country, city, remote, years, seniority, normalised skills and occupation ids — plus
 * each tenant's member list and the occupation postings. Fed by the change-log consumer like the
 * other in-memory structures; every branch applies the request's filter against it (see
 * search/attribute-filter.ts), so no branch asks Postgres which candidates pass.
 *
 * Strings (countries, cities, skills) are interned into per-store dictionaries; a filter value the
 * store has never seen cannot match anything, which the compiled filter knows without scanning.
 */
import { join } from 'node:path';
import type { CandidateRecord } from '../records.js';
import type { IndexSink } from '../sink.js';
import { readSnapshotFile, writeSnapshotFile } from '../snapshot-file.js';
import { ListArena } from './list-arena.js';
import { OccupationPostings } from './occupation-postings.js';

export const SENIORITIES = ['intern', 'junior', 'mid', 'senior', 'lead', 'principal', 'executive'] as const;
const FORMAT = 1;

export const attributesSnapshotPath = (dir: string) => join(dir, 'attributes.hhsnap');

/** Strings ↔ dense codes from 1 (0 means "none"). */
export class Dictionary {
  private readonly codes = new Map<string, number>();
  readonly values: string[] = [''];

  intern(s: string): number {
    let c = this.codes.get(s);
    if (c === undefined) {
      c = this.values.length;
      this.values.push(s);
      this.codes.set(s, c);
    }
    return c;
  }

  code(s: string): number | undefined {
    return this.codes.get(s);
  }

  get size(): number {
    return this.values.length - 1;
  }

  bytes(): number {
    let b = 0;
    for (const v of this.values) b += v.length + 64;
    return b;
  }
}

/** The columns a compiled filter reads (exposed read-only by design: filters run per candidate). */
export interface AttributeColumns {
  tenant: Int32Array;
  country: Uint16Array;
  city: Int32Array;
  remote: Uint8Array;
  /** NaN when unknown. */
  years: Float32Array;
  /** Index into SENIORITIES, −1 when unknown. */
  seniority: Int8Array;
  skills: ListArena;
  occupations: ListArena;
}

export class AttributeStore implements IndexSink {
  readonly name = 'attributes';
  readonly countries = new Dictionary();
  readonly cities = new Dictionary();
  readonly skills = new Dictionary();
  readonly postings = new OccupationPostings();
  private readonly slotOf = new Map<number, number>();
  private idOf = new Float64Array(0);
  private cols: AttributeColumns;
  private capacity = 0;
  private highWater = 0;
  private readonly free: number[] = [];
  /** Per tenant, its slots (swap-remove; `memberAt[slot]` is the slot's position in its list). */
  private readonly members = new Map<number, { slots: Int32Array; n: number }>();
  private memberAt = new Int32Array(0);

  constructor(capacity = 1024) {
    this.cols = {
      tenant: new Int32Array(0),
      country: new Uint16Array(0),
      city: new Int32Array(0),
      remote: new Uint8Array(0),
      years: new Float32Array(0),
      seniority: new Int8Array(0),
      skills: new ListArena(0),
      occupations: new ListArena(0),
    };
    this.grow(capacity);
  }

  get size(): number {
    return this.slotOf.size;
  }

  get columns(): Readonly<AttributeColumns> {
    return this.cols;
  }

  slot(id: number): number | undefined {
    return this.slotOf.get(id);
  }

  idAt(slot: number): number {
    return this.idOf[slot]!;
  }

  /** Candidates of the tenant. */
  tenantSize(tenant: number): number {
    return this.members.get(tenant)?.n ?? 0;
  }

  /** The tenant's slots (a view: valid until the next write). */
  tenantSlots(tenant: number): Int32Array {
    const m = this.members.get(tenant);
    return m ? m.slots.subarray(0, m.n) : new Int32Array(0);
  }

  upsert(r: CandidateRecord): void {
    let slot = this.slotOf.get(r.id);
    if (slot !== undefined) this.unlink(slot);
    else {
      slot = this.free.pop() ?? this.highWater++;
      if (slot >= this.capacity) this.grow(Math.max(this.capacity * 2, 1024));
      this.slotOf.set(r.id, slot);
      this.idOf[slot] = r.id;
    }
    const c = this.cols;
    c.tenant[slot] = r.tenantId;
    c.country[slot] = r.country ? this.countries.intern(r.country) : 0;
    c.city[slot] = r.cityNorm ? this.cities.intern(r.cityNorm) : 0;
    c.remote[slot] = r.remote ? 1 : 0;
    c.years[slot] = r.yearsExperience ?? Number.NaN;
    c.seniority[slot] = r.seniority ? SENIORITIES.indexOf(r.seniority as (typeof SENIORITIES)[number]) : -1;
    c.skills.set(slot, sortedCodes(r.skillsNorm.map((s) => this.skills.intern(s))));
    c.occupations.set(slot, sortedCodes(r.occupationIds));
    this.link(slot);
  }

  delete(id: number): void {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return;
    this.unlink(slot);
    this.cols.skills.clear(slot);
    this.cols.occupations.clear(slot);
    this.cols.tenant[slot] = 0;
    this.slotOf.delete(id);
    this.free.push(slot);
  }

  loadPage(records: CandidateRecord[]): void {
    for (const r of records) this.upsert(r);
  }

  finishLoad(): void {}

  ids(): Iterable<number> {
    return this.slotOf.keys();
  }

  bytes(): Record<string, number> {
    const c = this.cols;
    const columns =
      c.tenant.byteLength + c.country.byteLength + c.city.byteLength + c.remote.byteLength + c.years.byteLength + c.seniority.byteLength +
      c.skills.bytes() + c.occupations.bytes() + this.idOf.byteLength + this.memberAt.byteLength +
      // id → slot map: ~40 bytes per entry in V8's hash table.
      this.slotOf.size * 40 +
      [...this.members.values()].reduce((s, m) => s + m.slots.byteLength, 0) +
      this.countries.bytes() + this.cities.bytes() + this.skills.bytes();
    return { attributes: columns, occupations: this.postings.bytes() };
  }

  /** The slot's list of the tenant, and the occupation postings, follow the slot's current columns. */
  private link(slot: number): void {
    const tenant = this.cols.tenant[slot]!;
    let m = this.members.get(tenant);
    if (!m) this.members.set(tenant, (m = { slots: new Int32Array(64), n: 0 }));
    if (m.n === m.slots.length) {
      const s = new Int32Array(m.slots.length * 2);
      s.set(m.slots);
      m.slots = s;
    }
    this.memberAt[slot] = m.n;
    m.slots[m.n++] = slot;
    const years = this.postingYears(slot);
    for (const o of this.cols.occupations.get(slot)) this.postings.add(tenant, o, this.idOf[slot]!, years);
  }

  private unlink(slot: number): void {
    const tenant = this.cols.tenant[slot]!;
    const m = this.members.get(tenant);
    if (m) {
      const at = this.memberAt[slot]!;
      const last = m.slots[--m.n]!;
      m.slots[at] = last;
      this.memberAt[last] = at;
      if (m.n === 0) this.members.delete(tenant);
    }
    const years = this.postingYears(slot);
    for (const o of this.cols.occupations.get(slot)) this.postings.remove(tenant, o, this.idOf[slot]!, years);
  }

  private postingYears(slot: number): number {
    const y = this.cols.years[slot]!;
    return Number.isNaN(y) ? -1 : y;
  }

  private grow(capacity: number): void {
    const c = this.cols;
    const g = <T extends Int32Array | Uint16Array | Uint8Array | Float32Array | Int8Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(capacity);
      b.set(a as never);
      return b;
    };
    c.tenant = g(c.tenant, (n) => new Int32Array(n));
    c.country = g(c.country, (n) => new Uint16Array(n));
    c.city = g(c.city, (n) => new Int32Array(n));
    c.remote = g(c.remote, (n) => new Uint8Array(n));
    c.years = g(c.years, (n) => new Float32Array(n));
    c.seniority = g(c.seniority, (n) => new Int8Array(n));
    c.skills.grow(capacity);
    c.occupations.grow(capacity);
    this.idOf = g(this.idOf, (n) => new Float64Array(n));
    this.memberAt = g(this.memberAt, (n) => new Int32Array(n));
    this.capacity = capacity;
  }

  async save(dir: string, meta: { tag: string; lastSeq: number }): Promise<void> {
    // Candidates as rows of their attributes (dictionary strings included): the load re-interns and
    // rebuilds postings, member lists and arenas, so the file does not depend on slot layout.
    // One JSON row per line, in chunks: never one string the size of the whole store.
    const chunks: Buffer[] = [];
    let lines: string[] = [];
    const c = this.cols;
    for (const [id, slot] of this.slotOf) {
      lines.push(JSON.stringify([
        id,
        c.tenant[slot],
        c.country[slot] ? this.countries.values[c.country[slot]!] : null,
        c.city[slot] ? this.cities.values[c.city[slot]!] : null,
        c.remote[slot],
        Number.isNaN(c.years[slot]!) ? null : c.years[slot],
        c.seniority[slot],
        Array.from(c.skills.get(slot), (k) => this.skills.values[k]),
        Array.from(c.occupations.get(slot)),
      ]));
      if (lines.length === 10_000) {
        chunks.push(Buffer.from(lines.join('\n') + '\n', 'utf8'));
        lines = [];
      }
    }
    if (lines.length > 0) chunks.push(Buffer.from(lines.join('\n') + '\n', 'utf8'));
    writeSnapshotFile(attributesSnapshotPath(dir), { kind: 'attributes', format: FORMAT, tag: meta.tag, lastSeq: meta.lastSeq, count: this.slotOf.size }, chunks);
  }

  /** A store restored from a snapshot written with the same tag; throws SnapshotFileError (or Error) otherwise. */
  static load(dir: string, expected: { tag: string }): { store: AttributeStore; lastSeq: number } {
    const { meta, body } = readSnapshotFile(attributesSnapshotPath(dir), 'attributes');
    if (meta.format !== FORMAT || meta.tag !== expected.tag) {
      throw new Error(`attributes snapshot was written for ${JSON.stringify([meta.tag, meta.format])}, expected ${JSON.stringify([expected.tag, FORMAT])}`);
    }
    type Row = [number, number, string | null, string | null, number, number | null, number, string[], number[]];
    const text = body.toString('utf8');
    const count = Number(meta.count);
    const store = new AttributeStore(Math.max(1024, count));
    let n = 0;
    for (let at = 0; at < text.length; ) {
      const nl = text.indexOf('\n', at);
      const [id, tenantId, country, cityNorm, remote, years, sen, skillsNorm, occupationIds] = JSON.parse(text.slice(at, nl)) as Row;
      at = nl + 1;
      n++;
      store.upsert({
        id,
        tenantId,
        country,
        cityNorm,
        remote: remote === 1,
        yearsExperience: years,
        seniority: sen >= 0 ? SENIORITIES[sen]! : null,
        skillsNorm,
        occupationIds,
      } as CandidateRecord);
    }
    if (n !== count) throw new Error(`attributes snapshot holds ${n} candidates, its header says ${String(meta.count)}`);
    return { store, lastSeq: meta.lastSeq };
  }
}

function sortedCodes(codes: number[]): number[] {
  return [...new Set(codes)].sort((a, b) => a - b);
}
