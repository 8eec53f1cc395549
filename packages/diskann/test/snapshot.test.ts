import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DiskAnnIndex, SnapshotError } from '../src/index.js';
import { builtIndex, row } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'hh-diskann-snap-'));
const open: DiskAnnIndex[] = [];
afterAll(async () => {
  await Promise.all(open.map((i) => i.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function expectSnapshotError(p: Promise<unknown>, code: string): Promise<void> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(SnapshotError);
  expect((err as SnapshotError).code).toBe(code);
}

describe('snapshots', async () => {
  const labels = Array.from({ length: 1500 }, (_, i) => (i % 3 === 0 ? [i % 7] : [i % 7, 100]));
  const { idx, ds } = await builtIndex({ n: 1500, dims: 24, seed: 4, labels });
  open.push(idx);
  idx.delete(3);
  idx.delete(4);
  await idx.consolidate();
  idx.delete(5); // a tombstone that survives into the snapshot
  const file = join(dir, 'a.snap');
  const seq = 2n ** 60n + 7n;
  await idx.save(file, { modelId: 'hh-hash-768-v1', lastSeq: seq });

  it('round-trips: same answers, counts, labels and meta', async () => {
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    const back = await DiskAnnIndex.load(file, { dims: 24, metric: 'cosine', modelId: 'hh-hash-768-v1' });
    open.push(back);
    expect(back.meta).toEqual({ modelId: 'hh-hash-768-v1', lastSeq: seq });
    const a = idx.stats();
    const b = back.stats();
    expect([b.count, b.tombstones, b.freeSlots, b.highWater, b.labels]).toEqual([a.count, a.tombstones, a.freeSlots, a.highWater, a.labels]);
    for (let q = 0; q < 20; q++) {
      const query = row(ds.queries, q, 24);
      expect(back.search(query, 10)).toEqual(idx.search(query, 10));
      expect(back.search(query, 5, { labels: [q % 7, 100] })).toEqual(idx.search(query, 5, { labels: [q % 7, 100] }));
    }
    expect(back.has(5)).toBe(false);
    // The restored index accepts writes and reuses the freed slots.
    back.upsert(3, row(ds.base, 3, 24));
    expect(back.stats().highWater).toBe(a.highWater);
  });

  it('detects a flipped byte anywhere in the payload', async () => {
    const bad = join(dir, 'flip.snap');
    const buf = readFileSync(file);
    buf[Math.floor(buf.length * 0.6)]! ^= 0x10;
    writeFileSync(bad, buf);
    await expectSnapshotError(DiskAnnIndex.load(bad), 'CORRUPT');
  });

  it('detects a truncated file', async () => {
    const bad = join(dir, 'trunc.snap');
    writeFileSync(bad, readFileSync(file));
    truncateSync(bad, statSync(bad).size - 100);
    await expectSnapshotError(DiskAnnIndex.load(bad), 'TRUNCATED');
    truncateSync(bad, 20);
    await expectSnapshotError(DiskAnnIndex.load(bad), 'TRUNCATED');
  });

  it('detects a tampered header (dims edited, checksum not)', async () => {
    const bad = join(dir, 'hdr.snap');
    const buf = readFileSync(file);
    const s = buf.toString('latin1');
    const at = s.indexOf('"dims":24');
    expect(at).toBeGreaterThan(0);
    buf.write('"dims":42', at, 'latin1');
    writeFileSync(bad, buf);
    await expectSnapshotError(DiskAnnIndex.load(bad), 'CORRUPT');
  });

  it('reports mismatched dims, metric and model id', async () => {
    await expectSnapshotError(DiskAnnIndex.load(file, { dims: 768 }), 'MISMATCH');
    await expectSnapshotError(DiskAnnIndex.load(file, { metric: 'l2' }), 'MISMATCH');
    await expectSnapshotError(DiskAnnIndex.load(file, { modelId: 'other-model' }), 'MISMATCH');
  });

  it('reports missing files and foreign files', async () => {
    await expectSnapshotError(DiskAnnIndex.load(join(dir, 'nope.snap')), 'NOT_FOUND');
    const bad = join(dir, 'foreign.snap');
    writeFileSync(bad, Buffer.alloc(4096, 7));
    await expectSnapshotError(DiskAnnIndex.load(bad), 'CORRUPT');
  });

  it('refuses mutations while a save is streaming (a torn snapshot could serve wrong vectors)', async () => {
    const pending = idx.save(join(dir, 'busy.snap'), { modelId: 'hh-hash-768-v1', lastSeq: 1 });
    expect(() => idx.upsert(999_999, row(ds.base, 0, 24))).toThrow(/save\(\) in progress/);
    expect(() => idx.delete(10)).toThrow(/save\(\) in progress/);
    // Searches keep working meanwhile.
    expect(idx.search(row(ds.queries, 0, 24), 3).ids).toHaveLength(3);
    await pending;
    idx.upsert(999_999, row(ds.base, 0, 24));
    expect(idx.has(999_999)).toBe(true);
    idx.delete(999_999);
  });

  it('overwrites atomically: a reader of the old path sees the old or the new file, whole', async () => {
    const before = readFileSync(file);
    await idx.save(file, { modelId: 'hh-hash-768-v1', lastSeq: seq + 1n });
    const after = await DiskAnnIndex.load(file);
    open.push(after);
    expect(after.meta.lastSeq).toBe(seq + 1n);
    expect(before.length).toBeGreaterThan(0);
  });
});
