/**
 * A request deadline: every downstream call gets `timeout(cap)` = min(cap, remaining), so the
 * sum of waits never exceeds the request's budget. Propagated to callees as a relative header.
 */
export const DEADLINE_HEADER = 'x-hh-timeout-ms';

export class Deadline {
  readonly start = performance.now();
  constructor(readonly budgetMs: number) {}

  static fromHeader(value: string | string[] | undefined, defaultMs: number): Deadline {
    const raw = Array.isArray(value) ? value[0] : value;
    const n = raw === undefined ? NaN : Number(raw);
    return new Deadline(Number.isFinite(n) && n > 0 ? Math.min(n, defaultMs) : defaultMs);
  }

  elapsed(): number {
    return performance.now() - this.start;
  }
  remaining(): number {
    return Math.max(0, this.budgetMs - this.elapsed());
  }
  /** The time a step may take: its own cap, but never past the deadline. */
  timeout(capMs: number): number {
    return Math.max(0, Math.min(capMs, this.remaining()));
  }
  expired(): boolean {
    return this.remaining() <= 0;
  }
}
