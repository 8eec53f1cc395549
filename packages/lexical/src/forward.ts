/**
 * The forward store: each document's term ids per field, in order, as varints. It serves phrase
 * verification, exclusions, explanations and the statistics update when a document is deleted.
 * Layout per document: for each field, varint(token count) then varint(termId + 1) per token, where
 * 0 marks a gap between two values of a field (two skills, two experiences) so that a phrase never
 * spans them.
 */
import { FIELD_COUNT } from './fields.js';

export const GAP = -1;

/** Decoded fields of one document; reused between calls to avoid garbage on the hot path. */
export class FieldTokens {
  readonly tokens: Int32Array[] = Array.from({ length: FIELD_COUNT }, () => new Int32Array(64));
  readonly counts = new Int32Array(FIELD_COUNT);

  decode(fwd: Uint8Array, start: number): void {
    let p = start;
    for (let f = 0; f < FIELD_COUNT; f++) {
      let n = 0;
      let shift = 0;
      let byte: number;
      do {
        byte = fwd[p++]!;
        n |= (byte & 0x7f) << shift;
        shift += 7;
      } while (byte & 0x80);
      let arr = this.tokens[f]!;
      if (arr.length < n) {
        arr = new Int32Array(Math.max(n, arr.length * 2));
        this.tokens[f] = arr;
      }
      for (let i = 0; i < n; i++) {
        let v = 0;
        shift = 0;
        do {
          byte = fwd[p++]!;
          v += (byte & 0x7f) * 2 ** shift;
          shift += 7;
        } while (byte & 0x80);
        arr[i] = v - 1;
      }
      this.counts[f] = n;
    }
  }

  /** Whether field f contains any of the term ids. */
  has(f: number, termIds: ReadonlySet<number>): boolean {
    const arr = this.tokens[f]!;
    for (let i = 0, n = this.counts[f]!; i < n; i++) if (termIds.has(arr[i]!)) return true;
    return false;
  }

  /** Whether field f has consecutive tokens matching each word (a set of variant term ids per word). */
  hasPhrase(f: number, words: readonly ReadonlySet<number>[]): boolean {
    const arr = this.tokens[f]!;
    const n = this.counts[f]!;
    const m = words.length;
    outer: for (let i = 0; i + m <= n; i++) {
      for (let j = 0; j < m; j++) if (!words[j]!.has(arr[i + j]!)) continue outer;
      return true;
    }
    return false;
  }
}
