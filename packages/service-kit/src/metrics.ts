/**
 * Prometheus metrics: one registry per app (tests build several apps in one process),
 * default process metrics and a request-duration histogram by route and status class.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Registry, Histogram, collectDefaultMetrics, Counter, Gauge } from 'prom-client';

/** Serve /metrics on a listener of its own (kept off the public port), not on the app's port. */
export interface MetricsListenOptions {
  port: number;
  host: string;
}

/** The metrics listener every service reads from its environment (@hh/config `common`). */
export function metricsListenFromConfig(c: { METRICS_PORT?: number | undefined; METRICS_HOST: string }): MetricsListenOptions | undefined {
  return c.METRICS_PORT === undefined ? undefined : { port: c.METRICS_PORT, host: c.METRICS_HOST };
}

export interface ServiceMetrics {
  registry: Registry;
  /** `http://host:port` of the separate metrics listener once it listens; undefined without one. */
  listenerUrl(): string | undefined;
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
export function installMetrics(app: FastifyInstance, prefix: string, listen?: MetricsListenOptions): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: `${prefix}_` });
  let listener: Server | undefined;
  const metrics: ServiceMetrics = {
    registry,
    listenerUrl: () => {
      const a = listener?.address() as AddressInfo | null | undefined;
      return a ? `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}` : undefined;
    },
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

  if (!listen) {
    app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
      void reply.type(registry.contentType);
      return registry.metrics();
    });
    return metrics;
  }

  // A plain node:http server: it answers GET /metrics and nothing else, so none of the app's
  // routes, hooks or body parsers are reachable through it. It starts with the app (onReady, so a
  // port already in use fails the start) and closes with it.
  app.addHook('onReady', async () => {
    const server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(req.method === 'HEAD' ? undefined : text),
        (err: unknown) => {
          app.log.error({ err }, 'metrics collection failed');
          res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed\n');
        },
      );
    });
    server.requestTimeout = 10_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listen.port, listen.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    listener = server;
    app.log.info({ url: metrics.listenerUrl() }, 'metrics listening');
  });
  app.addHook('onClose', async () => {
    const server = listener;
    if (!server) return;
    listener = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return metrics;
}
