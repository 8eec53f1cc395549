/**
 * Snapshots of the in-memory structures: on start, each structure loads its snapshot and the change
 * log is resumed after the lowest seq they reflect; a corrupt, truncated or mismatched file (dims,
 * metric, model, format), or one whose seq precedes rows already pruned from the change log, is
 * reported, set aside, and that structure is loaded from Postgres instead — a snapshot never serves
 * wrong answers or silently skips changes.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type pg from 'pg';
import { join } from 'node:path';
import { DiskAnnIndex, SnapshotError } from '@hh/diskann';
import { createChangeLogRepository } from './change-log.js';
import { DiskAnnVectorIndex } from '../vector/diskann-index.js';
import { AttributeStore, attributesSnapshotPath } from './attributes/store.js';
import { LexicalSink, lexicalSnapshotPath } from './lexical-sink.js';
import { DocumentStore, documentsSnapshotPath } from './documents.js';
import { SnapshotFileError } from './snapshot-file.js';

export const snapshotPath = (dir: string) => join(dir, 'vector-index.hhdiskann');

/**
 * Why a snapshot at `lastSeq` cannot be resumed from this database's change log, or undefined when
 * it can: it must not be ahead of the log, and every row after it must still be there.
 */
export async function unreplayable(pool: pg.Pool, lastSeq: number): Promise<string | undefined> {
  const changeLog = createChangeLogRepository(pool);
  const head = await changeLog.head();
  if (lastSeq > head) return `snapshot is at change-log seq ${lastSeq}, beyond this database's ${head}`;
  const prunedThrough = await changeLog.prunedThrough();
  if (lastSeq < prunedThrough) return `snapshot is at change-log seq ${lastSeq}, but the change log was pruned through ${prunedThrough}`;
  return undefined;
}

/** Moves a rejected snapshot out of the way of the next save, keeping it for inspection. */
export function setAside(path: string): void {
  try {
    renameSync(path, `${path}.rejected-${Date.now()}`);
  } catch {
    /* already gone */
  }
}

export async function loadSnapshot(
  pool: pg.Pool,
  dir: string,
  expected: { dims: number; modelId: string },
  log: { info(o: object, m: string): void; warn(o: object, m: string): void },
): Promise<{ index: DiskAnnVectorIndex; lastSeq: number } | undefined> {
  const path = snapshotPath(dir);
  try {
    const engine = await DiskAnnIndex.load(path, { dims: expected.dims, metric: 'cosine', modelId: expected.modelId });
    const lastSeq = Number(engine.meta.lastSeq);
    const why = await unreplayable(pool, lastSeq);
    if (why) {
      await engine.close();
      throw new Error(why);
    }
    log.info({ path, vectors: engine.stats().count, lastSeq }, 'vector index snapshot loaded');
    const index = new DiskAnnVectorIndex(engine);
    await index.warm();
    return { index, lastSeq };
  } catch (err) {
    if (err instanceof SnapshotError && err.code === 'NOT_FOUND') return undefined;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    setAside(path);
    log.warn({ path, err: (err as Error).message }, 'vector index snapshot rejected; rebuilding from Postgres');
    return undefined;
  }
}

export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The replica id kept next to the snapshots (created on first use): the change log's pruner
 * tracks what each replica's snapshot still needs by this id, across restarts.
 */
export function replicaIdFile(dir: string): string {
  const path = join(dir, 'replica-id');
  try {
    const id = readFileSync(path, 'utf8').trim();
    if (UUID.test(id)) return id;
  } catch {
    /* first start */
  }
  const id = randomUUID();
  ensureDir(dir);
  writeFileSync(path, `${id}\n`);
  return id;
}

type Log = { info(o: object, m: string): void; warn(o: object, m: string): void };

/**
 * A structure restored from its own snapshot file, if there is a usable one (`load` accepts its tag
 * and format, and the change log can replay from its seq); a rejected file is set aside and reported,
 * and the structure is then loaded from Postgres.
 */
export async function loadStructureSnapshot<T extends { size: number }>(
  pool: pg.Pool,
  name: string,
  path: string,
  load: () => { store: T; lastSeq: number },
  log: Log,
): Promise<{ store: T; lastSeq: number } | undefined> {
  try {
    const loaded = load();
    const why = await unreplayable(pool, loaded.lastSeq);
    if (why) throw new Error(why);
    log.info({ path, [name]: loaded.store.size, lastSeq: loaded.lastSeq }, `${name} snapshot loaded`);
    return loaded;
  } catch (err) {
    if (err instanceof SnapshotFileError && err.code === 'NOT_FOUND') return undefined;
    setAside(path);
    log.warn({ path, err: (err as Error).message }, `${name} snapshot rejected; loading from Postgres`);
    return undefined;
  }
}

export function loadDocumentsSnapshot(pool: pg.Pool, dir: string, expected: { tag: string; excerptChars: number }, log: Log) {
  return loadStructureSnapshot(pool, 'documents', documentsSnapshotPath(dir), () => DocumentStore.load(dir, expected), log);
}

export function loadAttributesSnapshot(pool: pg.Pool, dir: string, expected: { tag: string }, log: Log) {
  return loadStructureSnapshot(pool, 'attributes', attributesSnapshotPath(dir), () => AttributeStore.load(dir, expected), log);
}

export function loadLexicalSnapshot(pool: pg.Pool, dir: string, expected: { tag: string }, log: Log) {
  return loadStructureSnapshot(pool, 'lexical', lexicalSnapshotPath(dir), () => LexicalSink.load(dir, expected), log);
}
