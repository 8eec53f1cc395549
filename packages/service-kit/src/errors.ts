/**
 * One root error handler for every service: RFC 9457 problem+json bodies.
 * Validation errors and other 4xx pass through with field paths; 5xx are logged with the
 * request id and masked.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';

export interface FieldError {
  field: string;
  message: string;
}

/** An error carrying an HTTP status and a stable code (e.g. `HH_SEARCH_NOT_FOUND`). */
export class HttpProblem extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HttpProblem';
  }
}

export const problem = (statusCode: number, code: string, message: string, errors?: FieldError[]) =>
  new HttpProblem(statusCode, code, message, errors);

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function fieldPath(instancePath: string | undefined, params?: Record<string, unknown>): string {
  const base = (instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  const extra = params && typeof params.missingProperty === 'string' ? params.missingProperty : undefined;
  const additional = params && typeof params.additionalProperty === 'string' ? params.additionalProperty : undefined;
  return [base, extra ?? additional].filter(Boolean).join('.') || '(root)';
}

/**
 * How a service-specific failure (e.g. "the database is unreachable") should be answered. Returned
 * by a classifier the app passes to createServiceApp; consulted for every error that is not
 * already an HttpProblem or a validation error, so each route gets the same answer.
 */
export interface ErrorClassification {
  status: number;
  code: string;
  /** Safe to show a client: written by us, never the underlying error's message. */
  detail: string;
  retryAfterSeconds?: number;
}
export type ErrorClassifier = (err: unknown) => ErrorClassification | undefined;

export function installErrorHandler(app: FastifyInstance, prefix: string, classify?: ErrorClassifier): void {
  app.setNotFoundHandler((req, reply) => {
    void reply
      .code(404)
      .type('application/problem+json')
      .send({ type: 'about:blank', title: 'Not Found', status: 404, code: `${prefix}_ROUTE_NOT_FOUND`, detail: `no route ${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]}`, requestId: req.id });
  });

  app.setErrorHandler((err: FastifyError | HttpProblem, req, reply) => {
    let status = err.statusCode ?? 500;
    let code = (err as FastifyError).code ?? `${prefix}_ERROR`;
    let detail = err.message;
    let errors: FieldError[] | undefined;
    // Only messages we wrote (HttpProblem, a classification, Fastify's own 4xx codes) reach a client.
    let safeDetail = false;
    const classified = err instanceof HttpProblem ? undefined : classify?.(err);

    if (classified) {
      status = classified.status;
      code = classified.code;
      detail = classified.detail;
      safeDetail = true;
      if (classified.retryAfterSeconds !== undefined) void reply.header('retry-after', String(classified.retryAfterSeconds));
    } else if (hasZodFastifySchemaValidationErrors(err)) {
      status = 400;
      code = `${prefix}_VALIDATION`;
      const context = (err as FastifyError).validationContext ?? 'body';
      errors = err.validation.flatMap((v) => {
        const params = v.params as Record<string, unknown>;
        const at = `${context}.${fieldPath(v.instancePath, params)}`.replace(/\.\(root\)$/, '');
        // An unknown key is reported on the object that holds it; name the key itself, one error each.
        if (v.keyword === 'unrecognized_keys' && Array.isArray(params.keys) && params.keys.length > 0) {
          return params.keys.map((k) => ({ field: `${at}.${String(k)}`, message: 'is not a known field' }));
        }
        return [{ field: at, message: v.message ?? 'is invalid' }];
      });
      detail = `invalid ${context}: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`;
    } else if ((err as FastifyError).validation) {
      status = 400;
      code = `${prefix}_VALIDATION`;
      const v = (err as FastifyError).validation ?? [];
      const context = (err as FastifyError).validationContext ?? 'body';
      errors = v.map((e) => ({ field: `${context}.${fieldPath(e.instancePath, e.params as Record<string, unknown>)}`, message: e.message ?? 'is invalid' }));
    } else if (err instanceof HttpProblem) {
      safeDetail = true;
      errors = err.errors;
      if (err.headers) void reply.headers(err.headers);
    } else if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      status = 415;
    } else if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || (err as { type?: string }).type === 'entity.parse.failed' || err instanceof SyntaxError) {
      status = 400;
      code = `${prefix}_MALFORMED_BODY`;
    }

    if (status >= 500) {
      if (classified) req.log.warn({ err, reqId: req.id, code }, 'request failed: dependency unavailable');
      // A 503/504 we decided on (overload, a budget too short, no branch answered) is an expected
      // answer, not a fault: a line without a stack. Anything else is a bug or an outage.
      else if (err instanceof HttpProblem && (status === 503 || status === 504)) req.log.warn({ reqId: req.id, code, detail }, 'request refused');
      else req.log.error({ err, reqId: req.id }, 'request failed');
      // Mask internals: the client gets the request id to quote, not the stack or a library's message.
      if (!safeDetail) {
        if (status === 503 || status === 504) {
          detail = 'the service is temporarily unavailable; retry later';
        } else {
          status = 500;
          detail = 'internal error';
        }
      }
      if (status === 500) code = `${prefix}_INTERNAL`;
    }

    void reply
      .code(status)
      .type('application/problem+json')
      .send({ type: 'about:blank', title: TITLES[status] ?? 'Error', status, code, detail, ...(errors ? { errors } : {}), requestId: req.id });
  });
}
