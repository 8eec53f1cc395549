/**
 * BM25F: per field, tf_f / (1 − b_f + b_f · len_f / avglen_f), weighted and summed into one
 * pseudo-frequency t, then saturated once: idf · t · (k1 + 1) / (t + k1). Statistics (live
 * document count, document frequencies, average field lengths) are the index's current ones.
 *
 * Every scorer sums a document's term contributions in plan order starting from 0, so the pruned
 * and the exhaustive scorers produce bit-identical scores and tie-break identically.
 */
import { FIELD_COUNT, TF_BITS, TF_MAX } from './fields.js';
import { FieldTokens } from './forward.js';
import type { Operand, Plan } from './query.js';

// Bounds are inflated by this factor so that rounding never puts a bound below the score it bounds.
const BOUND_SLACK = 1 + 1e-9;

export class Bm25f {
  /** Per field: weight, 1 − b, b / avglen. */
  readonly w = new Float64Array(FIELD_COUNT);
  readonly A = new Float64Array(FIELD_COUNT);
  readonly B = new Float64Array(FIELD_COUNT);
  readonly k1: number;
  readonly k1p1: number;

  constructor(weights: Float64Array, b: Float64Array, k1: number, avgLen: ArrayLike<number>) {
    this.k1 = k1;
    this.k1p1 = k1 + 1;
    for (let f = 0; f < FIELD_COUNT; f++) {
      this.w[f] = weights[f]!;
      this.A[f] = 1 - b[f]!;
      const avg = avgLen[f]!;
      this.B[f] = avg > 0 ? b[f]! / avg : 0;
    }
  }

  /** Contribution of one posting: packed tfs, field lengths at lens[lo..lo+6). */
  score(tf: number, lens: Uint16Array, lo: number, idfw: number): number {
    let t = 0;
    for (let f = 0; f < FIELD_COUNT; f++) {
      const c = (tf >>> (f * TF_BITS)) & TF_MAX;
      if (c !== 0) t += (this.w[f]! * c) / (this.A[f]! + this.B[f]! * lens[lo + f]!);
    }
    return (idfw * (t * this.k1p1)) / (t + this.k1);
  }

  /**
   * Upper bound from a block's stored max of tf / (A + B₀·len): with the current B = b/avg, each
   * document's tf / (A + B·len) is at most that times max(1, B₀/B).
   */
  normBound(norm: Float32Array, off: number, normB0: Float64Array, idfw: number): number {
    let t = 0;
    for (let f = 0; f < FIELD_COUNT; f++) {
      const v = norm[off + f]!;
      if (v === 0) continue;
      const B = this.B[f]!;
      const B0 = normB0[f]!;
      const scale = B0 <= B ? 1 : B > 0 ? B0 / B : Infinity;
      t += this.w[f]! * v * scale;
    }
    return ((idfw * (t * this.k1p1)) / (t + this.k1)) * BOUND_SLACK;
  }

  /** Upper bound from per-field max tf and min length (block or term metadata). */
  bound(maxTf: Uint8Array, minLen: Uint16Array, off: number, idfw: number): number {
    let t = 0;
    for (let f = 0; f < FIELD_COUNT; f++) {
      const c = maxTf[off + f]!;
      if (c !== 0) t += (this.w[f]! * c) / (this.A[f]! + this.B[f]! * minLen[off + f]!);
    }
    return ((idfw * (t * this.k1p1)) / (t + this.k1)) * BOUND_SLACK;
  }
}

/** Cheap clause check on term presence: phrases count as all their words present. */
export function clausesPresent(plan: Plan, present: Uint8Array): boolean {
  for (const c of plan.clauses) {
    let ok = false;
    for (const op of c.ops) {
      if (op.kind === 'word') {
        if (anyPresent(op.word.tis, present)) ok = true;
      } else if (op.words.every((w) => anyPresent(w.tis, present))) ok = true;
      if (ok) break;
    }
    if (!ok) return false;
  }
  return true;
}

function anyPresent(tis: number[], present: Uint8Array): boolean {
  for (const ti of tis) if (present[ti]) return true;
  return false;
}

function operandIn(op: Operand, ft: FieldTokens): boolean {
  for (let f = 0; f < FIELD_COUNT; f++) {
    if (op.kind === 'word' ? ft.has(f, op.word.ids) : ft.hasPhrase(f, op.words.map((w) => w.ids))) return true;
  }
  return false;
}

/**
 * Full check on the document's token stream: phrases where a clause depends on them, and
 * exclusions. Called only after clausesPresent passed.
 */
export function verifyForward(plan: Plan, present: Uint8Array, ft: FieldTokens): boolean {
  for (const op of plan.exclusions) if (operandIn(op, ft)) return false;
  for (const c of plan.clauses) {
    if (!c.ops.some((o) => o.kind === 'phrase')) continue;
    let ok = false;
    for (const op of c.ops) {
      if (op.kind === 'word' ? anyPresent(op.word.tis, present) : operandIn(op, ft)) {
        ok = true;
        break;
      }
    }
    if (!ok) return false;
  }
  return true;
}
