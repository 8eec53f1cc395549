export { createServiceApp, type Readiness, type ServiceAppOptions, type ZodApp } from './app.js';
export { installErrorHandler, problem, HttpProblem, type ErrorClassification, type ErrorClassifier, type FieldError } from './errors.js';
export { DEFAULT_MAX_JSON_DEPTH, findExcessiveNesting, jsonBodyProblem, parseJsonDocument, type JsonParseResult } from './json-body.js';
export { installMetrics, LATENCY_BUCKETS, metricsListenFromConfig, type MetricsListenOptions, type ServiceMetrics } from './metrics.js';
export { runServer, type RunServerOptions } from './server.js';
export { Deadline, DEADLINE_HEADER } from './deadline.js';
export { installShedding, shedOptionsFromConfig, type ShedOptions } from './shed.js';
export {
  installServiceAuth,
  ServiceTokenSigner,
  ServiceTokenVerifier,
  SERVICE_TOKEN_ISSUER,
  SERVICE_TOKEN_TYPE,
  SERVICE_TOKEN_TTL_SECONDS,
  MIN_SERVICE_SECRET_LENGTH,
  type ServiceAuthFailure,
  type ServiceAuthOptions,
  type ServiceAuthResult,
} from './service-auth.js';
