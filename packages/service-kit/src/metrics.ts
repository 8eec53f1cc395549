/**
 * Prometheus metrics: one registry per app (tests build several apps in one process),
 * default process metrics and a request-duration histogram by route and status class.
 */
import type { FastifyInstance } from 'fastify';
import { Registry, Histogram, collectDefaultMetrics, Counter, Gauge } from 'prom-client';

export interface ServiceMetrics {
  registry: Registry;
  histogram(name: string, help: string, labelNames?: string[], buckets?: number[]): Histogram;
  counter(name: string, help: string, labelNames?: string[]): Counter;
  gauge(name: string, help: string, labelNames?: string[], collect?: (this: Gauge) => void | Promise<void>): Gauge;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ServiceMetrics;
  }
}

export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * Decorates `app.metrics` synchronously (so buildApp code can register its own metrics right
 * away) and adds the request-duration hook and the /metrics route.
 */
export function installMetrics(app: FastifyInstance, prefix: string): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: `${prefix}_` });
  const metrics: ServiceMetrics = {
    registry,
    histogram: (name, help, labelNames = [], buckets = LATENCY_BUCKETS) =>
      new Histogram({ name, help, labelNames, buckets, registers: [registry] }),
    counter: (name, help, labelNames = []) => new Counter({ name, help, labelNames, registers: [registry] }),
    gauge: (name, help, labelNames = [], collect) =>
      new Gauge({ name, help, labelNames, registers: [registry], ...(collect ? { collect } : {}) }),
  };
  app.decorate('metrics', metrics);

  const duration = metrics.histogram(
    `${prefix}_request_duration_seconds`,
    'HTTP request duration by route and status class',
    ['method', 'route', 'status_class'],
  );
  app.addHook('onResponse', async (req, reply) => {
    // routeOptions.url is the route pattern (bounded cardinality); unknown routes collapse.
    const route = req.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return;
    duration.observe(
      { method: req.method, route, status_class: `${Math.floor(reply.statusCode / 100)}xx` },
      reply.elapsedTime / 1000,
    );
  });

  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    void reply.type(registry.contentType);
    return registry.metrics();
  });
  return metrics;
}
