/**
 * Snapshots. One byte layout serves both toBuffer()/fromBuffer() (the service embeds it in its own
 * sectioned file) and save()/load() (a standalone file, written to a temp file, fsynced and renamed
 * into place, so a crash leaves the previous snapshot intact):
 *   "HHLEX\0\0\1" | u32 LE header length | header JSON | sections (raw little-endian arrays) | SHA-256
 * The SHA-256 covers every byte before it; a mismatch, truncation or unknown version is an error.
 * The mutable segment is sealed first, so a snapshot holds immutable segments only.
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FIELD_COUNT, FIELDS, type LexicalOptions } from './fields.js';
import type { LexicalIndex } from './lexical-index.js';
import { DocColumns, Segment } from './segment.js';

export const SNAPSHOT_MAGIC = Buffer.from('HHLEX\0\0\x01', 'latin1');
// 2: per-block normalised tf bounds (blockNorm, normB0).
export const SNAPSHOT_FORMAT_VERSION = 2;

export interface SnapshotMeta {
  /** Free-form tag (e.g. tenant or model version) checked by the caller. */
  tag: string;
  /** Change-log sequence number the snapshot reflects. */
  lastSeq: number;
}

export class LexicalSnapshotError extends Error {
  override name = 'LexicalSnapshotError';
}

interface Header {
  formatVersion: number;
  options: LexicalOptions;
  meta: SnapshotMeta | null;
  totalLen: number[];
  termCount: number;
  segments: { n: number; liveCount: number }[];
  sections: { name: string; bytes: number }[];
  createdAt: string;
}

type Arr = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float32Array | Float64Array;
const SEGMENT_ARRAYS = ['extIds', 'lens', 'live', 'fwdOff', 'fwd', 'termIds', 'termStart', 'docs', 'tfs', 'blockStart', 'blockLast', 'blockMaxTf', 'blockMinLen', 'termMaxTf', 'termMinLen', 'blockNorm', 'normB0'] as const;
const CTORS: Record<(typeof SEGMENT_ARRAYS)[number], new (b: ArrayBuffer) => Arr> = {
  extIds: Float64Array,
  lens: Uint16Array,
  live: Uint8Array,
  fwdOff: Uint32Array,
  fwd: Uint8Array,
  termIds: Uint32Array,
  termStart: Uint32Array,
  docs: Uint32Array,
  tfs: Uint32Array,
  blockStart: Uint32Array,
  blockLast: Uint32Array,
  blockMaxTf: Uint8Array,
  blockMinLen: Uint16Array,
  termMaxTf: Uint8Array,
  termMinLen: Uint16Array,
  blockNorm: Float32Array,
  normB0: Float64Array,
};

function segmentArrays(s: Segment): Record<(typeof SEGMENT_ARRAYS)[number], Arr> {
  const c = s.cols;
  return {
    extIds: c.extIds,
    lens: c.lens,
    live: c.live,
    fwdOff: c.fwdOff,
    fwd: c.fwd,
    termIds: s.termIds,
    termStart: s.termStart,
    docs: s.docs,
    tfs: s.tfs,
    blockStart: s.blockStart,
    blockLast: s.blockLast,
    blockMaxTf: s.blockMaxTf,
    blockMinLen: s.blockMinLen,
    termMaxTf: s.termMaxTf,
    termMinLen: s.termMinLen,
    blockNorm: s.blockNorm,
    normB0: s.normB0,
  };
}

const bytesOf = (a: Arr): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

export function toBuffer(index: LexicalIndex, meta: SnapshotMeta | null = null): Buffer {
  const st = index.exportState();
  const o = index.options;
  const parts: { name: string; buf: Buffer }[] = [
    { name: 'terms', buf: Buffer.from(st.terms.join('\n'), 'utf8') },
    { name: 'df', buf: bytesOf(st.df) },
  ];
  st.segments.forEach((s, i) => {
    const arrs = segmentArrays(s);
    for (const name of SEGMENT_ARRAYS) parts.push({ name: `${i}.${name}`, buf: bytesOf(arrs[name]) });
  });
  const header: Header = {
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    options: {
      fieldWeights: Object.fromEntries(FIELDS.map((f, i) => [f, o.weights[i]!])),
      b: Object.fromEntries(FIELDS.map((f, i) => [f, o.b[i]!])),
      k1: o.k1,
      sealDocs: o.sealDocs,
      mergeFactor: o.mergeFactor,
      maxJobTerms: o.maxJobTerms,
      backgroundMerges: o.backgroundMerges,
    },
    meta,
    totalLen: Array.from(st.totalLen),
    termCount: st.terms.length,
    segments: st.segments.map((s) => ({ n: s.cols.n, liveCount: s.cols.liveCount })),
    sections: parts.map((p) => ({ name: p.name, bytes: p.buf.length })),
    createdAt: new Date().toISOString(),
  };
  const hb = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(hb.length);
  const body = Buffer.concat([SNAPSHOT_MAGIC, len, hb, ...parts.map((p) => p.buf)]);
  const digest = createHash('sha256').update(body).digest();
  return Buffer.concat([body, digest]);
}

export function fromBuffer(buf: Uint8Array, make: (o: LexicalOptions) => LexicalIndex): { index: LexicalIndex; meta: SnapshotMeta | null } {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < SNAPSHOT_MAGIC.length + 4 + 32 || !b.subarray(0, SNAPSHOT_MAGIC.length).equals(SNAPSHOT_MAGIC)) throw new LexicalSnapshotError('lexical snapshot: not a lexical index snapshot (bad magic or too short)');
  const body = b.subarray(0, b.length - 32);
  const digest = createHash('sha256').update(body).digest();
  if (!digest.equals(b.subarray(b.length - 32))) throw new LexicalSnapshotError('lexical snapshot: checksum mismatch (corrupt or truncated)');
  const hlen = b.readUInt32LE(SNAPSHOT_MAGIC.length);
  let at = SNAPSHOT_MAGIC.length + 4;
  let header: Header;
  try {
    header = JSON.parse(b.subarray(at, at + hlen).toString('utf8')) as Header;
  } catch (err) {
    throw new LexicalSnapshotError(`lexical snapshot: unreadable header: ${(err as Error).message}`);
  }
  if (header.formatVersion !== SNAPSHOT_FORMAT_VERSION) throw new LexicalSnapshotError(`lexical snapshot: format version ${header.formatVersion}, this build reads ${SNAPSHOT_FORMAT_VERSION}`);
  at += hlen;
  const sections = new Map<string, Buffer>();
  for (const s of header.sections) {
    if (at + s.bytes > body.length) throw new LexicalSnapshotError(`lexical snapshot: section ${s.name} runs past the end`);
    sections.set(s.name, b.subarray(at, at + s.bytes));
    at += s.bytes;
  }
  if (at !== body.length) throw new LexicalSnapshotError('lexical snapshot: trailing bytes after the sections');
  // Copy each section into its own ArrayBuffer: typed arrays need aligned offsets.
  const arr = <T extends Arr>(name: string, C: new (b: ArrayBuffer) => T): T => {
    const s = sections.get(name);
    if (!s) throw new LexicalSnapshotError(`lexical snapshot: missing section ${name}`);
    const copy = new ArrayBuffer(s.length);
    new Uint8Array(copy).set(s);
    return new C(copy);
  };
  const termsText = sections.get('terms')!.toString('utf8');
  const terms = header.termCount === 0 ? [] : termsText.split('\n');
  if (terms.length !== header.termCount) throw new LexicalSnapshotError('lexical snapshot: term count does not match the dictionary');
  const segments = header.segments.map((h, i) => {
    const a = Object.fromEntries(SEGMENT_ARRAYS.map((name) => [name, arr(`${i}.${name}`, CTORS[name])])) as Record<(typeof SEGMENT_ARRAYS)[number], Arr>;
    const cols = new DocColumns(0, 0);
    cols.n = h.n;
    cols.liveCount = h.liveCount;
    cols.extIds = a.extIds as Float64Array;
    cols.lens = a.lens as Uint16Array;
    cols.live = a.live as Uint8Array;
    cols.fwdOff = a.fwdOff as Uint32Array;
    cols.fwd = a.fwd as Uint8Array;
    if (cols.extIds.length !== h.n || cols.lens.length !== h.n * FIELD_COUNT) throw new LexicalSnapshotError(`lexical snapshot: segment ${i} has inconsistent sizes`);
    return new Segment(
      cols,
      a.termIds as Uint32Array,
      a.termStart as Uint32Array,
      a.docs as Uint32Array,
      a.tfs as Uint32Array,
      a.blockStart as Uint32Array,
      a.blockLast as Uint32Array,
      a.blockMaxTf as Uint8Array,
      a.blockMinLen as Uint16Array,
      a.termMaxTf as Uint8Array,
      a.termMinLen as Uint16Array,
      a.blockNorm as Float32Array,
      a.normB0 as Float64Array,
    );
  });
  const index = make(header.options);
  index.importState(terms, arr('df', Int32Array), Float64Array.from(header.totalLen), segments);
  return { index, meta: header.meta };
}

/** Writes atomically: temp file in the same directory, fsync, rename, fsync of the directory. */
export async function writeAtomic(path: string, data: Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  await rename(tmp, path);
  const dh = await open(dirname(path), 'r');
  try {
    await dh.sync();
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  } finally {
    await dh.close();
  }
}

export async function readSnapshotFile(path: string, make: (o: LexicalOptions) => LexicalIndex): Promise<{ index: LexicalIndex; meta: SnapshotMeta }> {
  const { index, meta } = fromBuffer(await readFile(path), make);
  if (!meta) throw new LexicalSnapshotError(`lexical snapshot: ${path} has no tag/lastSeq (written by toBuffer without meta?)`);
  return { index, meta };
}
