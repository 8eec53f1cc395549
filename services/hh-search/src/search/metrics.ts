import type { ServiceMetrics } from '@hh/service-kit';
import type { Counter, Histogram } from 'prom-client';

export interface SearchMetrics {
  branchDuration: Histogram;
  branchFailures: Counter;
  partial: Counter;
  degraded: Counter;
  fusedCandidates: Histogram;
  rerankFallbacks: Counter;
}

export function createSearchMetrics(m: ServiceMetrics): SearchMetrics {
  return {
    branchDuration: m.histogram('hh_search_branch_duration_seconds', 'Duration of each search stage', ['branch']),
    branchFailures: m.counter('hh_search_branch_failures_total', 'Search branch failures by branch and reason', ['branch', 'reason']),
    partial: m.counter('hh_search_partial_responses_total', 'Search responses missing at least one branch'),
    degraded: m.counter('hh_search_degraded_total', 'Degradation codes reported in search responses', ['reason']),
    fusedCandidates: m.histogram('hh_search_fused_candidates', 'Candidates after fusion', [], [0, 10, 25, 50, 100, 150, 200, 300]),
    rerankFallbacks: m.counter('hh_rerank_fallbacks_total', 'Searches served in fused order because rerank failed or was skipped', ['reason']),
  };
}
