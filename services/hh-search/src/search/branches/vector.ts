/**
 * Vector branch: the query embedded by hh-embed (cached per tenant, model and text), then the
 * tenant's nearest candidates in the in-process vector index (the tenant is a hard filter inside
 * the index). Recruiter filters apply inside the search: a small matching set (counted on the
 * attribute store) is scanned exactly; otherwise the index walks in distance order until a window
 * of candidates pass. `vector_filtered_short` then means the pool truly holds fewer matches.
 */
import { cacheKey, type Cache } from '@hh/cache';
import type { EmbedClient } from '../../clients/embed-client.js';
import { DownstreamError } from '../../clients/http.js';
import type { VectorIndex } from '../../vector/types.js';
import { matchingSet } from '../attribute-filter.js';
import { BranchSkipped, BranchTimeout, withTimeout, type Branch, type BranchContext, type BranchHit } from '../branch.js';
import type { SearchMetrics } from '../metrics.js';
import { vectorText } from '../query-text.js';

export interface VectorBranchDeps {
  embed: EmbedClient;
  cache: Cache;
  index: VectorIndex;
  metrics: SearchMetrics;
  embedTimeoutMs: number;
  /**
   * A filter matching at most this many of the tenant's candidates is answered by an exact scan of
   * them; above it, by the filtered graph walk (see packages/diskann's README for the measurement).
   */
  exactScanMax: number;
}

export function createVectorBranch(deps: VectorBranchDeps): Branch {
  async function embedQuery(ctx: BranchContext, text: string): Promise<Float32Array> {
    const key = cacheKey('qemb', ctx.tenantId, deps.embed.model, text);
    const { value, status } = await deps.cache.getOrLoad(
      key,
      async () => {
        const [v] = await deps.embed.embed([text], { timeoutMs: ctx.deadline.timeout(deps.embedTimeoutMs), requestId: ctx.requestId });
        return Buffer.from(v!.buffer, v!.byteOffset, v!.byteLength).toString('base64');
      },
      { ttlSeconds: 3600 },
    );
    ctx.cacheStatuses.push(status);
    const buf = Buffer.from(value, 'base64');
    return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  }

  return {
    name: 'vector',
    async run(ctx: BranchContext): Promise<BranchHit[]> {
      // The index and the attribute store are loaded and caught up together.
      const memory = ctx.memory();
      if (!memory) {
        ctx.degraded.add('vector_index_warming');
        throw new BranchSkipped('skipped');
      }
      let vec: Float32Array;
      try {
        vec = await ctx.time('embed', () => withTimeout(embedQuery(ctx, vectorText(ctx.request)), ctx.deadline.timeout(deps.embedTimeoutMs)));
      } catch (err) {
        const timeout = err instanceof BranchTimeout || (err instanceof DownstreamError && err.kind === 'timeout');
        ctx.degraded.add(timeout ? 'embed_timeout' : 'embed_unavailable');
        deps.metrics.branchFailures.inc({ branch: 'embed', reason: timeout ? 'timeout' : 'error' });
        throw new BranchSkipped(timeout ? 'timeout' : 'error');
      }
      const { store, filter } = memory;
      if (filter.tenantOnly) return deps.index.search(ctx.tenantId, vec, ctx.window);
      if (filter.none) {
        ctx.degraded.add('vector_filtered_short');
        return [];
      }
      const among = matchingSet(store, filter, deps.exactScanMax);
      const res = await deps.index.searchFiltered(ctx.tenantId, vec, ctx.window, { accept: filter.acceptId, ...(among ? { among } : {}) });
      if (res.hits.length < ctx.window && res.complete) ctx.degraded.add('vector_filtered_short');
      return res.hits;
    },
  };
}
