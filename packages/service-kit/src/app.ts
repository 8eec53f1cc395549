/**
 * The Fastify instance every hh service starts from: zod type provider, request ids,
 * redacting logger, problem+json errors, /metrics and /health/{live,ready}.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { installErrorHandler } from './errors.js';
import { installMetrics } from './metrics.js';
import { installShedding, type ShedOptions } from './shed.js';

export type ZodApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;

export interface ServiceAppOptions {
  /** Service name, e.g. `hh-search`. */
  name: string;
  /** Prefix for error codes and metric names, e.g. `HH_SEARCH` / `hh_search`. */
  errorPrefix: string;
  metricPrefix: string;
  logLevel?: string;
  bodyLimit?: number;
  /** Extra readiness probe; returns a reason string when not ready. */
  readiness?: () => Promise<string | null> | string | null;
  /** Per-request handler budget (ms); protects against a hung handler. */
  requestTimeoutMs?: number;
  /** Shed load (503 + Retry-After) when this process is overloaded; unset = no shedding. */
  shed?: ShedOptions;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function createServiceApp(opts: ServiceAppOptions): ZodApp {
  const app = Fastify({
    logger: {
      level: opts.logLevel ?? 'info',
      name: opts.name,
      // Never log credentials, bodies or query strings (query text and candidate PII).
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'], censor: '[redacted]' },
      serializers: {
        req: (req: { method: string; url: string; id: string }) => ({ method: req.method, url: req.url.split('?')[0], id: req.id }),
      },
      ...(process.stdout.isTTY && process.env.NODE_ENV !== 'production' ? {} : {}),
    },
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    // Path parameters are ids of up to 128 characters, each up to 3 when percent-encoded. Fastify's
    // default (100) answered 414 to valid ids that bulk ingestion accepts, leaving them unreadable.
    maxParamLength: 3 * 128,
    connectionTimeout: 30_000,
    requestTimeout: opts.requestTimeoutMs ?? 30_000,
    keepAliveTimeout: 72_000,
    return503OnClosing: true,
    disableRequestLogging: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    ajv: { customOptions: { allErrors: false } },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app, opts.errorPrefix);

  app.addHook('onSend', async (req, reply, payload) => {
    void reply.header('x-request-id', req.id);
    return payload;
  });

  installMetrics(app, opts.metricPrefix);
  if (opts.shed) installShedding(app, opts.metricPrefix, opts.shed);

  app.get('/health/live', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/health/ready', { schema: { hide: true } }, async (_req, reply) => {
    const reason = opts.readiness ? await opts.readiness() : null;
    if (reason) return reply.code(503).send({ status: 'not_ready', reason });
    return { status: 'ready' };
  });

  return app;
}
