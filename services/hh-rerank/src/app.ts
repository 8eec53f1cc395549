/**
 * hh-rerank: `POST /v1/rerank` scored by the built-in explainable scorer.
 * buildApp() returns the fully configured instance; server.ts only listens.
 */
import type { RerankConfig } from '@hh/config';
import { metricsListenFromConfig, shedOptionsFromConfig, createServiceApp, installServiceAuth, type ZodApp } from '@hh/service-kit';
import { rerankRoutes } from './routes/rerank.js';

/**
 * Largest body worth reading: every document at the character limit (3 bytes per UTF-16 unit, the
 * worst case of plain UTF-8 JSON) plus room for structured fields; anything bigger would fail
 * validation anyway, so Fastify answers 413 before buffering it.
 */
export function bodyLimitFor(config: RerankConfig): number {
  return Math.min(64 * 1024 * 1024, (config.RERANK_MAX_DOCUMENTS + 1) * (config.RERANK_MAX_CHARS * 3 + 64 * 1024));
}

export function buildApp(config: RerankConfig): ZodApp {
  const app = createServiceApp({
    name: 'hh-rerank',
    errorPrefix: 'HH_RERANK',
    metricPrefix: 'hh_rerank',
    logLevel: config.LOG_LEVEL,
    bodyLimit: bodyLimitFor(config),
    // Time to receive a request (slow-trickle clients get 408); handlers have their own budget.
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    metricsListen: metricsListenFromConfig(config),
    shed: shedOptionsFromConfig(config),
  });
  // The /v1 scope requires hh-search's service token; health and metrics stay open.
  void app.register(async (v1) => {
    installServiceAuth(v1, { service: 'hh-rerank', secret: config.SERVICE_AUTH_SECRET, errorPrefix: 'HH_RERANK', metricPrefix: 'hh_rerank' });
    await v1.register(rerankRoutes, {
      maxDocuments: config.RERANK_MAX_DOCUMENTS,
      maxChars: config.RERANK_MAX_CHARS,
      defaultTimeoutMs: config.RERANK_REQUEST_TIMEOUT_MS,
    });
  });
  return app;
}
