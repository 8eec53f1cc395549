/**
 * Hand-written validator for POST /v1/rerank. It reports every problem at once with an exact field
 * path ("documents.3.skills.0: must be a string"), which zod's union and strict-object errors do not
 * do for the string-or-object `documents` items. The route wraps it in a zod schema so errors flow
 * through the shared problem+json handler.
 */
import { hasForbiddenChars } from '@hh/text';
import { MODEL_ID } from '../scorer/score.js';
import { SENIORITIES, type DocumentInput, type RerankDocument, type RerankJob, type Seniority } from '../scorer/types.js';

export interface RerankRequest {
  query: string;
  documents: DocumentInput[];
  topN: number | undefined;
  returnDocuments: boolean;
  job: RerankJob | undefined;
}

export interface Issue {
  path: (string | number)[];
  message: string;
}

export interface Limits {
  maxDocuments: number;
  maxChars: number;
}

const MAX_ISSUES = 20;
const REQUEST_FIELDS = ['query', 'documents', 'top_n', 'return_documents', 'job', 'model'] as const;
const DOCUMENT_FIELDS = ['id', 'text', 'title', 'headline', 'skills', 'yearsExperience', 'seniority', 'location', 'remote', 'language'] as const;
const LOCATION_FIELDS = ['country', 'region', 'city'] as const;
const JOB_FIELDS = ['title', 'skills', 'niceToHave', 'minYears', 'maxYears', 'seniority', 'countries', 'cities', 'remote'] as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const typeName = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`);

class Checker {
  readonly issues: Issue[] = [];
  constructor(private readonly limits: Limits) {}

  full(): boolean {
    return this.issues.length >= MAX_ISSUES;
  }

  add(path: (string | number)[], message: string): void {
    if (!this.full()) this.issues.push({ path, message });
  }

  unknown(obj: Record<string, unknown>, allowed: readonly string[], path: (string | number)[]): void {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) this.add([...path, key], `unknown field (allowed: ${allowed.join(', ')})`);
    }
  }

  /** A string field: type, length, forbidden characters and (optionally) not blank. */
  string(v: unknown, path: (string | number)[], opts: { max: number; nonBlank?: boolean }): string | undefined {
    if (typeof v !== 'string') {
      this.add(path, `must be a string (got ${typeName(v)})`);
      return undefined;
    }
    if (opts.nonBlank && v.trim().length === 0) this.add(path, 'must not be empty or only whitespace');
    else if (v.length > opts.max) this.add(path, `must be at most ${opts.max} characters (got ${v.length})`);
    else if (hasForbiddenChars(v)) this.add(path, 'must not contain NUL, control characters (other than tab/newline) or unpaired surrogates');
    else return v;
    return undefined;
  }

  optString(obj: Record<string, unknown>, key: string, path: (string | number)[], opts: { max: number; nonBlank?: boolean }): string | undefined {
    return obj[key] === undefined ? undefined : this.string(obj[key], [...path, key], opts);
  }

  stringArray(v: unknown, path: (string | number)[], opts: { maxItems: number; max: number }): string[] | undefined {
    if (!Array.isArray(v)) {
      this.add(path, `must be an array of strings (got ${typeName(v)})`);
      return undefined;
    }
    if (v.length > opts.maxItems) {
      this.add(path, `must contain at most ${opts.maxItems} items (got ${v.length})`);
      return undefined;
    }
    const out: string[] = [];
    v.forEach((item, i) => {
      const s = this.string(item, [...path, i], { max: opts.max, nonBlank: true });
      if (s !== undefined) out.push(s);
    });
    return out;
  }

  number(v: unknown, path: (string | number)[], opts: { min: number; max: number; integer?: boolean }): number | undefined {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.add(path, `must be a number (got ${typeName(v)})`);
      return undefined;
    }
    if (opts.integer && !Number.isInteger(v)) this.add(path, 'must be an integer');
    else if (v < opts.min) this.add(path, `must be at least ${opts.min}`);
    else if (v > opts.max) this.add(path, `must be at most ${opts.max}`);
    else return v;
    return undefined;
  }

  boolean(v: unknown, path: (string | number)[]): boolean | undefined {
    if (typeof v !== 'boolean') {
      this.add(path, `must be true or false (got ${typeName(v)})`);
      return undefined;
    }
    return v;
  }

  seniority(v: unknown, path: (string | number)[]): Seniority | undefined {
    if (typeof v === 'string' && (SENIORITIES as readonly string[]).includes(v)) return v as Seniority;
    this.add(path, `must be one of ${SENIORITIES.join(', ')}`);
    return undefined;
  }

  document(v: unknown, i: number): DocumentInput | undefined {
    const path: (string | number)[] = ['documents', i];
    if (typeof v === 'string') return this.string(v, path, { max: this.limits.maxChars });
    if (!isObject(v)) {
      this.add(path, `must be a string or an object (got ${typeName(v)})`);
      return undefined;
    }
    this.unknown(v, DOCUMENT_FIELDS, path);
    const doc: RerankDocument = {};
    const id = this.optString(v, 'id', path, { max: 256, nonBlank: true });
    if (id !== undefined) doc.id = id;
    const text = this.optString(v, 'text', path, { max: this.limits.maxChars });
    if (text !== undefined) doc.text = text;
    const title = this.optString(v, 'title', path, { max: 500 });
    if (title !== undefined) doc.title = title;
    const headline = this.optString(v, 'headline', path, { max: 1000 });
    if (headline !== undefined) doc.headline = headline;
    if (v.skills !== undefined) {
      const skills = this.stringArray(v.skills, [...path, 'skills'], { maxItems: 500, max: 200 });
      if (skills !== undefined) doc.skills = skills;
    }
    if (v.yearsExperience !== undefined) {
      const y = this.number(v.yearsExperience, [...path, 'yearsExperience'], { min: 0, max: 80 });
      if (y !== undefined) doc.yearsExperience = y;
    }
    if (v.seniority !== undefined) {
      const s = this.seniority(v.seniority, [...path, 'seniority']);
      if (s !== undefined) doc.seniority = s;
    }
    if (v.location !== undefined) {
      const lp = [...path, 'location'];
      if (!isObject(v.location)) this.add(lp, `must be an object with country, region, city (got ${typeName(v.location)})`);
      else {
        this.unknown(v.location, LOCATION_FIELDS, lp);
        const loc: NonNullable<RerankDocument['location']> = {};
        for (const key of LOCATION_FIELDS) {
          const s = this.optString(v.location, key, lp, { max: 200 });
          if (s !== undefined) loc[key] = s;
        }
        doc.location = loc;
      }
    }
    if (v.remote !== undefined) {
      const r = this.boolean(v.remote, [...path, 'remote']);
      if (r !== undefined) doc.remote = r;
    }
    if (v.language !== undefined) {
      if (v.language === 'en' || v.language === 'pt') doc.language = v.language;
      else this.add([...path, 'language'], 'must be "en" or "pt"');
    }
    return doc;
  }

  job(v: unknown): RerankJob | undefined {
    const path = ['job'];
    if (!isObject(v)) {
      this.add(path, `must be an object (got ${typeName(v)})`);
      return undefined;
    }
    this.unknown(v, JOB_FIELDS, path);
    const job: RerankJob = {};
    const title = this.optString(v, 'title', path, { max: 200, nonBlank: true });
    if (title !== undefined) job.title = title;
    for (const key of ['skills', 'niceToHave'] as const) {
      if (v[key] === undefined) continue;
      const list = this.stringArray(v[key], [...path, key], { maxItems: 100, max: 100 });
      if (list !== undefined) job[key] = list;
    }
    for (const key of ['minYears', 'maxYears'] as const) {
      if (v[key] === undefined) continue;
      const n = this.number(v[key], [...path, key], { min: 0, max: 80 });
      if (n !== undefined) job[key] = n;
    }
    if (job.minYears !== undefined && job.maxYears !== undefined && job.minYears > job.maxYears) {
      this.add([...path, 'maxYears'], 'must be at least minYears');
    }
    if (v.seniority !== undefined) {
      const s = this.seniority(v.seniority, [...path, 'seniority']);
      if (s !== undefined) job.seniority = s;
    }
    for (const key of ['countries', 'cities'] as const) {
      if (v[key] === undefined) continue;
      const list = this.stringArray(v[key], [...path, key], { maxItems: 50, max: 100 });
      if (list !== undefined) job[key] = list;
    }
    if (v.remote !== undefined) {
      const r = this.boolean(v.remote, [...path, 'remote']);
      if (r !== undefined) job.remote = r;
    }
    return job;
  }
}

/** Validate a rerank request body; returns the typed request or every problem found. */
export function parseRerankRequest(body: unknown, limits: Limits): { ok: true; value: RerankRequest } | { ok: false; issues: Issue[] } {
  if (!isObject(body)) return { ok: false, issues: [{ path: [], message: 'must be a JSON object with "query" and "documents"' }] };
  const c = new Checker(limits);
  c.unknown(body, REQUEST_FIELDS, []);

  let query: string | undefined;
  if (body.query === undefined) c.add(['query'], 'is required (a non-empty string)');
  else query = c.string(body.query, ['query'], { max: limits.maxChars, nonBlank: true });

  const documents: DocumentInput[] = [];
  const rawDocs = body.documents;
  if (rawDocs === undefined) c.add(['documents'], 'is required (an array of strings or objects)');
  else if (!Array.isArray(rawDocs)) c.add(['documents'], `must be an array of strings or objects (got ${typeName(rawDocs)})`);
  else if (rawDocs.length === 0) c.add(['documents'], 'must contain at least one document');
  else if (rawDocs.length > limits.maxDocuments) c.add(['documents'], `must contain at most ${limits.maxDocuments} documents (got ${rawDocs.length})`);
  else {
    for (let i = 0; i < rawDocs.length && !c.full(); i++) {
      const d = c.document(rawDocs[i], i);
      if (d !== undefined) documents.push(d);
    }
  }

  let topN: number | undefined;
  if (body.top_n !== undefined) topN = c.number(body.top_n, ['top_n'], { min: 1, max: 1_000_000, integer: true });
  let returnDocuments = false;
  if (body.return_documents !== undefined) returnDocuments = c.boolean(body.return_documents, ['return_documents']) ?? false;
  let job: RerankJob | undefined;
  if (body.job !== undefined) job = c.job(body.job);
  // Cohere clients always send a model name; accept ours (or nothing) and say so otherwise.
  if (body.model !== undefined && body.model !== MODEL_ID) c.add(['model'], `must be "${MODEL_ID}" or omitted`);

  if (c.issues.length > 0 || query === undefined) return { ok: false, issues: c.issues };
  return { ok: true, value: { query, documents, topN, returnDocuments, job } };
}
