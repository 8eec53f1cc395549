/**
 * hh-hash-<dims>-v1: the built-in offline embedding model.
 *
 * Signed feature hashing (Weinberger et al., 2009) of accent-folded text into `dims` buckets:
 *   - word unigrams            weight 1.0 × (1 + ln tf)   (stop words 0.2, pure numbers 0.5)
 *   - word bigrams             weight 0.5 × (1 + ln tf)   over content words (stop words skipped)
 *   - character 3–5-grams of each content word with boundary markers ("<node>" → "<no", "nod", …, "ode>"),
 *     whose block has norm 1.0 × (1 + ln tf) per word (each gram 1/√G), like fastText subwords:
 *     they put "backend" near "back-end", "node" near "node.js", plurals and PT/EN cognates
 *     ("desenvolvedor"/"developer" share "<de", "dev", "vel", "elo"…) near each other.
 * then L2-normalised, so cosine similarity = dot product.
 *
 * Deterministic: no randomness, no training data, no downloads; the same text gives the same vector
 * on every machine and version of this file that keeps the id. Any change to tokenisation, hashing or
 * weights MUST bump the version suffix of the model id, otherwise stored vectors silently stop matching
 * new query vectors.
 *
 * Synchronous and allocation-light (scratch buffers are reused; the only per-text allocations are the
 * token strings and the output Float32Array) so hh-search tests and the demo loader can precompute
 * vectors in-process.
 */
import { isStopword, tokenize } from '@hh/text';
import { Ewma, ProviderError, type EmbedCallOptions, type EmbedCallResult, type EmbeddingProvider } from './types.js';

export const BUILTIN_MODEL_VERSION = 'v1';

/** Model id for a dimension count: `hh-hash-768-v1` for the default 768. */
export const builtinModelId = (dims: number): string => `hh-hash-${dims}-${BUILTIN_MODEL_VERSION}`;

export interface BuiltinEmbedder {
  readonly modelId: string;
  readonly dims: number;
  /** One unit-length vector per text (a text without any word gets a unit vector from its raw characters). */
  embed(texts: readonly string[]): Float32Array[];
  embedOne(text: string): Float32Array;
  /** Word tokens in a text (what `usage.prompt_tokens` reports). */
  countTokens(text: string): number;
}

// Different seeds per feature family so that e.g. the word "go" and the character gram "<go>" never
// share a bucket by construction (they still may by chance, like any two features).
const SEED_WORD = 0x811c9dc5;
const SEED_BIGRAM = 0x2f6b1a3d;
const SEED_CHAR = 0x5bd1e995;
const SEED_RAW = 0x1b873593;
const FNV_PRIME = 0x01000193;

const W_WORD = 1.0;
const W_STOP = 0.2;
const W_NUMBER = 0.5;
const W_BIGRAM = 0.5;
const W_CHARS = 1.0;
const MIN_GRAM = 3;
const MAX_GRAM = 5;
const MAX_CACHED_WORDS = 50_000; // ≈ 10 MB at ~200 bytes per entry
const MAX_CACHED_WORD = 40;
const BOUNDARY_START = 0x3c; // '<' never occurs inside a token, so it marks word boundaries unambiguously
const BOUNDARY_END = 0x3e; // '>'

/** murmur3 finaliser: FNV's low bits are weak; the sign comes from bit 0 and the bucket from the high bits. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function fnv(text: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h;
}

function isNumeric(token: string): boolean {
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    // digits and the separators the tokenizer keeps inside tokens ("3.5", "2019")
    if (!((c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2b || c === 0x23)) return false;
  }
  return true;
}

/** Number of character n-grams (MIN_GRAM..MAX_GRAM) of a bounded word of length `len` (markers included). */
function gramCount(len: number): number {
  let g = 0;
  for (let n = MIN_GRAM; n <= MAX_GRAM; n++) if (len >= n) g += len - n + 1;
  return g;
}

class HashEmbedder implements BuiltinEmbedder {
  readonly modelId: string;
  private readonly acc: Float64Array;
  // Reused between texts: embed() is synchronous, so there is no re-entrancy.
  private readonly words = new Map<string, number>();
  private readonly bigrams = new Map<number, number>();
  private readonly cache = new Map<string, Int32Array>();
  private readonly scale: number;
  /** Word tokens of the last embedOne() input, so the provider can report usage without re-tokenising. */
  lastTokenCount = 0;

  constructor(readonly dims: number) {
    if (!Number.isInteger(dims) || dims < 8 || dims > 65_536) throw new RangeError(`dims must be an integer in 8..65536, got ${dims}`);
    this.modelId = builtinModelId(dims);
    this.acc = new Float64Array(dims);
    // bucket = floor(h * dims / 2^32): uses the high bits and is uniform for any dims (768 is not a power of two).
    this.scale = dims / 4294967296;
  }

  countTokens(text: string): number {
    return tokenize(text).length;
  }

  embed(texts: readonly string[]): Float32Array[] {
    const out = new Array<Float32Array>(texts.length);
    for (let i = 0; i < texts.length; i++) out[i] = this.embedOne(texts[i] ?? '');
    return out;
  }

  embedOne(text: string): Float32Array {
    const acc = this.acc;
    acc.fill(0);
    const tokens = tokenize(text);
    this.lastTokenCount = tokens.length;
    const words = this.words;
    const bigrams = this.bigrams;
    words.clear();
    bigrams.clear();

    let prev = 0; // hash of the previous content word
    let hasPrev = false;
    for (const t of tokens) {
      words.set(t, (words.get(t) ?? 0) + 1);
      if (isStopword(t)) continue; // bigrams skip stop words: "engineer at google" → "engineer google"
      const h = this.features(t)[0]!;
      if (hasPrev) {
        const b = Math.imul(prev ^ h, FNV_PRIME) ^ SEED_BIGRAM;
        bigrams.set(b, (bigrams.get(b) ?? 0) + 1);
      }
      prev = h;
      hasPrev = true;
    }

    for (const [word, count] of words) {
      const tf = 1 + Math.log(count);
      const f = this.features(word);
      if (isStopword(word)) {
        this.addCode(f[1]!, W_STOP * tf);
      } else if (isNumeric(word)) {
        // Years and counts carry little meaning on their own; no subword grams for them.
        this.addCode(f[1]!, W_NUMBER * tf);
      } else {
        this.addCode(f[1]!, W_WORD * tf);
        const w = (W_CHARS * tf) / Math.sqrt(gramCount(word.length + 2));
        for (let k = 2; k < f.length; k++) this.addCode(f[k]!, w);
      }
    }
    for (const [b, count] of bigrams) this.add(b, W_BIGRAM * (1 + Math.log(count)));

    if (tokens.length === 0) {
      // No word at all ("!!!", "—"): hash the raw characters so the vector is still unit-length and
      // identical inputs still match; such texts are only similar to each other.
      const raw = text.trim();
      if (raw.length === 0) this.add(SEED_RAW, 1);
      else this.addGrams(raw, SEED_RAW, 1 / Math.sqrt(Math.max(1, gramCount(raw.length + 2))));
    }

    let norm = 0;
    for (let i = 0; i < acc.length; i++) norm += acc[i]! * acc[i]!;
    const vec = new Float32Array(this.dims);
    if (norm === 0) {
      // Every feature cancelled out by signed collisions (vanishingly rare): fall back to one fixed bucket.
      vec[mix(fnv(text, SEED_RAW)) % this.dims] = 1;
      return vec;
    }
    const inv = 1 / Math.sqrt(norm);
    for (let i = 0; i < acc.length; i++) vec[i] = acc[i]! * inv;
    return vec;
  }

  private add(hash: number, weight: number): void {
    this.addCode(this.code(hash), weight);
  }

  /** A feature's bucket and sign packed in one int: ±(bucket + 1). */
  private code(hash: number): number {
    const h = mix(hash);
    const bucket = Math.floor(h * this.scale);
    return h & 1 ? bucket + 1 : -(bucket + 1);
  }

  private addCode(code: number, weight: number): void {
    if (code > 0) this.acc[code - 1]! += weight;
    else this.acc[-code - 1]! -= weight;
  }

  /**
   * Per-word features, cached because word frequencies are Zipfian (a few thousand words make up most
   * of any corpus): [raw word hash (for bigrams), unigram code, character-gram codes…]. Stop words and
   * numbers get no gram codes. Caching changes nothing in the result, only the time to get it.
   */
  private features(word: string): Int32Array {
    const hit = this.cache.get(word);
    if (hit) return hit;
    const h = fnv(word, SEED_WORD);
    const withGrams = !isStopword(word) && !isNumeric(word);
    const len = word.length + 2;
    const f = new Int32Array(2 + (withGrams ? gramCount(len) : 0));
    f[0] = h;
    f[1] = this.code(h);
    if (withGrams) {
      let k = 2;
      for (let start = 0; start + MIN_GRAM <= len; start++) {
        let g = SEED_CHAR;
        const end = Math.min(len, start + MAX_GRAM);
        for (let j = start; j < end; j++) {
          const c = j === 0 ? BOUNDARY_START : j === len - 1 ? BOUNDARY_END : word.charCodeAt(j - 1);
          g = Math.imul(g ^ c, FNV_PRIME);
          if (j - start + 1 >= MIN_GRAM) f[k++] = this.code(g);
        }
      }
    }
    // Bounded memory: long tokens (URLs, garbage) are rare and not worth keeping; a full cache starts over.
    if (word.length <= MAX_CACHED_WORD) {
      if (this.cache.size >= MAX_CACHED_WORDS) this.cache.clear();
      this.cache.set(word, f);
    }
    return f;
  }

  /** Character MIN..MAX-grams of "<word>" without building substrings: one FNV chain per start. */
  private addGrams(word: string, seed: number, weight: number): void {
    const len = word.length + 2;
    for (let start = 0; start + MIN_GRAM <= len; start++) {
      let h = seed;
      const end = Math.min(len, start + MAX_GRAM);
      for (let j = start; j < end; j++) {
        const c = j === 0 ? BOUNDARY_START : j === len - 1 ? BOUNDARY_END : word.charCodeAt(j - 1);
        h = Math.imul(h ^ c, FNV_PRIME);
        if (j - start + 1 >= MIN_GRAM) this.add(h, weight);
      }
    }
  }
}

/** The built-in model as a plain synchronous object (no service needed). */
export function createBuiltinEmbedder(dims = 768): BuiltinEmbedder {
  return new HashEmbedder(dims);
}

/** Cosine similarity of two vectors (for unit vectors this equals their dot product). */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

const YIELD_EVERY_CHARS = 200_000;

/**
 * The built-in model behind the provider interface. Large batches are embedded in slices with a
 * yield to the event loop in between (so /health and small requests are not starved) and stop early
 * when every waiting request has given up.
 */
export class BuiltinProvider implements EmbeddingProvider {
  readonly kind = 'builtin' as const;
  readonly modelId: string;
  private readonly embedder: HashEmbedder;
  // ms per character; starts from a deliberately pessimistic guess (measured ≈ 0.0001 on one core)
  // and follows observed speed, so a slow, shared machine refuses hopeless deadlines sooner.
  private readonly msPerChar = new Ewma(0.2, 0.0003);

  constructor(dims: number) {
    this.embedder = new HashEmbedder(dims);
    this.modelId = this.embedder.modelId;
  }

  accepts(model: string): boolean {
    return model === this.modelId;
  }
  dims(): number {
    return this.embedder.dims;
  }
  estimateMs(totalChars: number): number {
    return totalChars * (this.msPerChar.get() ?? 0);
  }

  async embed(texts: string[], opts: EmbedCallOptions): Promise<EmbedCallResult> {
    const vectors: Float32Array[] = [];
    const tokens: number[] = [];
    let sinceYield = 0;
    for (const text of texts) {
      if (sinceYield >= YIELD_EVERY_CHARS) {
        sinceYield = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (opts.signal.aborted) throw new ProviderError('aborted', 'all requests waiting for this batch gave up');
      const t0 = performance.now();
      vectors.push(this.embedder.embedOne(text));
      if (text.length >= 200) this.msPerChar.observe((performance.now() - t0) / text.length);
      tokens.push(this.embedder.lastTokenCount);
      sinceYield += text.length;
    }
    return { vectors, tokens };
  }

  async close(): Promise<void> {}
}
