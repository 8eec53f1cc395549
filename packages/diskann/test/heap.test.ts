import { describe, expect, it } from 'vitest';
import { SlotHeap, SpillPool } from '../src/heap.js';
import { mulberry32 } from '../src/index.js';

describe('predicate walk working sets', () => {
  it('SlotHeap pops in (key, slot) order, with push, pop and replaceTop interleaved', () => {
    const rnd = mulberry32(3);
    const h = new SlotHeap(4); // grows
    const ref: [number, number][] = [];
    for (let t = 0; t < 5000; t++) {
      const u = rnd();
      if (u < 0.55 || ref.length === 0) {
        // Few distinct keys so ties (broken by slot) are exercised.
        const k = Math.floor(rnd() * 50) / 8;
        const s = Math.floor(rnd() * 1000);
        h.push(k, s, s + 1);
        ref.push([k, s]);
      } else {
        ref.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        expect([h.topKey, h.topSlot, h.topAux]).toEqual([ref[0]![0], ref[0]![1], ref[0]![1] + 1]);
        if (u < 0.8) {
          h.pop();
          ref.shift();
        } else {
          const k = Math.floor(rnd() * 50) / 8;
          h.replaceTop(k, 7, 8);
          ref[0] = [k, 7];
        }
      }
      expect(h.size).toBe(ref.length);
    }
    expect(h.countAtLeast(3)).toBe(ref.filter(([k]) => k >= 3).length);
  });

  it('SpillPool.takeNearest takes exactly the t nearest and keeps the rest', () => {
    const rnd = mulberry32(9);
    for (const n of [0, 1, 2, 7, 100, 3000]) {
      for (const t of [0, 1, 3, Math.floor(n / 2), n, n + 5]) {
        const p = new SpillPool(2);
        const all: number[] = [];
        for (let i = 0; i < n; i++) {
          const d = Math.floor(rnd() * 40); // duplicates on purpose
          p.add(d, i);
          all.push(d);
        }
        const taken: number[] = [];
        p.takeNearest(t, (d) => taken.push(d));
        const sorted = [...all].sort((a, b) => a - b);
        expect(taken.sort((a, b) => a - b)).toEqual(sorted.slice(0, Math.min(t, n)));
        expect(p.size).toBe(Math.max(0, n - t));
        const rest: number[] = [];
        p.takeNearest(n, (d) => rest.push(d));
        expect(rest.sort((a, b) => a - b)).toEqual(sorted.slice(Math.min(t, n)));
      }
    }
  });
});
