export { buildApp, bodyLimitFor } from './app.js';
export { rerankRoutes, estimateMs, type RerankRouteOptions } from './routes/rerank.js';
export { parseRerankRequest, type RerankRequest, type Issue, type Limits } from './routes/validate.js';
export * from './scorer/index.js';
