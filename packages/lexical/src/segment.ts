/**
 * Segments. Postings of a term are two parallel u32 arrays, doc numbers (segment-local, ascending)
 * and packed per-field term frequencies, cut into blocks of 128 postings. Each block records its
 * last doc and, per field, the largest tf and the smallest field length among its postings with
 * that field: enough to bound a block's BM25F score under the index's current statistics, which
 * change with every write (a bound fixed at build time would go stale).
 *
 * The mutable segment appends into per-term growable arrays with the same block layout, so one
 * search loop serves both; sealing and merging copy postings into one flat set of typed arrays.
 */
import { ByteWriter, grow } from './buffers.js';
import { FIELD_COUNT, TF_BITS, TF_MAX } from './fields.js';

export const BLOCK_SHIFT = 7;
export const BLOCK = 1 << BLOCK_SHIFT;

/** A view of one term's postings in one segment. */
export interface PostingView {
  docs: Uint32Array;
  tfs: Uint32Array;
  start: number;
  end: number;
  blockLast: Uint32Array;
  blockMaxTf: Uint8Array;
  blockMinLen: Uint16Array;
  /** Index of the term's first block in the block arrays. */
  blockBase: number;
  nBlocks: number;
  termMaxTf: Uint8Array;
  termMinLen: Uint16Array;
  termMetaOff: number;
  /** Immutable segments: per block and field, max tf / (1 − b + b·len/avg₀) (see Segment.normB0). */
  blockNorm?: Float32Array;
  normB0?: Float64Array;
}

/** Per-document columns shared by both segment kinds. */
export class DocColumns {
  n = 0;
  liveCount = 0;
  extIds: Float64Array;
  lens: Uint16Array;
  live: Uint8Array;
  fwdOff: Uint32Array;
  fwd: Uint8Array;

  constructor(capacity: number, fwdBytes: number) {
    this.extIds = new Float64Array(capacity);
    this.lens = new Uint16Array(capacity * FIELD_COUNT);
    this.live = new Uint8Array(capacity);
    this.fwdOff = new Uint32Array(capacity + 1);
    this.fwd = new Uint8Array(fwdBytes);
  }

  /** Appends a live document; `fwd` is its encoded forward record. */
  push(extId: number, lens: ArrayLike<number>, fwd: Uint8Array, fwdFrom = 0, fwdTo = fwd.length): number {
    const d = this.n;
    if (d + 1 > this.extIds.length) {
      const cap = Math.max(16, this.extIds.length * 2);
      this.extIds = grow(this.extIds, cap);
      this.lens = grow(this.lens, cap * FIELD_COUNT);
      this.live = grow(this.live, cap);
      this.fwdOff = grow(this.fwdOff, cap + 1);
    }
    this.extIds[d] = extId;
    for (let f = 0; f < FIELD_COUNT; f++) this.lens[d * FIELD_COUNT + f] = lens[f]!;
    this.live[d] = 1;
    const at = this.fwdOff[d]!;
    const len = fwdTo - fwdFrom;
    if (at + len > this.fwd.length) this.fwd = grow(this.fwd, at + len);
    this.fwd.set(fwd.subarray(fwdFrom, fwdTo), at);
    this.fwdOff[d + 1] = at + len;
    this.n++;
    this.liveCount++;
    return d;
  }

  /** Drops spare capacity (after sealing or merging). */
  compact(): void {
    const n = this.n;
    this.extIds = this.extIds.slice(0, n);
    this.lens = this.lens.slice(0, n * FIELD_COUNT);
    this.live = this.live.slice(0, n);
    this.fwdOff = this.fwdOff.slice(0, n + 1);
    this.fwd = this.fwd.slice(0, this.fwdOff[n]);
  }

  bytes(): { docs: number; forward: number } {
    return {
      docs: this.extIds.byteLength + this.lens.byteLength + this.live.byteLength + this.fwdOff.byteLength,
      forward: this.fwd.byteLength,
    };
  }
}

/** Updates block or term metadata (max tf, min length per field) with one posting. */
function note(maxTf: Uint8Array, minLen: Uint16Array, off: number, tf: number, lens: Uint16Array, lo: number): void {
  for (let f = 0; f < FIELD_COUNT; f++) {
    const t = (tf >>> (f * TF_BITS)) & TF_MAX;
    if (t === 0) continue;
    if (t > maxTf[off + f]!) maxTf[off + f] = t;
    const l = lens[lo + f]!;
    if (l < minLen[off + f]!) minLen[off + f] = l;
  }
}

/** Growable postings of one term in the mutable segment. */
export class TermPostings {
  docs = new Uint32Array(2);
  tfs = new Uint32Array(2);
  n = 0;
  blockLast = new Uint32Array(1);
  blockMaxTf = new Uint8Array(FIELD_COUNT);
  blockMinLen = new Uint16Array(FIELD_COUNT).fill(0xffff);
  termMaxTf = new Uint8Array(FIELD_COUNT);
  termMinLen = new Uint16Array(FIELD_COUNT).fill(0xffff);

  push(doc: number, tf: number, lens: Uint16Array): void {
    const i = this.n;
    if (i >= this.docs.length) {
      this.docs = grow(this.docs, i + 1);
      this.tfs = grow(this.tfs, i + 1);
    }
    this.docs[i] = doc;
    this.tfs[i] = tf;
    const b = i >>> BLOCK_SHIFT;
    if ((i & (BLOCK - 1)) === 0 && b > 0) {
      this.blockLast = grow(this.blockLast, b + 1);
      this.blockMaxTf = grow(this.blockMaxTf, (b + 1) * FIELD_COUNT);
      const minLen = grow(this.blockMinLen, (b + 1) * FIELD_COUNT);
      if (minLen !== this.blockMinLen) minLen.fill(0xffff, this.blockMinLen.length);
      this.blockMinLen = minLen;
    }
    this.blockLast[b] = doc;
    note(this.blockMaxTf, this.blockMinLen, b * FIELD_COUNT, tf, lens, doc * FIELD_COUNT);
    note(this.termMaxTf, this.termMinLen, 0, tf, lens, doc * FIELD_COUNT);
    this.n++;
  }

  view(): PostingView {
    return {
      docs: this.docs,
      tfs: this.tfs,
      start: 0,
      end: this.n,
      blockLast: this.blockLast,
      blockMaxTf: this.blockMaxTf,
      blockMinLen: this.blockMinLen,
      blockBase: 0,
      nBlocks: ((this.n - 1) >>> BLOCK_SHIFT) + 1,
      termMaxTf: this.termMaxTf,
      termMinLen: this.termMinLen,
      termMetaOff: 0,
    };
  }

  bytes(): number {
    return this.docs.byteLength + this.tfs.byteLength + this.blockLast.byteLength + this.blockMaxTf.byteLength + this.blockMinLen.byteLength + 2 * FIELD_COUNT * 3;
  }
}

let nextUid = 1;

/** Where writes go: appends only; deletes set tombstones. */
export class MutableSegment {
  readonly uid = nextUid++;
  readonly cols = new DocColumns(64, 4096);
  readonly terms = new Map<number, TermPostings>();

  /** Adds a document; `termTfs` holds term id → packed tfs (each term once). */
  add(extId: number, lens: ArrayLike<number>, fwd: Uint8Array, termTfs: Map<number, number>): number {
    const d = this.cols.push(extId, lens, fwd);
    for (const [t, tf] of termTfs) {
      let p = this.terms.get(t);
      if (!p) {
        p = new TermPostings();
        this.terms.set(t, p);
      }
      p.push(d, tf, this.cols.lens);
    }
    return d;
  }

  postings(termId: number): PostingView | undefined {
    const p = this.terms.get(termId);
    return p && p.n > 0 ? p.view() : undefined;
  }

  sortedTermIds(): Uint32Array {
    return Uint32Array.from(this.terms.keys()).sort();
  }

  bytes(): Record<string, number> {
    let postings = 0;
    for (const p of this.terms.values()) postings += p.bytes();
    const c = this.cols.bytes();
    // Map entry + TermPostings object headers, estimated.
    return { postings, docs: c.docs, forward: c.forward, termMap: this.terms.size * 200 };
  }
}

/** An immutable segment: flat typed arrays, terms sorted by id. */
export class Segment {
  readonly uid = nextUid++;
  constructor(
    readonly cols: DocColumns,
    readonly termIds: Uint32Array,
    readonly termStart: Uint32Array,
    readonly docs: Uint32Array,
    readonly tfs: Uint32Array,
    readonly blockStart: Uint32Array,
    readonly blockLast: Uint32Array,
    readonly blockMaxTf: Uint8Array,
    readonly blockMinLen: Uint16Array,
    readonly termMaxTf: Uint8Array,
    readonly termMinLen: Uint16Array,
    readonly blockNorm: Float32Array,
    /** b / avg₀ per field, with avg₀ the index's average field length when the segment was built. */
    readonly normB0: Float64Array,
  ) {}

  slot(termId: number): number {
    const ids = this.termIds;
    let lo = 0;
    let hi = ids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = ids[mid]!;
      if (v < termId) lo = mid + 1;
      else if (v > termId) hi = mid - 1;
      else return mid;
    }
    return -1;
  }

  postings(termId: number): PostingView | undefined {
    const s = this.slot(termId);
    if (s < 0) return undefined;
    return {
      docs: this.docs,
      tfs: this.tfs,
      start: this.termStart[s]!,
      end: this.termStart[s + 1]!,
      blockLast: this.blockLast,
      blockMaxTf: this.blockMaxTf,
      blockMinLen: this.blockMinLen,
      blockBase: this.blockStart[s]!,
      nBlocks: this.blockStart[s + 1]! - this.blockStart[s]!,
      termMaxTf: this.termMaxTf,
      termMinLen: this.termMinLen,
      termMetaOff: s * FIELD_COUNT,
      blockNorm: this.blockNorm,
      normB0: this.normB0,
    };
  }

  bytes(): Record<string, number> {
    const c = this.cols.bytes();
    return {
      postings: this.docs.byteLength + this.tfs.byteLength,
      blocks: this.blockLast.byteLength + this.blockMaxTf.byteLength + this.blockMinLen.byteLength + this.blockStart.byteLength + this.blockNorm.byteLength,
      terms: this.termIds.byteLength + this.termStart.byteLength + this.termMaxTf.byteLength + this.termMinLen.byteLength,
      docs: c.docs,
      forward: c.forward,
    };
  }
}

/** Writes a segment term by term (terms in ascending id order, docs ascending within a term). */
export class SegmentBuilder {
  private termIds: Uint32Array;
  private termStart: Uint32Array;
  private blockStart: Uint32Array;
  private termMaxTf: Uint8Array;
  private termMinLen: Uint16Array;
  private docs: Uint32Array;
  private tfs: Uint32Array;
  private blockLast: Uint32Array;
  private blockMaxTf: Uint8Array;
  private blockMinLen: Uint16Array;
  private blockNorm: Float32Array;
  private readonly A = new Float64Array(FIELD_COUNT);
  private readonly normB0 = new Float64Array(FIELD_COUNT);
  private T = 0;
  private P = 0;
  private B = 0;
  private termP0 = 0;
  private termB0 = 0;

  constructor(
    readonly cols: DocColumns,
    maxPostings: number,
    maxTerms: number,
    norm: { b: Float64Array; avgLen: ArrayLike<number> },
  ) {
    for (let f = 0; f < FIELD_COUNT; f++) {
      this.A[f] = 1 - norm.b[f]!;
      const avg = norm.avgLen[f]!;
      this.normB0[f] = avg > 0 ? norm.b[f]! / avg : 0;
    }
    const maxBlocks = Math.ceil(maxPostings / BLOCK) + maxTerms;
    this.termIds = new Uint32Array(maxTerms);
    this.termStart = new Uint32Array(maxTerms + 1);
    this.blockStart = new Uint32Array(maxTerms + 1);
    this.termMaxTf = new Uint8Array(maxTerms * FIELD_COUNT);
    this.termMinLen = new Uint16Array(maxTerms * FIELD_COUNT);
    this.docs = new Uint32Array(maxPostings);
    this.tfs = new Uint32Array(maxPostings);
    this.blockLast = new Uint32Array(maxBlocks);
    this.blockMaxTf = new Uint8Array(maxBlocks * FIELD_COUNT);
    this.blockMinLen = new Uint16Array(maxBlocks * FIELD_COUNT);
    this.blockNorm = new Float32Array(maxBlocks * FIELD_COUNT);
  }

  beginTerm(): void {
    this.termP0 = this.P;
    this.termB0 = this.B;
  }

  push(doc: number, tf: number): void {
    const i = this.P++;
    this.docs[i] = doc;
    this.tfs[i] = tf;
    if (((i - this.termP0) & (BLOCK - 1)) === 0) {
      const b = this.B++;
      this.blockMaxTf.fill(0, b * FIELD_COUNT, (b + 1) * FIELD_COUNT);
      this.blockMinLen.fill(0xffff, b * FIELD_COUNT, (b + 1) * FIELD_COUNT);
      this.blockNorm.fill(0, b * FIELD_COUNT, (b + 1) * FIELD_COUNT);
    }
    const b = this.B - 1;
    this.blockLast[b] = doc;
    note(this.blockMaxTf, this.blockMinLen, b * FIELD_COUNT, tf, this.cols.lens, doc * FIELD_COUNT);
    const lens = this.cols.lens;
    for (let f = 0; f < FIELD_COUNT; f++) {
      const t = (tf >>> (f * TF_BITS)) & TF_MAX;
      if (t === 0) continue;
      // Rounded up into float32 (relative error ≤ 6e-8 < 1e-6), so the stored value never bounds low.
      const v = (t / (this.A[f]! + this.normB0[f]! * lens[doc * FIELD_COUNT + f]!)) * (1 + 1e-6);
      if (v > this.blockNorm[b * FIELD_COUNT + f]!) this.blockNorm[b * FIELD_COUNT + f] = v;
    }
  }

  /** Closes the term; a term left without postings (all its docs deleted) is dropped. */
  endTerm(termId: number): void {
    if (this.P === this.termP0) return;
    const t = this.T++;
    this.termIds[t] = termId;
    this.termStart[t] = this.termP0;
    this.blockStart[t] = this.termB0;
    const off = t * FIELD_COUNT;
    this.termMinLen.fill(0xffff, off, off + FIELD_COUNT);
    for (let b = this.termB0; b < this.B; b++) {
      for (let f = 0; f < FIELD_COUNT; f++) {
        const mt = this.blockMaxTf[b * FIELD_COUNT + f]!;
        if (mt > this.termMaxTf[off + f]!) this.termMaxTf[off + f] = mt;
        const ml = this.blockMinLen[b * FIELD_COUNT + f]!;
        if (ml < this.termMinLen[off + f]!) this.termMinLen[off + f] = ml;
      }
    }
  }

  finish(): Segment {
    const { T, P, B } = this;
    this.termStart[T] = P;
    this.blockStart[T] = B;
    this.cols.compact();
    return new Segment(
      this.cols,
      this.termIds.slice(0, T),
      this.termStart.slice(0, T + 1),
      this.docs.slice(0, P),
      this.tfs.slice(0, P),
      this.blockStart.slice(0, T + 1),
      this.blockLast.slice(0, B),
      this.blockMaxTf.slice(0, B * FIELD_COUNT),
      this.blockMinLen.slice(0, B * FIELD_COUNT),
      this.termMaxTf.slice(0, T * FIELD_COUNT),
      this.termMinLen.slice(0, T * FIELD_COUNT),
      this.blockNorm.slice(0, B * FIELD_COUNT),
      this.normB0,
    );
  }
}

type AnySegment = Segment | MutableSegment;

/**
 * Merges segments (live documents only, in input order) into one immutable segment. Doc numbers
 * are renumbered densely; `onMove(extId, newLocal)` reports each surviving document.
 */
export function mergeSegments(inputs: AnySegment[], norm: { b: Float64Array; avgLen: ArrayLike<number> }, onMove?: (extId: number, local: number) => void): Segment {
  let live = 0;
  let fwdBytes = 0;
  let maxPostings = 0;
  const termLists: Uint32Array[] = [];
  for (const s of inputs) {
    live += s.cols.liveCount;
    fwdBytes += s.cols.fwdOff[s.cols.n]!;
    if (s instanceof Segment) {
      maxPostings += s.docs.length;
      termLists.push(s.termIds);
    } else {
      for (const p of s.terms.values()) maxPostings += p.n;
      termLists.push(s.sortedTermIds());
    }
  }
  const cols = new DocColumns(live, fwdBytes);
  const remaps: Int32Array[] = [];
  for (const s of inputs) {
    const c = s.cols;
    const remap = new Int32Array(c.n).fill(-1);
    for (let d = 0; d < c.n; d++) {
      if (!c.live[d]) continue;
      const nd = cols.push(c.extIds[d]!, c.lens.subarray(d * FIELD_COUNT, (d + 1) * FIELD_COUNT), c.fwd, c.fwdOff[d]!, c.fwdOff[d + 1]!);
      remap[d] = nd;
      onMove?.(c.extIds[d]!, nd);
    }
    remaps.push(remap);
  }
  // Union of term ids, ascending.
  let total = 0;
  for (const l of termLists) total += l.length;
  const all = new Uint32Array(total);
  let at = 0;
  for (const l of termLists) {
    all.set(l, at);
    at += l.length;
  }
  all.sort();
  let uniq = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) all[uniq++] = all[i]!;

  const builder = new SegmentBuilder(cols, maxPostings, uniq, norm);
  const cursors = new Int32Array(inputs.length);
  for (let i = 0; i < uniq; i++) {
    const termId = all[i]!;
    builder.beginTerm();
    for (let k = 0; k < inputs.length; k++) {
      const list = termLists[k]!;
      const c = cursors[k]!;
      if (c >= list.length || list[c] !== termId) continue;
      cursors[k] = c + 1;
      const v = inputs[k]!.postings(termId)!;
      const remap = remaps[k]!;
      for (let p = v.start; p < v.end; p++) {
        const nd = remap[v.docs[p]!]!;
        if (nd >= 0) builder.push(nd, v.tfs[p]!);
      }
    }
    builder.endTerm(termId);
  }
  return builder.finish();
}

/** Writer for one document's forward record (see forward.ts). */
export function encodeForward(fields: readonly number[][], w: ByteWriter): void {
  for (const toks of fields) {
    w.varint(toks.length);
    for (const t of toks) w.varint(t + 1);
  }
}
