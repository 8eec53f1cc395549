/**
 * A request deadline: every downstream call gets `timeout(cap)` = min(cap, remaining), so the
 * sum of waits never exceeds the request's budget. Propagated to callees as a relative header.
 */
import { HttpProblem } from './errors.js';

export const DEADLINE_HEADER = 'x-hh-timeout-ms';
const TIMEOUT_HEADER_VALUE = /^\d{1,9}$/;

export class Deadline {
  readonly start = performance.now();
  constructor(readonly budgetMs: number) {}

  static fromHeader(value: string | string[] | undefined, defaultMs: number): Deadline {
    const raw = Array.isArray(value) ? value[0] : value;
    const n = raw === undefined ? NaN : Number(raw);
    return new Deadline(Number.isFinite(n) && n > 0 ? Math.min(n, defaultMs) : defaultMs);
  }

  /**
   * A callee's deadline from the caller's `x-hh-timeout-ms` header: absent → `defaultMs`;
   * malformed → 400 with a field-level error (`<prefix>_VALIDATION`); never above `defaultMs`.
   */
  static fromRequestHeader(raw: string | string[] | undefined, defaultMs: number, errorPrefix: string): Deadline {
    if (raw === undefined) return new Deadline(defaultMs);
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined || !TIMEOUT_HEADER_VALUE.test(value.trim())) {
      throw new HttpProblem(400, `${errorPrefix}_VALIDATION`, `invalid ${DEADLINE_HEADER} header`, [
        { field: `headers.${DEADLINE_HEADER}`, message: 'must be a whole number of milliseconds' },
      ]);
    }
    return new Deadline(Math.min(Number(value.trim()), defaultMs));
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
