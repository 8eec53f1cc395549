/** Public shapes of the scorer (also the HTTP contract of POST /v1/rerank). */

export const SENIORITIES = ['intern', 'junior', 'mid', 'senior', 'lead', 'principal', 'executive'] as const;
export type Seniority = (typeof SENIORITIES)[number];

export interface RerankLocation {
  country?: string;
  region?: string;
  city?: string;
}

/** A structured candidate document; every field is optional. */
export interface RerankDocument {
  id?: string;
  text?: string;
  title?: string;
  headline?: string;
  skills?: string[];
  yearsExperience?: number;
  seniority?: Seniority;
  location?: RerankLocation;
  remote?: boolean;
  language?: 'en' | 'pt';
}

/** Cohere/TEI send plain strings; we also accept structured documents. */
export type DocumentInput = string | RerankDocument;

/** What the job asks for. Fields left out are derived from the query text where possible. */
export interface RerankJob {
  title?: string;
  skills?: string[];
  niceToHave?: string[];
  minYears?: number;
  maxYears?: number;
  seniority?: Seniority;
  countries?: string[];
  cities?: string[];
  remote?: boolean;
}

export interface ComponentScores {
  /** Each in [0,1]; null when the job gives nothing to compare (its weight is redistributed). */
  skills: number | null;
  title: number | null;
  bm25: number | null;
  experience: number | null;
  location: number | null;
}
export type ComponentName = keyof ComponentScores;

export interface ScoredDocument {
  index: number;
  id?: string;
  relevance_score: number;
  reasons: string[];
  components: ComponentScores;
}

/** The job actually used for scoring, with where each part came from. */
export interface ResolvedJob {
  title: string | null;
  skills: string[];
  niceToHave: string[];
  minYears: number | null;
  maxYears: number | null;
  seniority: Seniority | null;
  countries: string[];
  cities: string[];
  remote: boolean | null;
  /** Fields derived from the query text rather than given in `job`. */
  derived: string[];
}

export interface ScoreOutput {
  /** Sorted by relevance_score desc, ties by index asc; truncated to topN. */
  results: ScoredDocument[];
  job: ResolvedJob;
  /** Weights applied after dropping components that were not applicable (sum to 1, or all 0). */
  weights: Record<ComponentName, number>;
}
