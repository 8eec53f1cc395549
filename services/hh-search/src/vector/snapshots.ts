/**
 * Vector-index snapshots: on start, load the newest valid snapshot and resume the change log
 * after its seq; a corrupt, truncated or mismatched file (dims, metric, model) is reported and
 * the index is rebuilt from Postgres instead — a snapshot never serves wrong answers.
 */
import { mkdirSync, renameSync } from 'node:fs';
import type pg from 'pg';
import { join } from 'node:path';
import { DiskAnnIndex, SnapshotError } from '@hh/diskann';
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
    const { rows } = await pool.query<{ seq: number | null }>('SELECT max(seq) AS seq FROM change_log');
    if (lastSeq > (rows[0]?.seq ?? 0)) {
      await engine.close();
      throw new Error(`snapshot is at change-log seq ${lastSeq}, beyond this database's ${rows[0]?.seq ?? 0}`);
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
