/**
 * Body of hh-search `PUT /v1/candidates/{id}` (the external id is the URL id). hh-search owns the
 * zod schema; this type mirrors it so producers (the demo generator, loaders) need not depend on
 * the service.
 */
export type Seniority = 'intern' | 'junior' | 'mid' | 'senior' | 'lead' | 'principal' | 'executive';

export interface CandidateExperience {
  title: string;
  company?: string;
  startYear?: number;
  endYear?: number | null;
  description?: string;
}

export interface CandidateInput {
  version?: number;
  title: string;
  headline?: string;
  summary?: string;
  skills?: string[];
  experience?: CandidateExperience[];
  location?: {
    /** ISO 3166-1 alpha-2, e.g. "BR". */
    country?: string;
    region?: string;
    city?: string;
  };
  remote?: boolean;
  yearsExperience?: number;
  seniority?: Seniority;
  language?: 'en' | 'pt';
}

/** A demo candidate: the PUT body plus its external id (also the shape of a bulk-upsert item). */
export interface DemoCandidate extends CandidateInput {
  id: string;
}
