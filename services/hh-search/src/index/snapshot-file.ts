/**
 * One file format for the snapshots of hh-search's own structures (documents, …): a header line
 * (magic, JSON metadata: kind, format version, caller tag, change-log seq), the body, and a SHA-256
 * of both. Written to a temporary file, fsynced and renamed into place, so a reader sees the old
 * snapshot or the new one, never half of one; a truncated or altered file fails its checksum.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

const MAGIC = 'HHSNAP1 ';
const DIGEST_BYTES = 32;

export interface SnapshotMeta {
  kind: string;
  format: number;
  tag: string;
  lastSeq: number;
  [extra: string]: unknown;
}

export class SnapshotFileError extends Error {
  constructor(
    readonly code: 'NOT_FOUND' | 'CORRUPT' | 'MISMATCH',
    message: string,
  ) {
    super(message);
    this.name = 'SnapshotFileError';
  }
}

export function writeSnapshotFile(path: string, meta: SnapshotMeta, body: Buffer[]): void {
  const hash = createHash('sha256');
  const head = Buffer.from(`${MAGIC}${JSON.stringify(meta)}\n`, 'utf8');
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    for (const chunk of [head, ...body]) {
      hash.update(chunk);
      writeSync(fd, chunk);
    }
    writeSync(fd, hash.digest());
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** The metadata and body of a valid snapshot of `kind` (format checked by the caller). */
export function readSnapshotFile(path: string, kind: string): { meta: SnapshotMeta; body: Buffer } {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new SnapshotFileError('NOT_FOUND', `no snapshot at ${path}`);
    throw err;
  }
  if (raw.length < MAGIC.length + DIGEST_BYTES || raw.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) {
    throw new SnapshotFileError('CORRUPT', `${path} is not a snapshot file`);
  }
  const content = raw.subarray(0, raw.length - DIGEST_BYTES);
  if (!createHash('sha256').update(content).digest().equals(raw.subarray(raw.length - DIGEST_BYTES))) {
    throw new SnapshotFileError('CORRUPT', `${path} fails its checksum (truncated or altered)`);
  }
  const nl = content.indexOf(0x0a);
  let meta: SnapshotMeta;
  try {
    meta = JSON.parse(content.subarray(MAGIC.length, nl).toString('utf8')) as SnapshotMeta;
  } catch {
    throw new SnapshotFileError('CORRUPT', `${path} has an unreadable header`);
  }
  if (meta.kind !== kind) throw new SnapshotFileError('MISMATCH', `${path} holds a ${meta.kind} snapshot, not ${kind}`);
  return { meta, body: content.subarray(nl + 1) };
}
