/** The six scored fields of a candidate document, in their fixed storage order. */
export const FIELDS = ['title', 'headline', 'summary', 'skills', 'experienceTitle', 'experienceDescription'] as const;
export type Field = (typeof FIELDS)[number];
export const FIELD_COUNT = FIELDS.length;

export type Language = 'en' | 'pt';

export interface LexicalDocument {
  language: Language;
  title: string;
  headline?: string;
  summary?: string;
  skills?: string[];
  experience?: { title?: string; description?: string }[];
}

export interface LexicalOptions {
  /** Per-field weight in the BM25F term-frequency sum. */
  fieldWeights?: Partial<Record<Field, number>>;
  /** BM25 saturation (default 1.2). */
  k1?: number;
  /** Length normalisation per field (0 = none, 1 = full); a number applies to every field. */
  b?: number | Partial<Record<Field, number>>;
  /** Documents in the mutable segment before it is sealed into an immutable one (default 4096). */
  sealDocs?: number;
  /** Segments of one size tier that trigger a merge (default 8). */
  mergeFactor?: number;
  /** Highest-weight terms a job description keeps (default 24). */
  maxJobTerms?: number;
  /** Run merges on setImmediate after writes (default true); false merges only on merge()/optimize(). */
  backgroundMerges?: boolean;
}

export const DEFAULT_WEIGHTS: Record<Field, number> = {
  title: 3,
  headline: 2,
  summary: 1,
  skills: 2.5,
  experienceTitle: 1.5,
  experienceDescription: 1,
};

// Short fields (titles, skill lists) barely vary in length, so they get a gentler normalisation.
export const DEFAULT_B: Record<Field, number> = {
  title: 0.3,
  headline: 0.5,
  summary: 0.75,
  skills: 0.5,
  experienceTitle: 0.5,
  experienceDescription: 0.75,
};

export interface ResolvedOptions {
  weights: Float64Array;
  b: Float64Array;
  k1: number;
  sealDocs: number;
  mergeFactor: number;
  maxJobTerms: number;
  backgroundMerges: boolean;
}

function positive(name: string, v: number, allowZero = false): number {
  if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) throw new RangeError(`lexical: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${v}`);
  return v;
}

export function resolveOptions(o: LexicalOptions = {}): ResolvedOptions {
  const weights = new Float64Array(FIELD_COUNT);
  const b = new Float64Array(FIELD_COUNT);
  FIELDS.forEach((f, i) => {
    weights[i] = positive(`fieldWeights.${f}`, o.fieldWeights?.[f] ?? DEFAULT_WEIGHTS[f], true);
    const bf = typeof o.b === 'number' ? o.b : (o.b?.[f] ?? DEFAULT_B[f]);
    if (!(bf >= 0 && bf <= 1)) throw new RangeError(`lexical: b.${f} must be within [0, 1], got ${bf}`);
    b[i] = bf;
  });
  const int = (name: string, v: number, min: number): number => {
    if (!Number.isInteger(v) || v < min) throw new RangeError(`lexical: ${name} must be an integer ≥ ${min}, got ${v}`);
    return v;
  };
  return {
    weights,
    b,
    k1: positive('k1', o.k1 ?? 1.2),
    sealDocs: int('sealDocs', o.sealDocs ?? 4096, 1),
    mergeFactor: int('mergeFactor', o.mergeFactor ?? 8, 2),
    maxJobTerms: int('maxJobTerms', o.maxJobTerms ?? 24, 1),
    backgroundMerges: o.backgroundMerges ?? true,
  };
}

/** Per-field term frequencies are packed 5 bits each into one u32 (6 × 5 = 30 bits). */
export const TF_BITS = 5;
export const TF_MAX = (1 << TF_BITS) - 1;
/** Field lengths are stored as u16. */
export const LEN_MAX = 0xffff;
