import { describe, expect, it } from 'vitest';
import { DeadlineExceededError, MicroBatcher, type BatchCall } from '../src/index.js';

/** A run function that records every call and answers with a pure function of each item. */
function recorder(answer: (x: number) => string = (x) => `v${x}`) {
  const calls: number[][] = [];
  const run = async (items: number[]) => {
    calls.push(items);
    return items.map(answer);
  };
  return { calls, run };
}

/** A run function whose calls stay pending until released, exposing their abort signals. */
function gate() {
  const pending: { items: number[]; call: BatchCall; release: () => void }[] = [];
  const run = (items: number[], call: BatchCall) =>
    new Promise<string[]>((resolve) => {
      pending.push({ items, call, release: () => resolve(items.map((x) => `v${x}`)) });
    });
  return { pending, run };
}

describe('MicroBatcher', () => {
  it('merges concurrent submissions into one call and returns each caller its own results', async () => {
    const r = recorder();
    const b = new MicroBatcher<number, string>({ maxItems: 100, waitMs: 20, run: r.run });
    const results = await Promise.all([b.submit([1, 2], 1000), b.submit([3], 1000), b.submit([4, 5, 6], 1000)]);
    expect(results).toEqual([['v1', 'v2'], ['v3'], ['v4', 'v5', 'v6']]);
    expect(r.calls).toEqual([[1, 2, 3, 4, 5, 6]]);
  });

  it('flushes at maxItems and splits large submissions across calls', async () => {
    const r = recorder();
    const sizes: number[] = [];
    const b = new MicroBatcher<number, string>({ maxItems: 8, waitMs: 50, run: r.run, onFlush: (n) => sizes.push(n) });
    const subs = Array.from({ length: 10 }, (_, k) => [3 * k, 3 * k + 1, 3 * k + 2]);
    const results = await Promise.all(subs.map((s) => b.submit(s, 1000)));
    results.forEach((res, k) => expect(res).toEqual(subs[k]!.map((x) => `v${x}`)));
    expect(r.calls.length).toBe(Math.ceil(30 / 8));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(8);
    expect(sizes.reduce((a, n) => a + n, 0)).toBe(30);
  });

  it('with waitMs 0 still merges submissions made in the same event-loop turn', async () => {
    const r = recorder();
    const b = new MicroBatcher<number, string>({ maxItems: 100, waitMs: 0, run: r.run });
    await Promise.all([b.submit([1], 1000), b.submit([2], 1000), b.submit([3], 1000)]);
    expect(r.calls).toEqual([[1, 2, 3]]);
  });

  it('fails only the submissions of a failed call', async () => {
    let n = 0;
    const b = new MicroBatcher<number, string>({
      maxItems: 2,
      waitMs: 10,
      run: async (items) => {
        if (n++ === 0) throw new Error('provider down');
        return items.map((x) => `v${x}`);
      },
    });
    const first = b.submit([1, 2], 1000);
    const second = b.submit([3], 1000);
    await expect(first).rejects.toThrow('provider down');
    await expect(second).resolves.toEqual(['v3']);
  });

  it('rejects a call result of the wrong length instead of misassigning vectors', async () => {
    const b = new MicroBatcher<number, string>({ maxItems: 10, waitMs: 1, run: async () => ['only one'] });
    await expect(b.submit([1, 2], 1000)).rejects.toThrow('1 results for 2 inputs');
  });

  it('times out one request without hurting the others in the same call', async () => {
    const g = gate();
    const b = new MicroBatcher<number, string>({ maxItems: 10, waitMs: 1, run: g.run });
    const short = b.submit([1], 30);
    const long = b.submit([2], 60_000);
    await expect(short).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(g.pending).toHaveLength(1);
    // Someone still waits on the call: it must not be aborted.
    expect(g.pending[0]!.call.signal.aborted).toBe(false);
    g.pending[0]!.release();
    await expect(long).resolves.toEqual(['v2']);
  });

  it('aborts a call once every request waiting on it has given up', async () => {
    const g = gate();
    const b = new MicroBatcher<number, string>({ maxItems: 10, waitMs: 1, run: g.run });
    const a = b.submit([1], 20);
    const c = b.submit([2], 25);
    await expect(a).rejects.toBeInstanceOf(DeadlineExceededError);
    await expect(c).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(g.pending[0]!.call.signal.aborted).toBe(true);
    // The call's own timeout is the longest remaining deadline in it (plus 5 ms grace), never more.
    expect(g.pending[0]!.call.timeoutMs).toBeLessThanOrEqual(25 + 5);
  });

  it('drops the queued inputs of a request that gave up before its call was sent', async () => {
    const r = recorder();
    const b = new MicroBatcher<number, string>({ maxItems: 100, waitMs: 200, run: r.run });
    const gone = b.submit([1, 2, 3], 10);
    const kept = b.submit([4], 60_000);
    await expect(gone).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(b.queued).toBe(1);
    await expect(kept).resolves.toEqual(['v4']);
    expect(r.calls).toEqual([[4]]);
  });

  it('refuses a zero budget without calling the provider', async () => {
    const r = recorder();
    const b = new MicroBatcher<number, string>({ maxItems: 10, waitMs: 1, run: r.run });
    await expect(b.submit([1], 0)).rejects.toBeInstanceOf(DeadlineExceededError);
    await expect(b.submit([], 100)).resolves.toEqual([]);
    expect(r.calls).toEqual([]);
  });
});
