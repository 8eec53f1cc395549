/**
 * Bearer API key → tenant. The tenant never comes from the request body. Resolutions are
 * cached in-process for a few seconds (a revoked key stops working within KEY_CACHE_MS).
 */
import fp from 'fastify-plugin';
import { HttpProblem } from '@hh/service-kit';
import type { Tenant, TenantRepository } from '../tenants/repository.js';

declare module 'fastify' {
  interface FastifyRequest {
    tenant: Tenant;
  }
}

const KEY_CACHE_MS = 5_000;

export const authPlugin = fp<{ tenants: TenantRepository }>(
  async (app, opts) => {
    const cache = new Map<string, { tenant: Tenant | null; until: number }>();
    app.decorateRequest('tenant', null as unknown as Tenant);
    app.addHook('onRequest', async (req) => {
      if (!req.url.startsWith('/v1/')) return;
      const header = req.headers.authorization;
      const m = typeof header === 'string' ? /^Bearer ([A-Za-z0-9_\-.~+/=]{8,200})$/.exec(header) : null;
      const unauthorized = new HttpProblem(401, 'HH_SEARCH_UNAUTHORIZED', 'a valid API key is required: Authorization: Bearer <key>', undefined, {
        'www-authenticate': 'Bearer',
      });
      if (!m) throw unauthorized;
      const key = m[1]!;
      const now = Date.now();
      let hit = cache.get(key);
      if (!hit || hit.until < now) {
        hit = { tenant: await opts.tenants.resolve(key), until: now + KEY_CACHE_MS };
        if (cache.size > 10_000) cache.clear();
        cache.set(key, hit);
      }
      if (!hit.tenant) throw unauthorized;
      req.tenant = hit.tenant;
    });
  },
  { name: 'hh-auth' },
);
