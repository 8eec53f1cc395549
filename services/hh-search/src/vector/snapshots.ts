/**
 * Vector-index snapshots: on start, load the newest valid snapshot and resume the change log
 * after its seq; a corrupt, truncated or mismatched file (dims, metric, model), or one whose
 * seq precedes rows already pruned from the change log, is reported and the index is rebuilt
 * from Postgres instead — a snapshot never serves wrong answers or silently skips changes.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type pg from 'pg';
import { join } from 'node:path';
import { DiskAnnIndex, SnapshotError } from '@hh/diskann';
import { createChangeLogRepository } from './change-log.js';
import { DiskAnnVectorIndex } from './diskann-index.js';

export const snapshotPath = (dir: string) => join(dir, 'vector-index.hhdiskann');

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
    const changeLog = createChangeLogRepository(pool);
    const head = await changeLog.head();
    if (lastSeq > head) {
      await engine.close();
      throw new Error(`snapshot is at change-log seq ${lastSeq}, beyond this database's ${head}`);
    }
    // Replaying from lastSeq needs every row after it; rows up to pruned_through may be gone.
    const prunedThrough = await changeLog.prunedThrough();
    if (lastSeq < prunedThrough) {
      await engine.close();
      throw new Error(`snapshot is at change-log seq ${lastSeq}, but the change log was pruned through ${prunedThrough}`);
    }
    log.info({ path, vectors: engine.stats().count, lastSeq }, 'vector index snapshot loaded');
    const index = new DiskAnnVectorIndex(engine);
    await index.warm();
    return { index, lastSeq };
  } catch (err) {
    if (err instanceof SnapshotError && err.code === 'NOT_FOUND') return undefined;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // Keep the bad file for inspection, out of the way of the next save.
    try {
      renameSync(path, `${path}.rejected-${Date.now()}`);
    } catch {
      /* already gone */
    }
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
