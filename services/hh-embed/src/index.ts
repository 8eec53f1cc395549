export { createBuiltinEmbedder, builtinModelId, cosine, type BuiltinEmbedder } from './providers/builtin.js';
