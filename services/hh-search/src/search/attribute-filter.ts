/**
 * The recruiter filters compiled once per search into a predicate over the attribute store, which
 * every branch applies inside its own search: the lexical index skips failing documents inside its
 * top-k loop, the vector search walks the graph until enough candidates pass (or scans the matching
 * set when it is small), and the specialty lookup intersects occupation postings with it.
 *
 * The tenant is always part of the predicate: a candidate of another tenant never passes, whatever
 * the branch's own isolation.
 */
import { normCity, normSkill } from '../candidates/derive.js';
import { SENIORITIES, type AttributeStore } from '../index/attributes/store.js';
import type { SearchFilters } from './schema.js';

export interface AttributeFilter {
  readonly tenantId: number;
  /** No candidate can pass (a filter value the pool has never seen, e.g. an unknown skill). */
  readonly none: boolean;
  /** Only the tenant is tested (no recruiter filter). */
  readonly tenantOnly: boolean;
  /** Occupation ids the filter requires one of (the specialty branch and matching-set scans start from their postings). */
  readonly occupations?: readonly number[];
  acceptSlot(slot: number): boolean;
  acceptId(id: number): boolean;
}

const ALWAYS = () => true;

export function compileAttributeFilter(store: AttributeStore, tenantId: number, f: SearchFilters | undefined): AttributeFilter {
  const cols = store.columns;
  const tests: ((slot: number) => boolean)[] = [];
  let none = false;
  /** Codes of the values the store knows; none known → nothing can match. */
  const known = (values: readonly string[], code: (v: string) => number | undefined): Set<number> => {
    const codes = new Set<number>();
    for (const v of values) {
      const c = code(v);
      if (c !== undefined) codes.add(c);
    }
    if (codes.size === 0) none = true;
    return codes;
  };

  if (f?.countries) {
    const set = known(f.countries, (v) => store.countries.code(v));
    tests.push((s) => set.has(cols.country[s]!));
  }
  if (f?.cities) {
    const set = known(f.cities.map(normCity), (v) => store.cities.code(v));
    tests.push((s) => set.has(cols.city[s]!));
  }
  if (f?.remote !== undefined) {
    const want = f.remote ? 1 : 0;
    tests.push((s) => cols.remote[s] === want);
  }
  if (f?.minYears !== undefined || f?.maxYears !== undefined) {
    // An unknown years value (NaN) fails both comparisons, as NULL fails them in SQL.
    const lo = f.minYears ?? Number.NEGATIVE_INFINITY;
    const hi = f.maxYears ?? Number.POSITIVE_INFINITY;
    // Float32 columns round the stored value; compare at the same precision.
    const lo32 = Math.fround(lo);
    const hi32 = Math.fround(hi);
    tests.push((s) => {
      const y = cols.years[s]!;
      return y >= lo32 && y <= hi32;
    });
  }
  if (f?.seniority) {
    const set = new Set(f.seniority.map((x) => SENIORITIES.indexOf(x as (typeof SENIORITIES)[number])));
    tests.push((s) => set.has(cols.seniority[s]!));
  }
  if (f?.mustHaveSkills) {
    const wanted = [...new Set(f.mustHaveSkills.map(normSkill))];
    const codes = wanted.map((w) => store.skills.code(w));
    if (codes.some((c) => c === undefined)) none = true;
    const sorted = Int32Array.from(codes.filter((c): c is number => c !== undefined)).sort();
    tests.push((s) => cols.skills.includesAll(s, sorted));
  }
  let occupations: number[] | undefined;
  if (f?.occupations) {
    occupations = [...new Set(f.occupations)];
    const set = new Set(occupations);
    tests.push((s) => cols.occupations.intersects(s, set));
  }

  const tenantOnly = tests.length === 0;
  const rest = tenantOnly ? ALWAYS : tests.length === 1 ? tests[0]! : (s: number) => tests.every((t) => t(s));
  const acceptSlot = none ? () => false : (s: number) => cols.tenant[s] === tenantId && rest(s);
  return {
    tenantId,
    none,
    tenantOnly,
    ...(occupations ? { occupations } : {}),
    acceptSlot,
    acceptId: (id) => {
      const s = store.slot(id);
      return s !== undefined && acceptSlot(s);
    },
  };
}

/**
 * The tenant's candidates passing the filter, when there are at most `limit` of them; `undefined`
 * as soon as there are more (the caller then searches rather than enumerates). Scans the smallest
 * source: the required occupations' postings, else the tenant's members — with a strided sample
 * first, so a broad filter is recognised after a few hundred tests rather than a full scan.
 */
export function matchingSet(store: AttributeStore, filter: AttributeFilter, limit: number): number[] | undefined {
  if (filter.none) return [];
  const members = store.tenantSlots(filter.tenantId);
  if (filter.occupations) {
    const postingTotal = filter.occupations.reduce((n, o) => n + store.postings.size(filter.tenantId, o), 0);
    if (postingTotal < members.length) {
      const seen = new Set<number>();
      const out = store.postings.take(filter.tenantId, filter.occupations, limit + 1, filter.acceptId, seen);
      return out.length > limit ? undefined : out.map((x) => x.id);
    }
  }
  if (members.length > limit * 4) {
    const stride = Math.max(1, Math.floor(members.length / 512));
    let sampled = 0;
    let passed = 0;
    for (let i = 0; i < members.length; i += stride, sampled++) if (filter.acceptSlot(members[i]!)) passed++;
    // Estimated matches well above the limit: not worth a full scan.
    if ((passed / sampled) * members.length > limit * 2) return undefined;
  }
  const out: number[] = [];
  for (let i = 0; i < members.length; i++) {
    const slot = members[i]!;
    if (!filter.acceptSlot(slot)) continue;
    if (out.length === limit) return undefined;
    out.push(store.idAt(slot));
  }
  return out;
}
