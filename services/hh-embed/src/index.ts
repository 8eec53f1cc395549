export { buildApp, createProvider, bodyLimitFor, type BuildAppOptions } from './app.js';
export { createBuiltinEmbedder, builtinModelId, cosine, BuiltinProvider, type BuiltinEmbedder } from './providers/builtin.js';
export { OpenAIProvider, openaiModelId, apportion, type OpenAIProviderOptions } from './providers/openai.js';
export { ProviderError, type EmbeddingProvider, type EmbedCallOptions, type EmbedCallResult, type ProviderErrorKind } from './providers/types.js';
export { MicroBatcher, DeadlineExceededError, type BatcherOptions, type BatchCall } from './batcher.js';
export { parseEmbeddingRequest, type EmbeddingRequest } from './routes/embeddings.js';
