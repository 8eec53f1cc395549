// Snapshot files: written to a temp file, fsynced and renamed into place (atomic on POSIX), and
// verified on load with a SHA-256 over every byte before the trailer. Layout:
//   "HHDANN\0\1" | u32 LE header length | header JSON (UTF-8) | payload sections | 32-byte SHA-256
// Sections are raw little-endian typed arrays for the first `highWater` slots, read straight into
// the shared memory (no intermediate copies), so 100k × 768 loads in about a second.
import { createHash, randomBytes } from 'node:crypto';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SnapshotError } from './errors.js';
import type { Metric, Views } from './layout.js';

export const SNAPSHOT_MAGIC = Buffer.from('HHDANN\0\x01', 'latin1');
// 2: 16-bit degree words.
export const SNAPSHOT_FORMAT_VERSION = 2;
const CHUNK = 64 << 20;

export interface SnapshotHeader {
  formatVersion: number;
  metric: Metric;
  dims: number;
  R: number;
  bits: 1 | 2;
  maxLabels: number;
  codeBytes: number;
  count: number;
  tombstones: number;
  highWater: number;
  start: number;
  trained: boolean;
  modelId: string;
  /** Decimal string: change-log sequence numbers may exceed 2^53. */
  lastSeq: string;
  labelStarts: [number, number][];
  sections: { name: string; bytes: number }[];
  payloadBytes: number;
  createdAt: string;
}

export interface SnapshotExpectations {
  dims?: number;
  metric?: Metric;
  modelId?: string;
}

type Section = { name: string; view: ArrayBufferView; bytes: number };

export function sectionsFor(v: Views, highWater: number): Section[] {
  const L = v.layout;
  const sub = (name: string, view: ArrayBufferView, bytes: number): Section => ({
    name,
    view: new Uint8Array(view.buffer, view.byteOffset, bytes),
    bytes,
  });
  return [
    sub('mean', v.mean, L.dims * 4),
    sub('lo', v.lo, L.dims * 4),
    sub('hi', v.hi, L.dims * 4),
    sub('vectors', v.vectors, highWater * L.dims * 4),
    sub('codes', v.codes, highWater * L.codeBytes),
    sub('adj', v.adj, highWater * L.adjStride * 4),
    sub('deg', v.deg, highWater * 2),
    sub('flags', v.flags, highWater),
    sub('ext', v.ext, highWater * 8),
    sub('labelCount', v.labelCount, highWater),
    sub('labels', v.labels, highWater * L.maxLabels * 4),
  ];
}

export async function writeSnapshot(path: string, header: Omit<SnapshotHeader, 'sections' | 'payloadBytes'>, sections: Section[]): Promise<number> {
  const full: SnapshotHeader = {
    ...header,
    sections: sections.map((s) => ({ name: s.name, bytes: s.bytes })),
    payloadBytes: sections.reduce((a, s) => a + s.bytes, 0),
  };
  const headerBytes = Buffer.from(JSON.stringify(full), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(headerBytes.length);
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const fh = await open(tmp, 'w');
  const hash = createHash('sha256');
  let written = 0;
  try {
    const put = async (buf: Uint8Array): Promise<void> => {
      hash.update(buf);
      let off = 0;
      while (off < buf.length) {
        const { bytesWritten } = await fh.write(buf, off, buf.length - off);
        off += bytesWritten;
      }
      written += buf.length;
    };
    await put(SNAPSHOT_MAGIC);
    await put(len);
    await put(headerBytes);
    for (const s of sections) {
      const u8 = new Uint8Array(s.view.buffer, s.view.byteOffset, s.bytes);
      // Copy chunks out of the shared memory: hashing and fs writes want ordinary buffers.
      for (let at = 0; at < s.bytes; at += CHUNK) await put(Buffer.from(u8.subarray(at, Math.min(s.bytes, at + CHUNK))));
    }
    const digest = hash.digest();
    await fh.write(digest);
    written += digest.length;
    await fh.sync();
  } catch (err) {
    await fh.close();
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  await rename(tmp, path);
  // Persist the rename itself.
  const dh = await open(dirname(path), 'r');
  try {
    await dh.sync();
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  } finally {
    await dh.close();
  }
  return written;
}

/** Reads and validates the header; throws SnapshotError for anything that must not be served. */
export async function readSnapshotHeader(path: string, expected: SnapshotExpectations): Promise<{ header: SnapshotHeader; headerEnd: number; size: number; prefix: Buffer }> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    throw new SnapshotError('NOT_FOUND', `snapshot ${path} does not exist`, path);
  }
  const fh = await open(path, 'r');
  try {
    if (size < 12 + 32) throw new SnapshotError('TRUNCATED', `snapshot ${path} is ${size} bytes, too short to be valid`, path);
    const head = Buffer.alloc(12);
    await fh.read(head, 0, 12, 0);
    if (!head.subarray(0, 8).equals(SNAPSHOT_MAGIC)) {
      if (head.subarray(0, 6).equals(SNAPSHOT_MAGIC.subarray(0, 6))) {
        throw new SnapshotError('VERSION', `snapshot ${path} has an unsupported file version`, path);
      }
      throw new SnapshotError('CORRUPT', `${path} is not a diskann snapshot (bad magic)`, path);
    }
    const hlen = head.readUInt32LE(8);
    if (12 + hlen + 32 > size) throw new SnapshotError('TRUNCATED', `snapshot ${path} ends inside its header`, path);
    const hb = Buffer.alloc(hlen);
    await fh.read(hb, 0, hlen, 12);
    let header: SnapshotHeader;
    try {
      header = JSON.parse(hb.toString('utf8')) as SnapshotHeader;
    } catch {
      throw new SnapshotError('CORRUPT', `snapshot ${path} has an unreadable header`, path);
    }
    if (header.formatVersion !== SNAPSHOT_FORMAT_VERSION) {
      throw new SnapshotError('VERSION', `snapshot ${path} has format version ${header.formatVersion}, this build reads ${SNAPSHOT_FORMAT_VERSION}`, path);
    }
    if (expected.dims !== undefined && header.dims !== expected.dims) {
      throw new SnapshotError('MISMATCH', `snapshot ${path} has ${header.dims} dimensions, expected ${expected.dims}`, path);
    }
    if (expected.metric !== undefined && header.metric !== expected.metric) {
      throw new SnapshotError('MISMATCH', `snapshot ${path} uses metric ${header.metric}, expected ${expected.metric}`, path);
    }
    if (expected.modelId !== undefined && header.modelId !== expected.modelId) {
      throw new SnapshotError('MISMATCH', `snapshot ${path} was built with model ${JSON.stringify(header.modelId)}, expected ${JSON.stringify(expected.modelId)}`, path);
    }
    const total = 12 + hlen + header.payloadBytes + 32;
    if (size < total) throw new SnapshotError('TRUNCATED', `snapshot ${path} is ${size} bytes, header promises ${total}`, path);
    if (size > total) throw new SnapshotError('CORRUPT', `snapshot ${path} has ${size - total} unexpected trailing bytes`, path);
    return { header, headerEnd: 12 + hlen, size, prefix: Buffer.concat([head, hb]) };
  } finally {
    await fh.close();
  }
}

/** Streams the payload into `sections` (same order and sizes as the header), then checks SHA-256. */
export async function readSnapshotPayload(path: string, prefix: Buffer, headerEnd: number, header: SnapshotHeader, sections: Section[]): Promise<void> {
  if (sections.length !== header.sections.length || sections.some((s, i) => s.name !== header.sections[i]!.name || s.bytes !== header.sections[i]!.bytes)) {
    throw new SnapshotError('CORRUPT', `snapshot ${path} section table does not match its header`, path);
  }
  const hash = createHash('sha256');
  hash.update(prefix);
  const fh = await open(path, 'r');
  try {
    let pos = headerEnd;
    const bounce = Buffer.alloc(Math.min(CHUNK, Math.max(1, ...sections.map((s) => s.bytes))));
    for (const s of sections) {
      const dst = new Uint8Array(s.view.buffer, s.view.byteOffset, s.bytes);
      for (let at = 0; at < s.bytes; ) {
        const want = Math.min(bounce.length, s.bytes - at);
        const { bytesRead } = await fh.read(bounce, 0, want, pos);
        if (bytesRead <= 0) throw new SnapshotError('TRUNCATED', `snapshot ${path} ended early in section ${s.name}`, path);
        const chunk = bounce.subarray(0, bytesRead);
        hash.update(chunk);
        dst.set(chunk, at);
        at += bytesRead;
        pos += bytesRead;
      }
    }
    const trailer = Buffer.alloc(32);
    const { bytesRead } = await fh.read(trailer, 0, 32, pos);
    if (bytesRead !== 32) throw new SnapshotError('TRUNCATED', `snapshot ${path} is missing its checksum`, path);
    if (!hash.digest().equals(trailer)) throw new SnapshotError('CORRUPT', `snapshot ${path} failed its SHA-256 check`, path);
  } finally {
    await fh.close();
  }
}
