/**
 * hh-embed: text → vectors behind an OpenAI-compatible `POST /v1/embeddings`.
 * buildApp() returns the fully configured instance; server.ts only listens.
 */
import { ConfigError, type EmbedConfig } from '@hh/config';
import { metricsListenFromConfig, shedOptionsFromConfig, createServiceApp, installServiceAuth, type ZodApp } from '@hh/service-kit';
import { BuiltinProvider } from './providers/builtin.js';
import { OpenAIProvider } from './providers/openai.js';
import type { EmbeddingProvider } from './providers/types.js';
import { embeddingsRoutes } from './routes/embeddings.js';

export interface BuildAppOptions {
  /** Use this provider instead of the one EMBED_PROVIDER selects (the app closes it on shutdown). */
  provider?: EmbeddingProvider;
}

/** The provider EMBED_PROVIDER selects. */
export function createProvider(config: EmbedConfig): EmbeddingProvider {
  if (config.EMBED_PROVIDER === 'openai') {
    if (!config.EMBED_OPENAI_BASE_URL) throw new Error('EMBED_OPENAI_BASE_URL is required when EMBED_PROVIDER=openai');
    return new OpenAIProvider({
      baseUrl: config.EMBED_OPENAI_BASE_URL,
      apiKey: config.EMBED_OPENAI_API_KEY,
      model: config.EMBED_OPENAI_MODEL,
      timeoutMs: config.EMBED_OPENAI_TIMEOUT_MS,
    });
  }
  return new BuiltinProvider(config.EMBED_DIMS);
}

/**
 * Largest body worth reading: every item at the character limit, 3 bytes per UTF-16 unit (the
 * worst case of plain UTF-8 JSON) plus framing; anything bigger would fail validation anyway,
 * so Fastify answers 413 before buffering it.
 */
export function bodyLimitFor(config: EmbedConfig): number {
  return Math.min(64 * 1024 * 1024, config.EMBED_MAX_ITEMS * (config.EMBED_MAX_CHARS * 3 + 16) + 64 * 1024);
}

export function buildApp(config: EmbedConfig, opts: BuildAppOptions = {}): ZodApp {
  if ((opts.provider?.kind ?? config.EMBED_PROVIDER) === 'openai' && !config.SERVICE_AUTH_SECRET) {
    // loadEmbedConfig refuses this too; checked again for a config built any other way.
    throw new ConfigError('hh-embed', [{ variable: 'SERVICE_AUTH_SECRET', problem: 'is required when EMBED_PROVIDER=openai (every call costs money)' }]);
  }
  const provider = opts.provider ?? createProvider(config);
  const app = createServiceApp({
    name: 'hh-embed',
    errorPrefix: 'HH_EMBED',
    metricPrefix: 'hh_embed',
    logLevel: config.LOG_LEVEL,
    bodyLimit: bodyLimitFor(config),
    // Time to receive a request (slow-trickle clients get 408); handlers have their own budget.
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    metricsListen: metricsListenFromConfig(config),
    shed: shedOptionsFromConfig(config),
  });
  // The /v1 scope requires hh-search's service token; health and metrics stay open.
  void app.register(async (v1) => {
    installServiceAuth(v1, { service: 'hh-embed', secret: config.SERVICE_AUTH_SECRET, errorPrefix: 'HH_EMBED', metricPrefix: 'hh_embed' });
    await v1.register(embeddingsRoutes, {
      provider,
      maxItems: config.EMBED_MAX_ITEMS,
      maxChars: config.EMBED_MAX_CHARS,
      batchMax: config.EMBED_BATCH_MAX,
      batchWaitMs: config.EMBED_BATCH_WAIT_MS,
      defaultTimeoutMs: config.EMBED_REQUEST_TIMEOUT_MS,
    });
  });
  app.addHook('onClose', async () => {
    await provider.close();
  });
  return app;
}
