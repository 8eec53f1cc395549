/**
 * Bearer API key → tenant. The tenant never comes from the request body.
 *
 * Authentication is attached to routes, not to URL spellings: `authPlugin` is registered inside
 * the /v1 plugin scope, so its onRequest hook runs for every route of that scope whatever the
 * request line looked like (`/%761/search`, `/v%31/…` and absolute-form `http://host/v1/…` all
 * route to /v1 handlers). `tenantGuard` is the fail-closed backstop at the root: a route whose
 * pattern starts with /v1 but that runs without a tenant (registered outside the scope by
 * mistake) is answered 401 before its handler runs.
 */
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpProblem } from '@hh/service-kit';
import type { KeyResolver } from '../tenants/key-resolver.js';
import type { Tenant } from '../tenants/repository.js';

declare module 'fastify' {
  interface FastifyRequest {
    tenant: Tenant;
  }
}

const BEARER = /^Bearer ([A-Za-z0-9_\-.~+/=]{8,200})$/;

const unauthorized = () =>
  new HttpProblem(401, 'HH_SEARCH_UNAUTHORIZED', 'a valid API key is required: Authorization: Bearer <key>', undefined, {
    'www-authenticate': 'Bearer',
  });

/** Authenticates every request routed to the scope it is registered in (register it in /v1). */
export const authPlugin = fp<{ keys: KeyResolver }>(
  async (app, opts) => {
    app.addHook('onRequest', async (req) => {
      const header = req.headers.authorization;
      const m = typeof header === 'string' ? BEARER.exec(header) : null;
      if (!m) throw unauthorized();
      const r = await opts.keys.resolve(m[1]!, req.ip);
      if (r.kind === 'throttled') {
        throw new HttpProblem(
          429,
          'HH_SEARCH_AUTH_THROTTLED',
          `too many requests with unknown API keys from this address; retry in ${r.retryAfterSeconds} s`,
          undefined,
          { 'retry-after': String(r.retryAfterSeconds) },
        );
      }
      if (r.kind === 'unknown') throw unauthorized();
      req.tenant = r.tenant;
    });
  },
  { name: 'hh-auth', dependencies: ['hh-tenant-guard'] },
);

const isV1 = (req: FastifyRequest) => {
  const route = req.routeOptions.url;
  return route === '/v1' || (route?.startsWith('/v1/') ?? false);
};

/**
 * Register at the root, before any route. Declares `req.tenant` (null until authenticated) and
 * refuses to run a /v1 route (by its route pattern, never the raw URL) that has no tenant.
 */
export const tenantGuard = fp(
  async (app: FastifyInstance) => {
    app.decorateRequest('tenant', null as unknown as Tenant);
    app.addHook('preHandler', async (req) => {
      if (isV1(req) && !req.tenant) {
        req.log.error({ route: req.routeOptions.url }, 'a /v1 route ran without authentication; refused');
        throw unauthorized();
      }
    });
  },
  { name: 'hh-tenant-guard' },
);
