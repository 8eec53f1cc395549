/**
 * The retrieval branches' common contract. A search runs every branch under `Promise.allSettled`,
 * each inside its own budget within the request's deadline; this module is the one place where a
 * branch's outcome becomes a status (`ok | timeout | error | skipped`), a degraded code and a metric.
 */
import type { Deadline } from '@hh/service-kit';
import type { SearchFilters, SearchRequest, BranchName } from './schema.js';
import type { SearchMetrics } from './metrics.js';
import type { BudgetedQuery } from './db.js';
import type { CompiledFilter } from './filters.js';
import type { AttributeFilter } from './attribute-filter.js';
import type { AttributeStore } from '../index/attributes/store.js';

export type { BranchName };

/** One hit of one branch, in that branch's rank order. */
export interface BranchHit {
  id: number;
  score: number;
  /** Specialty: the occupation that matched. */
  occupation?: string;
  /** Lexical: which query terms matched, by field (for explanations and highlights). */
  matched?: { field: string; terms: string[] }[];
}

/** What a branch knows about the search it serves. */
export interface BranchContext {
  tenantId: number;
  request: SearchRequest;
  filters: SearchFilters | undefined;
  /** Hits each branch contributes to fusion. */
  window: number;
  deadline: Deadline;
  requestId: string;
  /** Time a branch may still take (its own cap, never past the deadline). */
  budget(): number;
  /** Measures a stage (`embed`, …) into the response's timings and the stage histogram. */
  time<T>(stage: string, fn: () => Promise<T>): Promise<T>;
  /** Codes describing this search's answer (e.g. `vector_index_warming`, `vector_filtered_short`). */
  degraded: Set<string>;
  /** Statuses of cache lookups made on the way (a `bypass` is reported as `cache_bypass`). */
  cacheStatuses: string[];
  /** SQL under this branch's budget (cancelled server-side when the branch gives up). */
  db: BudgetedQuery;
  /** The recruiter filters as one SQL predicate, compiled once per search (the Postgres fallbacks). */
  sqlFilter(): CompiledFilter;
  /**
   * The in-memory attribute store and the recruiter filters compiled against it once per search;
   * undefined while the in-memory structures load (branches then fall back to SQL or skip).
   */
  memory(): { store: AttributeStore; filter: AttributeFilter } | undefined;
  /** What branches learn that presentation explains (the occupations the specialty lookup matched). */
  notes: { occupations?: SpecialtyMatch[] };
}

export interface SpecialtyMatch {
  occupationId: number;
  title: string;
  confidence: number;
}

export interface Branch {
  readonly name: BranchName;
  run(ctx: BranchContext): Promise<BranchHit[]>;
}

/**
 * A branch that did not run, with the status to report. The branch records its own, more specific
 * degraded code first when there is one (`embed_timeout`, `vector_index_warming`).
 */
export class BranchSkipped extends Error {
  constructor(readonly status: 'skipped' | 'timeout' | 'error' = 'skipped') {
    super(status);
    this.name = 'BranchSkipped';
  }
}

export class BranchTimeout extends Error {
  override readonly name = 'BranchTimeout';
}

/**
 * `p`, or a BranchTimeout after `ms`. The caller may stop waiting for `p` (timeout, or no time to
 * start): a later rejection of `p` is still observed, so it never becomes an unhandled rejection.
 */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  p.catch(() => undefined);
  if (ms <= 0) return Promise.reject(new BranchTimeout('no time left'));
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new BranchTimeout(`timed out after ${Math.round(ms)} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export interface BranchStatus {
  status: 'ok' | 'timeout' | 'error' | 'skipped';
  count: number;
  ms: number;
  detail?: string;
}

export interface BranchOutcomes {
  lists: Partial<Record<BranchName, BranchHit[]>>;
  statuses: Record<BranchName, BranchStatus>;
}

const round = (n: number) => Math.round(n * 100) / 100;

/** A statement cancelled by its statement_timeout (SQLSTATE 57014) is a timeout too. */
const isTimeout = (err: unknown) => err instanceof BranchTimeout || (err as { code?: string } | null)?.code === '57014';

/**
 * Runs the branches concurrently, each under `ctx.budget()`; a branch with weight 0 does not run.
 * Never rejects: every outcome becomes a status.
 */
export async function runBranches(
  branches: readonly Branch[],
  weights: Record<BranchName, number>,
  ctx: BranchContext,
  metrics: SearchMetrics,
  timings: Record<string, number>,
): Promise<BranchOutcomes> {
  const settled = await Promise.allSettled(
    branches.map(async (b) => {
      if (weights[b.name] <= 0) throw new BranchSkipped('skipped');
      return ctx.time(b.name, () => withTimeout(b.run(ctx), ctx.budget()));
    }),
  );
  const lists: BranchOutcomes['lists'] = {};
  const statuses = {} as BranchOutcomes['statuses'];
  settled.forEach((s, i) => {
    const name = branches[i]!.name;
    const ms = round(timings[name] ?? 0);
    if (s.status === 'fulfilled') {
      lists[name] = s.value;
      statuses[name] = { status: 'ok', count: s.value.length, ms };
      return;
    }
    if (s.reason instanceof BranchSkipped) {
      statuses[name] = { status: s.reason.status, count: 0, ms };
      return;
    }
    const reason = isTimeout(s.reason) ? 'timeout' : 'error';
    statuses[name] = { status: reason, count: 0, ms, detail: reason === 'timeout' ? 'timed out' : 'failed' };
    ctx.degraded.add(`${name}_${reason}`);
    metrics.branchFailures.inc({ branch: name, reason });
  });
  return { lists, statuses };
}
