import type { FastifyInstance, RouteOptions } from 'fastify';

export interface CollectedRoute {
  method: string;
  url: string;
  schema: RouteOptions['schema'];
}

/**
 * Records every route the app declares from now on (with its schemas), so a property test can take
 * its inputs and response contracts from the route itself and notice a route it does not cover.
 * Call it before the app is ready (before listen/inject): routes registered in plugins are added then.
 */
export function collectRoutes(app: FastifyInstance): CollectedRoute[] {
  const routes: CollectedRoute[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, schema: route.schema });
  });
  return routes;
}
