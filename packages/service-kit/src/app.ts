/**
 * The Fastify instance every hh service starts from: zod type provider, request ids,
 * redacting logger, problem+json errors, /metrics and /health/{live,ready}.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { DestinationStream } from 'pino';
import { installErrorHandler, type ErrorClassifier } from './errors.js';
import { DEFAULT_MAX_JSON_DEPTH, installJsonParser } from './json-body.js';
import { installMetrics, type MetricsListenOptions } from './metrics.js';
import { installShedding, type ShedOptions } from './shed.js';

export type Readiness = string | null | { reason: string | null; details: Record<string, unknown> };

export type ZodApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;

export interface ServiceAppOptions {
  /** Service name, e.g. `hh-search`. */
  name: string;
  /** Prefix for error codes and metric names, e.g. `HH_SEARCH` / `hh_search`. */
  errorPrefix: string;
  metricPrefix: string;
  logLevel?: string;
  bodyLimit?: number;
  /**
   * Extra readiness probe: a reason string when not ready (null when ready), or that plus details
   * reported in the body either way (e.g. a backlog).
   */
  readiness?: () => Promise<Readiness> | Readiness;
  /**
   * Time a client has to send the whole request, headers and body (ms, default 10 s). Past it the
   * connection is answered 408 and closed, so a slow-trickle client cannot hold a socket (and a
   * body buffer) for long. It does not limit how long a handler takes once the body is in.
   */
  requestTimeoutMs?: number;
  /**
   * How often node:http looks for requests past requestTimeoutMs (ms). Node's default is 30 s,
   * which lets a trickling connection live up to requestTimeout + 30 s; default here: a quarter of
   * requestTimeoutMs, at most 250 ms (so a 10 s timeout closes a trickling connection within 10.25 s).
   */
  connectionsCheckingIntervalMs?: number;
  /** Shed load (503 + Retry-After) when this process is overloaded; unset = no shedding. */
  shed?: ShedOptions;
  /** Serve /metrics on its own listener only (the app's port then answers 404 for it). */
  metricsListen?: MetricsListenOptions | undefined;
  /** Maps service-specific failures (e.g. database unavailable) to a status and code. */
  classifyError?: ErrorClassifier;
  /** JSON bodies nested deeper than this are refused with 400 before anything walks them. */
  maxJsonDepth?: number;
  /**
   * Fastify trustProxy: whose X-Forwarded-For to believe for `req.ip`. Default false: the peer
   * address is the client (behind a proxy that is the proxy's address).
   */
  trustProxy?: boolean | number | string | undefined;
  /** Log destination (default stdout); tests read the lines a service writes. */
  logStream?: DestinationStream;
}

/**
 * What a request log line says about the request: the method and the route pattern
 * (`/v1/candidates/:id`), never the raw path or query string: ids may be e-mail addresses and
 * queries hold search text. Unmatched requests are logged as such.
 */
function serializeRequest(req: { method?: string; id?: unknown; routeOptions?: { url?: string } }) {
  return { method: req.method, route: req.routeOptions?.url ?? '(unmatched)', id: req.id };
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A hop count becomes "trust the nearest n proxies", which is what Fastify does with a number. */
function trustProxyOption(v: boolean | number | string): boolean | string | ((address: string, hop: number) => boolean) {
  return typeof v === 'number' ? (_address, hop) => hop < v : v;
}

export function createServiceApp(opts: ServiceAppOptions): ZodApp {
  const requestTimeout = opts.requestTimeoutMs ?? 10_000;
  const checkEvery = opts.connectionsCheckingIntervalMs ?? Math.max(50, Math.min(250, Math.floor(requestTimeout / 4)));
  const app = Fastify({
    logger: {
      level: opts.logLevel ?? 'info',
      name: opts.name,
      // Never log credentials, bodies, paths or query strings (ids, query text and candidate PII).
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'], censor: '[redacted]' },
      serializers: { req: serializeRequest },
      ...(opts.logStream ? { stream: opts.logStream } : {}),
    },
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    // Path parameters are ids of up to 128 characters, each up to 3 when percent-encoded. Fastify's
    // default (100) answered 414 to valid ids that bulk ingestion accepts, leaving them unreadable.
    routerOptions: { maxParamLength: 3 * 128 },
    // No socket idle timeout: a socket is idle while its handler works, so one would cut a long
    // answer (a 1,000-candidate bulk under load took over 30 s) in transport. Slow clients are cut by
    // the request/headers timeouts below, idle keep-alive connections by keepAliveTimeout.
    connectionTimeout: 0,
    requestTimeout,
    // Passed to http.createServer: headers must arrive within the request timeout too, and the
    // timeouts are checked often enough to be enforced close to their value.
    http: { connectionsCheckingInterval: checkEvery, headersTimeout: requestTimeout, requestTimeout },
    ...(opts.trustProxy !== undefined ? { trustProxy: trustProxyOption(opts.trustProxy) } : {}),
    keepAliveTimeout: 72_000,
    return503OnClosing: true,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    ajv: { customOptions: { allErrors: false } },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app, opts.errorPrefix, opts.classifyError);
  installJsonParser(app, opts.errorPrefix, opts.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH);

  // While shutting down, every response closes its connection: a kept-alive connection would
  // otherwise hold server.close() (and so the whole shutdown) open until its idle timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (req, reply, payload) => {
    void reply.header('x-request-id', req.id);
    if (closing) void reply.header('connection', 'close');
    return payload;
  });

  installMetrics(app, opts.metricPrefix, opts.metricsListen);
  if (opts.shed) installShedding(app, opts.metricPrefix, opts.shed);

  app.get('/health/live', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/health/ready', { schema: { hide: true } }, async (_req, reply) => {
    const probe = opts.readiness ? await opts.readiness() : null;
    const { reason, details } = probe !== null && typeof probe === 'object' ? probe : { reason: probe, details: {} };
    if (reason) return reply.code(503).send({ status: 'not_ready', reason, ...details });
    return { status: 'ready', ...details };
  });

  return app;
}
