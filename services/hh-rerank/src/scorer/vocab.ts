/**
 * Per-request vocabulary: every distinct token gets a small integer id once, and documents become
 * Int32Arrays. Later passes (stop words, BM25, skill phrases) index plain arrays instead of hashing
 * strings again. `internText` tokenizes and interns in one scan, so a repeated word costs a hash
 * probe instead of a new string: per-token strings that live for the whole request were what kept
 * the garbage collector busy (measured with scripts/bench.mjs: about half the CPU before this).
 */
import { STOPWORDS_EN, STOPWORDS_PT, tokenize } from '@hh/text';

// One set instead of @hh/text's isStopword (two lookups).
const STOPWORDS = new Set([...STOPWORDS_EN, ...STOPWORDS_PT]);

// 1 = letter or digit, 2 = '+', '#' or '.', which may continue a token ("c++", "c#", "node.js").
const ASCII_CLASS = new Uint8Array(128);
for (let c = 48; c <= 57; c++) ASCII_CLASS[c] = 1;
for (let c = 97; c <= 122; c++) ASCII_CLASS[c] = 1;
ASCII_CLASS[43] = 2; // +
ASCII_CLASS[35] = 2; // #
ASCII_CLASS[46] = 2; // .

// Letters, digits and combining marks (marks vanish in fold, so they never split a word).
const WORD_CHAR = /^[\p{L}\p{N}\p{M}]$/u;
const nonAsciiClass = new Map<number, number>();
function classOfCodePoint(cp: number): number {
  let cls = nonAsciiClass.get(cp);
  if (cls === undefined) {
    cls = WORD_CHAR.test(String.fromCodePoint(cp)) ? 1 : 0;
    // Bounded: a hostile document cannot grow the cache past a few thousand code points.
    if (nonAsciiClass.size < 4096) nonAsciiClass.set(cp, cls);
  }
  return cls;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function hashRange(s: string, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

export class Vocab {
  readonly words: string[] = [];
  /** 1 when the word is an English or Portuguese stop word. */
  readonly stop: number[] = [];
  private readonly hashes: number[] = [];
  /** Open addressing: slot → id + 1 (0 = empty). */
  private table = new Int32Array(1024);

  get size(): number {
    return this.words.length;
  }

  /** The id of `word`, adding it if new. */
  id(word: string): number {
    return this.idOfRange(word, 0, word.length, hashRange(word, 0, word.length));
  }

  /** The id of a word already seen, or -1. */
  lookup(word: string): number {
    const h = hashRange(word, 0, word.length);
    const mask = this.table.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const e = this.table[slot]!;
      if (e === 0) return -1;
      if (this.hashes[e - 1] === h && this.words[e - 1] === word) return e - 1;
    }
  }

  intern(tokens: readonly string[]): Int32Array {
    const out = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) out[i] = this.id(tokens[i]!);
    return out;
  }

  /** Ids of `tokenize(text)` from @hh/text (same tokens; the tests compare them on corpora). */
  internText(text: string): Int32Array {
    const s = text.toLowerCase();
    const n = s.length;
    // Tokens are separated by at least one character, so there are at most ⌈n/2⌉ ASCII ones;
    // a folded non-ASCII word may split further, hence the growth path in push().
    let out = new Int32Array((n >>> 1) + 1);
    let count = 0;
    const push = (id: number) => {
      if (count === out.length) {
        const bigger = new Int32Array(out.length * 2);
        bigger.set(out);
        out = bigger;
      }
      out[count++] = id;
    };
    let i = 0;
    while (i < n) {
      const c = s.charCodeAt(i);
      let width = 1;
      let cls: number;
      if (c < 128) cls = ASCII_CLASS[c]!;
      else {
        const cp = s.codePointAt(i)!;
        width = cp > 0xffff ? 2 : 1;
        cls = classOfCodePoint(cp);
      }
      if (cls !== 1) {
        i += width;
        continue;
      }
      const start = i;
      let nonAscii = c >= 128;
      let h = Math.imul(FNV_OFFSET ^ c, FNV_PRIME);
      let j = i + width;
      // End of the last letter/digit/'+'/'#' (trailing dots are not part of a token), and the hash there.
      let end = j;
      let hEnd = h;
      while (j < n) {
        const cj = s.charCodeAt(j);
        let w = 1;
        let k: number;
        if (cj < 128) k = ASCII_CLASS[cj]!;
        else {
          const cp = s.codePointAt(j)!;
          w = cp > 0xffff ? 2 : 1;
          k = classOfCodePoint(cp);
          if (k !== 0) nonAscii = true;
        }
        if (k === 0) break;
        if (!nonAscii) h = Math.imul(h ^ cj, FNV_PRIME);
        j += w;
        if (k === 1 || cj !== 46) {
          end = j;
          hEnd = h;
        }
      }
      // Non-ASCII words need folding (accents); @hh/text does that on the word alone.
      if (nonAscii) for (const t of tokenize(s.slice(start, end))) push(this.id(t));
      else if (count < out.length) out[count++] = this.idOfRange(s, start, end, hEnd >>> 0);
      else push(this.idOfRange(s, start, end, hEnd >>> 0));
      i = end;
    }
    // A view, not a copy: the buffer lives only as long as the request.
    return out.subarray(0, count);
  }

  private idOfRange(s: string, start: number, end: number, h: number): number {
    const mask = this.table.length - 1;
    const len = end - start;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const e = this.table[slot]!;
      if (e === 0) {
        const id = this.words.length;
        const word = start === 0 && end === s.length ? s : s.slice(start, end);
        this.words.push(word);
        this.hashes.push(h);
        this.stop.push(STOPWORDS.has(word) ? 1 : 0);
        this.table[slot] = id + 1;
        if (this.words.length * 2 > this.table.length) this.grow();
        return id;
      }
      const id = e - 1;
      if (this.hashes[id] === h) {
        const w = this.words[id]!;
        if (w.length === len && sameRange(w, s, start)) return id;
      }
    }
  }

  private grow(): void {
    const table = new Int32Array(this.table.length * 2);
    const mask = table.length - 1;
    for (let id = 0; id < this.words.length; id++) {
      let slot = this.hashes[id]! & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = id + 1;
    }
    this.table = table;
  }
}

function sameRange(word: string, s: string, start: number): boolean {
  for (let k = 0; k < word.length; k++) if (word.charCodeAt(k) !== s.charCodeAt(start + k)) return false;
  return true;
}
