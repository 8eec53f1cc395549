/**
 * Vector branch: the query embedded by hh-embed (cached per tenant, model and text), then the
 * tenant's nearest candidates in the in-process vector index (the tenant is a hard filter inside
 * the index), restricted to the recruiter filters.
 */
import { cacheKey, type Cache } from '@hh/cache';
import type { EmbedClient } from '../../clients/embed-client.js';
import { DownstreamError } from '../../clients/http.js';
import type { VectorIndex } from '../../vector/types.js';
import { BranchSkipped, BranchTimeout, withTimeout, type Branch, type BranchContext, type BranchHit } from '../branch.js';
import type { SearchMetrics } from '../metrics.js';
import { vectorText } from '../query-text.js';
import type { SearchReadRepository } from '../read-repository.js';

export interface VectorBranchDeps {
  embed: EmbedClient;
  cache: Cache;
  index: VectorIndex;
  /** Is the index loaded and caught up with the change log? */
  indexReady: () => boolean;
  repo: SearchReadRepository;
  metrics: SearchMetrics;
  embedTimeoutMs: number;
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
      if (!deps.indexReady()) {
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
      const filter = ctx.sqlFilter();
      const filtered = filter.params.length > 0;
      // Recruiter filters are checked against the candidates table after the index answers, so a
      // filtered search asks the index for more than the window.
      const k = filtered ? ctx.window * 5 : ctx.window;
      const raw = await deps.index.search(ctx.tenantId, vec, k);
      if (!filtered) return raw.slice(0, ctx.window);
      const keep = await deps.repo.passing(ctx.db, ctx.tenantId, raw.map((h) => h.id), filter);
      const hits = raw.filter((h) => keep.has(h.id)).slice(0, ctx.window);
      if (hits.length < ctx.window && raw.length === k) ctx.degraded.add('vector_filtered_short');
      return hits;
    },
  };
}
