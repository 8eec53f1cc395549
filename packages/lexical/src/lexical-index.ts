/**
 * LexicalIndex: an in-memory BM25F index of candidate documents with streaming updates.
 *
 * Writes go to a mutable segment (visible to the next search); at `sealDocs` documents it becomes
 * an immutable segment, and segments of one size tier are merged `mergeFactor` at a time (on
 * setImmediate after the write, or on merge()). Deletes and replacements set tombstones; merges
 * drop tombstoned documents. Ids are external positive integers mapped to (segment, local doc).
 * Statistics (live count, document frequencies, field lengths) are kept exact for live documents.
 */
import { analyze, type Language } from './analyzer.js';
import { ByteWriter, grow } from './buffers.js';
import { FIELD_COUNT, FIELDS, LEN_MAX, TF_BITS, TF_MAX, resolveOptions, type Field, type LexicalDocument, type LexicalOptions, type ResolvedOptions } from './fields.js';
import { FieldTokens, GAP } from './forward.js';
import { buildPlan, type Plan, type SearchQuery, type TermStats } from './query.js';
import { Bm25f } from './scoring.js';
import { MutableSegment, Segment, encodeForward, mergeSegments } from './segment.js';
import { fromBuffer, readSnapshotFile, toBuffer, writeAtomic, type SnapshotMeta } from './snapshot.js';
import { TopK } from './topk.js';
import { newContext, wandSegment } from './wand.js';

export interface SearchOptions {
  k: number;
  /** Documents for which this returns false are skipped inside the top-k loop. */
  accept?: (id: number) => boolean;
  /** Adds `matched` (per field, the query words found there) to each hit. */
  explain?: boolean;
}

export interface SearchHit {
  id: number;
  score: number;
  matched?: { field: Field; terms: string[] }[];
}

export interface SearchResult {
  hits: SearchHit[];
  stats: { terms: number; scored: number; skippedBlocks?: number };
}

// Handles pack (segment uid, local doc) into one number below 2^53.
const LOCAL_BITS = 2 ** 26;

function checkId(id: number): void {
  if (!Number.isSafeInteger(id) || id <= 0) throw new RangeError(`lexical: ids are positive safe integers, got ${id}`);
}

export class LexicalIndex {
  readonly options: ResolvedOptions;
  private readonly dict = new Map<string, number>();
  private readonly termText: string[] = [];
  private df = new Int32Array(1024);
  private readonly totalLen = new Float64Array(FIELD_COUNT);
  private readonly idMap = new Map<number, number>();
  private segments: Segment[] = [];
  private readonly byUid = new Map<number, Segment | MutableSegment>();
  private mutable: MutableSegment;
  private mergeScheduled = false;
  private readonly fwd = new ByteWriter(4096);
  private readonly scratchFt = new FieldTokens();

  constructor(opts: LexicalOptions = {}) {
    this.options = resolveOptions(opts);
    this.mutable = new MutableSegment();
    this.byUid.set(this.mutable.uid, this.mutable);
  }

  get size(): number {
    return this.idMap.size;
  }

  has(id: number): boolean {
    return this.idMap.has(id);
  }

  ids(): Iterable<number> {
    return this.idMap.keys();
  }

  /** Adds or replaces a document. */
  upsert(id: number, doc: LexicalDocument): void {
    checkId(id);
    if (doc.language !== 'en' && doc.language !== 'pt') throw new TypeError(`lexical: language must be 'en' or 'pt', got ${JSON.stringify(doc.language)}`);
    if (this.idMap.has(id)) this.delete(id);
    const lang = doc.language;
    const fields: number[][] = [
      this.terms(doc.title ?? '', lang),
      this.terms(doc.headline ?? '', lang),
      this.terms(doc.summary ?? '', lang),
      this.joined(doc.skills ?? [], lang),
      this.joined((doc.experience ?? []).map((e) => e.title ?? ''), lang),
      this.joined((doc.experience ?? []).map((e) => e.description ?? ''), lang),
    ];
    const lens = new Uint16Array(FIELD_COUNT);
    const tfs = new Map<number, number>();
    for (let f = 0; f < FIELD_COUNT; f++) {
      let len = 0;
      const shift = f * TF_BITS;
      for (const t of fields[f]!) {
        if (t === GAP) continue;
        len++;
        const packed = tfs.get(t) ?? 0;
        // Per-field tf saturates at TF_MAX (31); BM25 has flattened long before.
        if (((packed >>> shift) & TF_MAX) < TF_MAX) tfs.set(t, packed + (1 << shift));
      }
      lens[f] = Math.min(len, LEN_MAX);
      this.totalLen[f]! += lens[f]!;
    }
    this.fwd.length = 0;
    encodeForward(fields, this.fwd);
    for (const t of tfs.keys()) this.df[t]!++;
    const local = this.mutable.add(id, lens, this.fwd.buf.subarray(0, this.fwd.length), tfs);
    this.idMap.set(id, this.mutable.uid * LOCAL_BITS + local);
    if (this.mutable.cols.n >= this.options.sealDocs) this.seal();
  }

  /** Removes a document; false when the id is not indexed. */
  delete(id: number): boolean {
    const h = this.idMap.get(id);
    if (h === undefined) return false;
    const seg = this.byUid.get(Math.floor(h / LOCAL_BITS))!;
    const d = h % LOCAL_BITS;
    const cols = seg.cols;
    cols.live[d] = 0;
    cols.liveCount--;
    for (let f = 0; f < FIELD_COUNT; f++) this.totalLen[f]! -= cols.lens[d * FIELD_COUNT + f]!;
    const ft = this.scratchFt;
    ft.decode(cols.fwd, cols.fwdOff[d]!);
    const seen = new Set<number>();
    for (let f = 0; f < FIELD_COUNT; f++) {
      const toks = ft.tokens[f]!;
      for (let i = 0, n = ft.counts[f]!; i < n; i++) {
        const t = toks[i]!;
        if (t !== GAP && !seen.has(t)) {
          seen.add(t);
          this.df[t]!--;
        }
      }
    }
    this.idMap.delete(id);
    if (cols.liveCount === 0 && seg instanceof Segment) {
      this.segments = this.segments.filter((s) => s !== seg);
      this.byUid.delete(seg.uid);
    }
    return true;
  }

  search(q: SearchQuery, opts: SearchOptions): SearchResult {
    if (!Number.isInteger(opts.k) || opts.k < 0) throw new RangeError(`lexical: k must be a non-negative integer, got ${opts.k}`);
    const { plan, s } = this.prepare(q);
    const heap = new TopK(opts.k);
    const ctx = newContext(plan, s, heap, opts.accept);
    if (!plan.empty && opts.k > 0) {
      // Largest segments first: they raise the threshold early for the rest.
      const segs = [...this.segments].sort((a, b) => b.cols.liveCount - a.cols.liveCount);
      for (const seg of segs) wandSegment(ctx, seg);
      wandSegment(ctx, this.mutable);
    }
    return this.finish(heap, plan, { terms: plan.terms.length, scored: ctx.stats.scored, skippedBlocks: ctx.stats.skippedBlocks }, opts.explain === true);
  }

  /** The query plan and BM25F parameters under the current statistics (shared with ExhaustiveScorer). */
  prepare(q: SearchQuery): { plan: Plan; s: Bm25f } {
    if (typeof q?.text !== 'string') throw new TypeError('lexical: query text must be a string');
    if (q.language !== undefined && q.language !== 'en' && q.language !== 'pt') throw new TypeError(`lexical: language must be 'en' or 'pt', got ${JSON.stringify(q.language)}`);
    const N = this.size;
    const stats: TermStats = { termId: (t) => this.dict.get(t), df: (id) => this.df[id]!, N };
    if (q.maxTerms !== undefined && !(Number.isInteger(q.maxTerms) && q.maxTerms >= 1)) throw new RangeError(`lexical: maxTerms must be a positive integer, got ${q.maxTerms}`);
    const plan = buildPlan(q, stats, q.maxTerms ?? this.options.maxJobTerms);
    const avg = Array.from(this.totalLen, (t) => (N > 0 ? t / N : 0));
    return { plan, s: new Bm25f(this.options.weights, this.options.b, this.options.k1, avg) };
  }

  /** Hits from the heap, with explanations when asked. */
  finish(heap: TopK, plan: Plan, stats: SearchResult['stats'], explain: boolean): SearchResult {
    const hits: SearchHit[] = heap.sorted();
    if (explain) for (const h of hits) h.matched = this.matched(h.id, plan);
    return { hits, stats };
  }

  private matched(id: number, plan: Plan): { field: Field; terms: string[] }[] {
    const h = this.idMap.get(id)!;
    const seg = this.byUid.get(Math.floor(h / LOCAL_BITS))!;
    const d = h % LOCAL_BITS;
    const ft = this.scratchFt;
    ft.decode(seg.cols.fwd, seg.cols.fwdOff[d]!);
    const out: { field: Field; terms: string[] }[] = [];
    for (let f = 0; f < FIELD_COUNT; f++) {
      const terms = new Set<string>();
      for (const w of plan.words) if (w.ids.size && ft.has(f, w.ids)) terms.add(w.surface);
      if (terms.size) out.push({ field: FIELDS[f]!, terms: [...terms] });
    }
    return out;
  }

  /** Immutable segments then the mutable one. */
  allSegments(): (Segment | MutableSegment)[] {
    return [...this.segments, this.mutable];
  }

  /** Seals the mutable segment (if it has documents) into an immutable one. */
  flush(): void {
    if (this.mutable.cols.n === 0) return;
    this.seal();
  }

  private seal(): void {
    const old = this.mutable;
    this.mutable = new MutableSegment();
    this.byUid.set(this.mutable.uid, this.mutable);
    this.byUid.delete(old.uid);
    if (old.cols.liveCount > 0) this.replace([old], []);
    this.scheduleMerge();
  }

  /** Replaces `inputs` (removed from the segment list) by their merge. */
  private replace(inputs: (Segment | MutableSegment)[], removeFromList: Segment[]): Segment {
    const moves: [number, number][] = [];
    const N = this.size;
    const avgLen = Array.from(this.totalLen, (t) => (N > 0 ? t / N : 0));
    const seg = mergeSegments(inputs, { b: this.options.b, avgLen }, (extId, local) => moves.push([extId, local]));
    for (const [extId, local] of moves) this.idMap.set(extId, seg.uid * LOCAL_BITS + local);
    const gone = new Set<Segment | MutableSegment>(removeFromList);
    this.segments = this.segments.filter((s) => !gone.has(s));
    for (const s of inputs) this.byUid.delete(s.uid);
    if (seg.cols.n > 0) {
      this.segments.push(seg);
      this.byUid.set(seg.uid, seg);
    }
    return seg;
  }

  private scheduleMerge(): void {
    if (!this.options.backgroundMerges || this.mergeScheduled || !this.pickMerge()) return;
    this.mergeScheduled = true;
    setImmediate(() => {
      this.mergeScheduled = false;
      // One merge per turn of the event loop, so searches interleave with a merge cascade.
      const pick = this.pickMerge();
      if (pick) this.replace(pick, pick);
      this.scheduleMerge();
    });
  }

  /** Tiered policy: mergeFactor segments of the same size tier (by live docs), smallest tier first. */
  private pickMerge(): Segment[] | undefined {
    const F = this.options.mergeFactor;
    const tiers = new Map<number, Segment[]>();
    for (const s of this.segments) {
      const tier = Math.floor(Math.log(Math.max(1, s.cols.liveCount) / this.options.sealDocs) / Math.log(F));
      const t = Math.max(0, tier);
      const list = tiers.get(t) ?? [];
      list.push(s);
      tiers.set(t, list);
    }
    for (const t of [...tiers.keys()].sort((a, b) => a - b)) {
      const list = tiers.get(t)!;
      if (list.length >= F) return list.slice(0, F);
    }
    // A segment that is mostly tombstones is rewritten alone.
    return this.segments.find((s) => s.cols.liveCount < s.cols.n / 2) ? [this.segments.find((s) => s.cols.liveCount < s.cols.n / 2)!] : undefined;
  }

  /** Runs every merge the policy wants now (synchronously). */
  merge(): void {
    for (let pick = this.pickMerge(); pick; pick = this.pickMerge()) this.replace(pick, pick);
  }

  /** Seals the mutable segment and merges everything into one segment. */
  optimize(): void {
    this.flush();
    if (this.segments.length > 1 || this.segments.some((s) => s.cols.liveCount < s.cols.n)) this.replace([...this.segments], [...this.segments]);
  }

  segmentCount(): { immutable: number; mutableDocs: number } {
    return { immutable: this.segments.length, mutableDocs: this.mutable.cols.n };
  }

  /** Bytes by structure (typed arrays exactly; JS maps and strings estimated). */
  bytes(): Record<string, number> {
    const out: Record<string, number> = { postings: 0, blocks: 0, terms: 0, docs: 0, forward: 0, mutableTermMap: 0 };
    for (const seg of this.segments) for (const [k, v] of Object.entries(seg.bytes())) out[k] = (out[k] ?? 0) + v;
    const m = this.mutable.bytes();
    out.postings! += m.postings!;
    out.docs! += m.docs!;
    out.forward! += m.forward!;
    out.mutableTermMap = m.termMap!;
    let chars = 0;
    for (const t of this.termText) chars += t.length;
    // V8: ~2 bytes/char strings plus Map entry overhead (measured order of magnitude, not exact).
    out.dictionary = chars * 2 + this.termText.length * 64 + this.df.byteLength;
    out.idMap = this.idMap.size * 40;
    return out;
  }

  // --- snapshots ---

  /** The whole index (mutable segment sealed first) as one checksummed buffer. */
  toBuffer(meta?: SnapshotMeta): Buffer {
    return toBuffer(this, meta ?? null);
  }

  /** An index from toBuffer()'s output; throws LexicalSnapshotError when corrupt. */
  static fromBuffer(buf: Uint8Array): LexicalIndex {
    return fromBuffer(buf, (o) => new LexicalIndex(o)).index;
  }

  /** An index and the meta it was written with (null when toBuffer was called without one). */
  static readBuffer(buf: Uint8Array): { index: LexicalIndex; meta: SnapshotMeta | null } {
    return fromBuffer(buf, (o) => new LexicalIndex(o));
  }

  /** Writes a snapshot file atomically (temp file + fsync + rename), tagged with meta. */
  async save(path: string, meta: SnapshotMeta): Promise<void> {
    if (typeof meta?.tag !== 'string' || !Number.isSafeInteger(meta.lastSeq) || meta.lastSeq < 0) throw new TypeError('lexical: save needs meta { tag: string, lastSeq: non-negative integer }');
    await writeAtomic(path, this.toBuffer(meta));
  }

  static load(path: string): Promise<{ index: LexicalIndex; meta: SnapshotMeta }> {
    return readSnapshotFile(path, (o) => new LexicalIndex(o));
  }

  // --- analysis helpers ---

  private termId(text: string): number {
    let id = this.dict.get(text);
    if (id === undefined) {
      id = this.termText.length;
      this.termText.push(text);
      this.dict.set(text, id);
      if (id >= this.df.length) this.df = grow(this.df, id + 1);
    }
    return id;
  }

  private terms(text: string, lang: Language): number[] {
    return analyze(text, lang).map((t) => this.termId(t));
  }

  private joined(values: string[], lang: Language): number[] {
    const out: number[] = [];
    for (const v of values) {
      const ts = this.terms(v, lang);
      if (!ts.length) continue;
      if (out.length) out.push(GAP);
      for (const t of ts) out.push(t);
    }
    return out;
  }

  // --- snapshot support (see snapshot.ts) ---

  /** @internal */
  exportState(): {
    terms: string[];
    df: Int32Array;
    totalLen: Float64Array;
    segments: Segment[];
  } {
    this.flush();
    return { terms: this.termText, df: this.df.subarray(0, this.termText.length), totalLen: this.totalLen, segments: this.segments };
  }

  /** @internal */
  importState(terms: string[], df: Int32Array, totalLen: Float64Array, segments: Segment[]): void {
    terms.forEach((t, i) => {
      this.termText.push(t);
      this.dict.set(t, i);
    });
    this.df = grow(new Int32Array(Math.max(1024, terms.length)), terms.length);
    this.df.set(df);
    this.totalLen.set(totalLen);
    for (const seg of segments) {
      this.segments.push(seg);
      this.byUid.set(seg.uid, seg);
      const c = seg.cols;
      for (let d = 0; d < c.n; d++) if (c.live[d]) this.idMap.set(c.extIds[d]!, seg.uid * LOCAL_BITS + d);
    }
  }
}
