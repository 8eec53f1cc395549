// Memory layout of one index: every structure lives in a single shared WebAssembly.Memory so that
// (a) the WASM kernels read vectors and codes in place and (b) worker threads (build and query) see
// the same bytes. Capacity is fixed per memory; growing means building a new memory with a larger
// layout, copying, and republishing it to workers (readers on the old memory stay consistent).

export type Metric = 'cosine' | 'l2';

export interface LayoutParams {
  dims: number;
  metric: Metric;
  capacity: number;
  /** Neighbour slots per node: R after compaction, ceil(1.3·R) while bulk-building. */
  adjStride: number;
  R: number;
  bits: 1 | 2;
  maxLabels: number;
  scratchSlots: number;
}

export interface Layout extends LayoutParams {
  codeBytes: number;
  batchMax: number;
  scratchBytes: number;
  offScratch: number;
  offMean: number;
  offLo: number;
  offHi: number;
  offControl: number;
  offVectors: number;
  offCodes: number;
  offAdj: number;
  offDeg: number;
  offLocks: number;
  offVer: number;
  offFlags: number;
  offExt: number;
  offLabelCount: number;
  offLabels: number;
  totalBytes: number;
}

/** The WASM module's own stack/data lives below this offset. */
const RESERVED_LOW = 1 << 20;
export const PAGE = 65536;
export const MAX_BYTES = 65536 * PAGE;

const align = (n: number, a = 64): number => Math.ceil(n / a) * a;

export function codeBytesFor(dims: number, bits: 1 | 2): number {
  return align(Math.ceil((dims * bits) / 8), 16);
}

export function computeLayout(p: LayoutParams): Layout {
  const codeBytes = codeBytesFor(p.dims, p.bits);
  // A batch must hold a whole prune candidate list (≤ 750 + stride) or one rescore window.
  const batchMax = 4096;
  // Plus RobustPrune's selected list and its distances (adjStride + 1 each), read in place by the
  // kernel's occlusion scan.
  const scratchBytes = align(p.dims * 4 + codeBytes + batchMax * 8 + (p.adjStride + 1) * 8 + 64);
  let off = RESERVED_LOW;
  const take = (bytes: number): number => {
    const at = off;
    off = align(off + bytes);
    return at;
  };
  const offScratch = take(scratchBytes * p.scratchSlots);
  const offMean = take(p.dims * 4);
  const offLo = take(p.dims * 4);
  const offHi = take(p.dims * 4);
  const offControl = take(64 * 4);
  const offVectors = take(p.capacity * p.dims * 4);
  const offCodes = take(p.capacity * codeBytes);
  const offAdj = take(p.capacity * p.adjStride * 4);
  // Degrees fit 16 bits (R ≤ 65535); 2 B instead of 4 keeps graph + codes within 450 B at R 64 + 2-bit.
  const offDeg = take(p.capacity * 2);
  const offLocks = take(p.capacity * 4);
  const offVer = take(p.capacity * 4);
  const offFlags = take(p.capacity);
  const offExt = take(p.capacity * 8);
  const offLabelCount = take(p.capacity);
  const offLabels = take(p.capacity * p.maxLabels * 4);
  const totalBytes = align(off, PAGE);
  return {
    ...p, codeBytes, batchMax, scratchBytes, offScratch, offMean, offLo, offHi, offControl, offVectors,
    offCodes, offAdj, offDeg, offLocks, offVer, offFlags, offExt, offLabelCount, offLabels, totalBytes,
  };
}

/** Largest capacity whose layout fits in the 4 GiB wasm32 address space. */
export function maxCapacity(p: Omit<LayoutParams, 'capacity'>): number {
  const perSlot = p.dims * 4 + codeBytesFor(p.dims, p.bits) + p.adjStride * 4 + 2 + 4 * 2 + 1 + 8 + 1 + p.maxLabels * 4;
  return Math.floor((MAX_BYTES - (8 << 20)) / perSlot);
}

export function allocateMemory(layout: Layout): WebAssembly.Memory {
  if (layout.totalBytes > MAX_BYTES) {
    throw new RangeError(`index of capacity ${layout.capacity} needs ${layout.totalBytes} bytes, above the 4 GiB wasm32 limit`);
  }
  const pages = layout.totalBytes / PAGE;
  return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
}

/** Slot states. */
export const FREE = 0;
export const LIVE = 1;
export const DELETED = 2;

/** Control block indices (Int32 words). */
export const CTL_NEXT = 0; // build work counter
export const CTL_DONE = 1; // build progress counter

/** Typed views over one memory; cheap to construct in any thread. */
export class Views {
  readonly buffer: SharedArrayBuffer;
  readonly f32: Float32Array;
  readonly u32: Uint32Array;
  readonly i32: Int32Array;
  readonly u8: Uint8Array;
  readonly f64: Float64Array;
  readonly vectors: Float32Array;
  readonly codes: Uint8Array;
  readonly codes32: Uint32Array;
  readonly adj: Uint32Array;
  readonly deg: Uint16Array;
  readonly locks: Int32Array;
  readonly ver: Int32Array;
  readonly flags: Uint8Array;
  readonly ext: Float64Array;
  readonly labelCount: Uint8Array;
  readonly labels: Uint32Array;
  readonly mean: Float32Array;
  readonly lo: Float32Array;
  readonly hi: Float32Array;
  readonly control: Int32Array;

  constructor(readonly memory: WebAssembly.Memory, readonly layout: Layout) {
    const buf = memory.buffer as unknown as SharedArrayBuffer;
    this.buffer = buf;
    const L = layout;
    this.f32 = new Float32Array(buf);
    this.u32 = new Uint32Array(buf);
    this.i32 = new Int32Array(buf);
    this.u8 = new Uint8Array(buf);
    this.f64 = new Float64Array(buf, 0, Math.floor(buf.byteLength / 8));
    this.vectors = new Float32Array(buf, L.offVectors, L.capacity * L.dims);
    this.codes = new Uint8Array(buf, L.offCodes, L.capacity * L.codeBytes);
    this.codes32 = new Uint32Array(buf, L.offCodes, (L.capacity * L.codeBytes) / 4);
    this.adj = new Uint32Array(buf, L.offAdj, L.capacity * L.adjStride);
    this.deg = new Uint16Array(buf, L.offDeg, L.capacity);
    this.locks = new Int32Array(buf, L.offLocks, L.capacity);
    this.ver = new Int32Array(buf, L.offVer, L.capacity);
    this.flags = new Uint8Array(buf, L.offFlags, L.capacity);
    this.ext = new Float64Array(buf, L.offExt, L.capacity);
    this.labelCount = new Uint8Array(buf, L.offLabelCount, L.capacity);
    this.labels = new Uint32Array(buf, L.offLabels, L.capacity * L.maxLabels);
    this.mean = new Float32Array(buf, L.offMean, L.dims);
    this.lo = new Float32Array(buf, L.offLo, L.dims);
    this.hi = new Float32Array(buf, L.offHi, L.dims);
    this.control = new Int32Array(buf, L.offControl, 64);
  }
}
