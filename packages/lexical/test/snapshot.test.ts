import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LexicalIndex, LexicalSnapshotError } from '../src/index.js';
import { docArb, jobArb, render, typedArb } from './corpus.js';

function build(n: number): LexicalIndex {
  const docs = fc.sample(docArb, { numRuns: n, seed: 7 });
  const idx = new LexicalIndex({ sealDocs: 16, backgroundMerges: false, k1: 1.4 });
  docs.forEach((d, i) => idx.upsert(i * 7 + 1, d));
  for (let i = 0; i < n; i += 5) idx.delete(i * 7 + 1);
  return idx;
}

const queries = [...fc.sample(jobArb, { numRuns: 10, seed: 3 }).map((text) => ({ text, mode: 'job' as const })), ...fc.sample(typedArb, { numRuns: 10, seed: 4 }).map((t) => ({ text: render(t), mode: 'query' as const }))];

describe('snapshots', () => {
  it('toBuffer/fromBuffer round-trips: same ids, options and results', () => {
    const idx = build(300);
    const copy = LexicalIndex.fromBuffer(idx.toBuffer());
    expect(copy.size).toBe(idx.size);
    expect(new Set(copy.ids())).toEqual(new Set(idx.ids()));
    expect(copy.options).toEqual(idx.options);
    for (const q of queries) expect(copy.search(q, { k: 20 })).toEqual(idx.search(q, { k: 20 }));
    // The restored index keeps working: writes, deletes, merges.
    copy.upsert(99_999, { language: 'en', title: 'zebra keeper' });
    copy.delete(8);
    copy.optimize();
    expect(copy.search({ text: 'zebra', mode: 'query' }, { k: 5 }).hits.map((h) => h.id)).toEqual([99_999]);
    expect(copy.has(8)).toBe(false);
  });

  it('save/load is atomic and carries the tag and change-log seq', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lexical-'));
    const path = join(dir, 'lexical.snap');
    const idx = build(100);
    await idx.save(path, { tag: 'tenant-1', lastSeq: 12345 });
    expect((await readdir(dir)).filter((f) => f.includes('.tmp-'))).toEqual([]);
    const { index, meta } = await LexicalIndex.load(path);
    expect(meta).toEqual({ tag: 'tenant-1', lastSeq: 12345 });
    for (const q of queries) expect(index.search(q, { k: 10 })).toEqual(idx.search(q, { k: 10 }));
  });

  it('rejects corrupt, truncated and foreign buffers', async () => {
    const buf = build(50).toBuffer();
    for (const at of [0, 20, buf.length >> 1, buf.length - 1]) {
      const bad = Buffer.from(buf);
      bad[at] = bad[at]! ^ 0x40;
      expect(() => LexicalIndex.fromBuffer(bad)).toThrow(LexicalSnapshotError);
    }
    expect(() => LexicalIndex.fromBuffer(buf.subarray(0, buf.length - 10))).toThrow(/checksum|short/);
    expect(() => LexicalIndex.fromBuffer(Buffer.from('not a snapshot at all, definitely not'))).toThrow(/magic/);
    const dir = await mkdtemp(join(tmpdir(), 'lexical-'));
    const path = join(dir, 'x.snap');
    await writeFile(path, buf);
    await expect(LexicalIndex.load(path)).rejects.toThrow(/no tag/);
    expect((await readFile(path)).length).toBe(buf.length);
  });

  it('an empty index round-trips', () => {
    const copy = LexicalIndex.fromBuffer(new LexicalIndex().toBuffer());
    expect(copy.size).toBe(0);
    expect(copy.search({ text: 'anything', mode: 'job' }, { k: 5 }).hits).toEqual([]);
  });
});
